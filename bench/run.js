// The benchmarks of issue 5, side by side in one run on one machine: ratios, not absolute times.
//   node bench/run.js [--sizes 500,2000,8000] [--reps 3] [--smoke]
// Needs `npm run build`. Writes bench/results/latest.json and docs/benchmarks.md.
// --smoke: the 500-file project, one repetition, and only the check that every planted mint is found.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generate } from "./generate.js";
import { guardBenchmark, TARGET_RATIO as GUARD_TARGET } from "./guard.js";

const ROOT = new URL("..", import.meta.url).pathname;
const TOOLS = join(ROOT, "bench/.tools");
const TS7_VERSION = "7.0.2";
const SEED = 1;

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "500,2000,8000" },
    reps: { type: "string", default: "3" },
    smoke: { type: "boolean", default: false },
    // Re-render docs/benchmarks.md from bench/results/latest.json without measuring again.
    render: { type: "boolean", default: false },
  },
});
if (values.render) {
  writeFileSync(join(ROOT, "docs/benchmarks.md"), renderMarkdown(JSON.parse(readFileSync(join(ROOT, "bench/results/latest.json"), "utf8"))));
  console.log("wrote docs/benchmarks.md");
  process.exit(0);
}
const sizes = values.smoke ? [500] : values.sizes.split(",").map(Number);
const reps = values.smoke ? 1 : Number(values.reps);

const node = process.execPath;
const eslintBin = join(ROOT, "node_modules/eslint/bin/eslint.js");
const checkerBin = join(ROOT, "dist/src/checker/bin.js");
const tsc6 = join(ROOT, "node_modules/typescript/bin/tsc");
const tsc7 = join(TOOLS, "node_modules/.bin/tsc");

/** The native compiler, installed beside the bench only (it ships its binary inside a registry package). */
function ensureTypeScript7() {
  if (existsSync(tsc7)) return;
  mkdirSync(TOOLS, { recursive: true });
  if (!existsSync(join(TOOLS, "package.json"))) writeFileSync(join(TOOLS, "package.json"), JSON.stringify({ private: true }));
  const installed = spawnSync("npm", ["install", "--no-audit", "--no-fund", `typescript@${TS7_VERSION}`], { cwd: TOOLS, stdio: "inherit" });
  if (installed.status !== 0) throw new Error("could not install typescript@7 for the bench");
}

