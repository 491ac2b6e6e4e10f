import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";
import { afterAll, describe, expect, it } from "vitest";
import plugin from "../../rules/index.js";
import { lintWithRecommended } from "../harness/eslint.js";
import { ROOT } from "../harness/expectations.js";

const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

describe("the ESLint plugin", () => {
  it("has meta, both rules and configs.recommended", () => {
    expect(plugin.meta).toEqual({ name: "scope-ceiling", version: manifest.version });
    expect(Object.keys(plugin.rules).sort()).toEqual(["no-forged-grant", "require-within-ceiling"]);
    expect(plugin.configs.recommended.rules).toEqual({
      "scope-ceiling/require-within-ceiling": "error",
      "scope-ceiling/no-forged-grant": "error",
    });
    expect(plugin.configs.recommended.plugins?.["scope-ceiling"]).toBe(plugin);
    for (const rule of Object.values(plugin.rules)) expect(rule.meta.docs?.url).toMatch(/docs\/rules\/[a-z-]+\.md$/);
  });

  it("never crashes on the package's own source", async () => {
    const results = await lintWithRecommended(ESLint as never, ["src/**/*.ts", "rules/**/*.ts", "test/**/*.ts"], ROOT, { otherRules: "ignore" });
    expect(results.size).toBeGreaterThan(20);
    const findings = [...results].flatMap(([file, found]) => found.map(({ line, messageId }) => `${file.slice(ROOT.length)}:${String(line)} ${messageId}`));
    expect(findings).toEqual([]);
  });
});

describe("a plain eslint.config.js with configs.recommended (built package, ESLint CLI)", () => {
  // Inside the package, so that `scope-ceiling/eslint-plugin` resolves to this package by name.
  mkdirSync(join(ROOT, ".test-tmp"), { recursive: true });
  const project = mkdtempSync(join(ROOT, ".test-tmp", "plugin-"));
  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });
  writeFileSync(
    join(project, "eslint.config.js"),
    `import tsParser from "@typescript-eslint/parser";
import scopeCeiling from "scope-ceiling/eslint-plugin";
export default [{ files: ["**/*.ts"], languageOptions: { parser: tsParser } }, scopeCeiling.configs.recommended];
`,
  );
  writeFileSync(join(project, "mint.ts"), `export async function mint(req) {\n  await OAuthAccessToken.create({ scope: req.body.scope });\n}\n`);

  it("reports through the CLI and exits 1", () => {
    let output = "";
    let status = 0;
    try {
      execFileSync(process.execPath, [join(ROOT, "node_modules/eslint/bin/eslint.js"), "--format", "json", "mint.ts"], { cwd: project, encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      const failed = error as { status: number; stdout: string };
      status = failed.status;
      output = failed.stdout;
    }
    expect(status).toBe(1);
    const [result] = JSON.parse(output) as { messages: { ruleId: string; line: number }[] }[];
    expect(result?.messages.map(({ ruleId, line }) => ({ ruleId, line }))).toEqual([{ ruleId: "scope-ceiling/require-within-ceiling", line: 2 }]);
  });
});
