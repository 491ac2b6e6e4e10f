// Rule timing over the package's own source and fixtures: ESLint's per-rule stats (the numbers
// TIMING=1 prints), with the plugin's recommended config. Run after `npm run build`:
//   node bench/rule-timing.js
import { ESLint } from "eslint";
import tsParser from "@typescript-eslint/parser";
import plugin from "../dist/rules/index.js";

const root = new URL("..", import.meta.url).pathname;
const patterns = ["src/**/*.ts", "rules/**/*.ts", "test/**/*.ts", "fixtures/**/*.ts"];
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tsParser } }, plugin.configs.recommended],
  stats: true,
});

const started = performance.now();
const results = await eslint.lintFiles(patterns);
const wall = performance.now() - started;

const perRule = new Map();
let parse = 0;
for (const result of results) {
  for (const pass of result.stats?.times.passes ?? []) {
    parse += pass.parse.total;
    for (const [rule, { total }] of Object.entries(pass.rules ?? {})) perRule.set(rule, (perRule.get(rule) ?? 0) + total);
  }
}
const lines = [...results].reduce((sum, result) => sum + (result.source ?? "").split("\n").length, 0);
console.log(`files ${String(results.length)}, wall ${wall.toFixed(0)} ms, parse ${parse.toFixed(0)} ms`);
for (const [rule, total] of [...perRule].sort((a, b) => b[1] - a[1])) console.log(`${rule.padEnd(40)} ${total.toFixed(1).padStart(8)} ms`);
void lines;