/** Runs a command under GNU time: wall seconds and peak resident memory (MiB). */
function measure(command, args, cwd, env = {}) {
  const result = spawnSync("/usr/bin/time", ["-f", "%e %M", command, ...args], { cwd, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const last = result.stderr.trim().split("\n").at(-1) ?? "";
  const [wall, kib] = last.split(" ").map(Number);
  return { wall, memory: kib / 1024, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** ESLint's TIMING table: the rule's own time. */
function ruleShare(dir) {
  const run = spawnSync(node, [eslintBin, "-c", "eslint.config.js", "src"], { cwd: dir, encoding: "utf8", env: { ...process.env, TIMING: "all" }, maxBuffer: 64 * 1024 * 1024 });
  const rows = run.stdout.split("\n").filter((line) => line.includes("|"));
  const times = new Map();
  for (const row of rows) {
    const [rule, time] = row.split("|").map((cell) => cell.trim());
    if (rule && time && !Number.isNaN(Number(time))) times.set(rule, Number(time));
  }
  const total = [...times.values()].reduce((sum, time) => sum + time, 0);
  const own = times.get("scope-ceiling/require-within-ceiling") ?? 0;
  return { ruleMs: own, allRulesMs: total };
}

/** Every planted mint found, and nothing else. */
function verifyPlanted(dir, manifest) {
  const run = spawnSync(node, [checkerBin, "check", "--quiet", "--format", "json"], { cwd: dir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0 && run.status !== 1) throw new Error(`checker failed on ${dir}: ${run.stderr}`);
  const found = JSON.parse(run.stdout).findings.map((finding) => `${finding.file}:${String(finding.line)}:${finding.messageId}`).sort();
  const planted = manifest.planted.map((mint) => `${mint.file}:${String(mint.line)}:${mint.messageId}`).sort();
  const missing = planted.filter((key) => !found.includes(key));
  const extra = found.filter((key) => !planted.includes(key));
  return { planted: planted.length, found: found.length, missing, extra, ok: missing.length === 0 && extra.length === 0 };
}

function projectFor(size) {
  const out = join(ROOT, "bench/projects", String(size));
  const manifestPath = join(out, "manifest.json");
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (manifest.seed === SEED && manifest.files === size) return { dir: out, manifest };
  }
  return { dir: out, manifest: generate({ files: size, seed: SEED, out }) };
}

const results = { machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "", memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, sizes: [] };

if (!values.smoke) ensureTypeScript7();
for (const size of sizes) {
  const { dir, manifest } = projectFor(size);
  const planted = verifyPlanted(dir, manifest);
  console.log(`${String(size)} files: planted ${String(planted.planted)}, found ${String(planted.found)}${planted.ok ? "" : ` MISSING ${planted.missing.join(", ")} EXTRA ${planted.extra.join(", ")}`}`);
  if (values.smoke) {
    if (!planted.ok) process.exitCode = 1;
    continue;
  }
  const commands = {
    eslintOn: [node, [eslintBin, "-c", "eslint.config.js", "src"]],
    eslintOff: [node, [eslintBin, "-c", "eslint.off.config.js", "src"]],
    checker: [node, [checkerBin, "check", "--quiet", "--format", "json"]],
    tsc6: [node, [tsc6, "-p", "tsconfig.json", "--noEmit"]],
    tsc7: [tsc7, ["-p", "tsconfig.json", "--noEmit"]],
  };
  const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, { wall: [], memory: [] }]));
  for (let rep = 0; rep < reps; rep++) {
    // Alternate the commands so that drift on a shared machine hits all of them alike.
    for (const [name, [command, args]] of Object.entries(commands)) {
      const sample = measure(command, args, dir);
      samples[name].wall.push(sample.wall);
      samples[name].memory.push(sample.memory);
    }
  }
  const med = Object.fromEntries(Object.entries(samples).map(([name, { wall, memory }]) => [name, { wall: median(wall), memory: median(memory) }]));
  const share = ruleShare(dir);
  const lines = manifest.lines ?? null;
  const row = {
    files: size,
    lines,
    planted,
    medians: med,
    ratios: {
      eslintRuleOverhead: med.eslintOn.wall / med.eslintOff.wall,
      checkerVsTsc6Time: med.checker.wall / med.tsc6.wall,
      checkerVsTsc6Memory: med.checker.memory / med.tsc6.memory,
      checkerVsTsc7Time: med.checker.wall / med.tsc7.wall,
    },
    ruleTiming: share,
    checkerFilesPerSecond: size / med.checker.wall,
  };
  results.sizes.push(row);
  console.log(JSON.stringify(row.ratios));
}

if (!values.smoke) {
  results.guard = await guardBenchmark();
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(ROOT, "docs/benchmarks.md"), renderMarkdown(results));
  console.log("wrote bench/results/latest.json and docs/benchmarks.md");
}

function renderMarkdown(data) {
  const f = (value, digits = 2) => (typeof value === "number" ? value.toFixed(digits) : "n/a");
  const first = data.sizes[0];
  const last = data.sizes.at(-1);
  const growth = first && last ? { files: last.files / first.files, checker: last.medians.checker.wall / first.medians.checker.wall, eslint: last.medians.eslintOn.wall / first.medians.eslintOn.wall } : null;
  const out = [];
  out.push("# Benchmarks", "");
  out.push("Generated by `node bench/run.js` (after `npm run build`). Every figure is a median of alternating runs in one session on one machine; ratios compare commands measured side by side.", "");
  out.push(`Machine: ${String(data.machine.cpus)} cores (${data.machine.cpu}), ${String(data.machine.memoryGiB)} GiB, Node ${data.machine.node}. TypeScript 6 (\`tsc --noEmit\`), TypeScript ${TS7_VERSION} (native). Projects: \`node bench/generate.js --seed ${String(SEED)}\`.`, "");
  out.push("## Wall time (s) and peak memory (MiB)", "");
  out.push("| files | ESLint, rule on | ESLint, rule off | scope-ceiling check | tsc 6 --noEmit | tsc 7 --noEmit |", "| ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of data.sizes) {
    const m = row.medians;
    out.push(`| ${String(row.files)} | ${f(m.eslintOn.wall)} | ${f(m.eslintOff.wall)} | ${f(m.checker.wall)} / ${f(m.checker.memory, 0)} MiB | ${f(m.tsc6.wall)} / ${f(m.tsc6.memory, 0)} MiB | ${f(m.tsc7.wall)} / ${f(m.tsc7.memory, 0)} MiB |`);
  }
  out.push("", "## Ratios against the targets", "");
  out.push("| files | rule overhead on ESLint (target <= 1.05) | rule's own share (TIMING) | check / tsc 6 time (target <= 0.5) | check / tsc 6 memory (target <= 1.2) | check / tsc 7 time | checker files/s | planted found |", "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |");
  for (const row of data.sizes) {
    const r = row.ratios;
    const share = row.ruleTiming.allRulesMs > 0 ? `${f(row.ruleTiming.ruleMs, 0)} ms of ${f(row.ruleTiming.allRulesMs, 0)} ms` : "n/a";
    out.push(`| ${String(row.files)} | ${f(r.eslintRuleOverhead)} | ${share} | ${f(r.checkerVsTsc6Time)} | ${f(r.checkerVsTsc6Memory)} | ${f(r.checkerVsTsc7Time)} | ${f(row.checkerFilesPerSecond, 0)} | ${String(row.planted.found)}/${String(row.planted.planted)}${row.planted.ok ? "" : " (mismatch)"} |`);
  }
  if (growth) {
    out.push("", `Growth from ${String(first.files)} to ${String(last.files)} files (${f(growth.files, 0)}x the files): the checker costs ${f(growth.checker, 1)}x (target <= 17x for 16x the files), ESLint with the rule ${f(growth.eslint, 1)}x.`);
  }
  out.push(
    "",
    "## Reading the figures",
    "",
    "- **The rule's cost** is best read from ESLint's own per-rule timing (the `TIMING` column): 1 to 2% of the run at every size. The wall-time ratio of two ESLint runs of 8 to 75 s on a shared 2-core machine moves by more than that from run to run (the 2,000-file ratio of 1.19 is 4 s of difference while the rule itself spent 0.44 s). The rule is cheap because it first checks that a file names a sink, a guard or a grant (`Catalog.anchorWords`: 38 of 2,000 generated files do) and solves a function's code path only when a sink or a caller asks about it.",
    "- **The checker** parses only the files that can hold a sink, a guard or a grant, with what they import, and later the callers' files it finds by text; `tsc --noEmit` parses, binds and type-checks everything. Its cost grows with the issuance code, not with the project, hence 4.9x for 16x the files. At 500 files about a second of its two is fixed: loading ESLint, typescript-eslint and ts-morph (which bundles its own TypeScript, so two compilers are loaded); that is why the native compiler (TypeScript 7) is faster there and slower from 2,000 files on.",
    "- **Profile** (`node --cpu-prof dist/src/checker/bin.js check` on the 8,000-file project, 10.6 s): finding callers 4.4 s (of which scanning file texts for the names of functions whose parameters reach a sink is most), walking files with ESLint's code path analysis 2.5 s, reading texts 1.0 s, garbage collection 0.9 s, loading the program 0.8 s. What dominated before (parsing every file of the program, 1.2 s of 4.1 s at 500 files, and a rule that analysed every file) was fixed before these figures were recorded. The next step would be an inverted index of the words in the program's files, built once, for the callers search.",
    "- **Correctness** is measured in the same run: the checker must report every planted unguarded mint (file and line) and nothing else in the generated code, which is otherwise correct (guarded on every path, across 1 to 4 files, with all three kinds of guard and every default, better-auth and jwt sink).",
  );
  out.push("", "## Guard micro-benchmark", "", `\`withinCeiling\` against a naive Set intersection, same input shapes (target: at most ${String(GUARD_TARGET)}x).`, "");
  out.push("| ceiling | shape | naive (ns) | withinCeiling (ns) | ratio |", "| ---: | --- | ---: | ---: | ---: |");
  for (const row of data.guard) out.push(`| ${String(row.ceiling)} | ${row.shape} | ${String(row.naiveNs)} | ${String(row.guardNs)} | ${f(row.ratio)} |`);
  out.push("");
  return `${out.join("\n")}\n`;
}
