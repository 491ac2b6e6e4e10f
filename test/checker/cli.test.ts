import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/checker/index.js";
import { FIXTURES, ROOT } from "../harness/expectations.js";

const scratch = mkdtempSync(join(tmpdir(), "scope-ceiling-cli-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], cwd: string, isTTY = false): Run {
  let stdout = "";
  let stderr = "";
  const code = main(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), isTTY, cwd });
  return { code, stdout, stderr };
}

const TSCONFIG = JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ["**/*.ts"] });

/** A small project in a fresh folder: file name → content. */
function project(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  if (!("tsconfig.json" in files)) writeFileSync(join(dir, "tsconfig.json"), TSCONFIG);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

const MINT_RAW = `export async function exchange(req: { body: { scope: string } }) {\n  await OAuthAccessToken.create({ scope: req.body.scope });\n}\ndeclare const OAuthAccessToken: { create(values: object): Promise<void> };\n`;
const MINT_GUARDED = `import { withinCeiling } from "scope-ceiling";\nexport async function exchange(req: { body: { scope: string } }, ceiling: string[]) {\n  await OAuthAccessToken.create({ scope: withinCeiling(req.body.scope, { ceiling }) });\n}\ndeclare const OAuthAccessToken: { create(values: object): Promise<void> };\n`;

describe("exit codes and usage", () => {
  it("prints help and the version with exit 0", () => {
    expect(run(["--help"], scratch)).toMatchObject({ code: 0, stdout: expect.stringContaining("Usage: scope-ceiling check") as unknown });
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(run(["--version"], scratch).stdout).toBe(`${manifest.version}\n`);
  });

  it.each([
    [[], "missing command"],
    [["lint"], 'unknown command "lint"'],
    [["check", "--frobnicate"], "--frobnicate"],
    [["check", "--format", "xml"], 'unknown format "xml"'],
    [["check", "--format", "toString"], 'unknown format "toString"'],
  ])("exits 2 with one line for bad usage: %j", (args, text) => {
    const result = run(args, project("usage", { "a.ts": MINT_GUARDED }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(text);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toBe("");
  });

  it("exits 0 with no findings, 1 with findings", () => {
    expect(run(["check"], project("clean", { "a.ts": MINT_GUARDED })).code).toBe(0);
    const dirty = run(["check"], project("dirty", { "a.ts": MINT_RAW }));
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toContain("a.ts:2:42  scope-ceiling/require-within-ceiling  The scope written by OAuthAccessToken.create");
  });

  it("exits 2 naming the file for a missing tsconfig", () => {
    const result = run(["check", "--project", "nope/tsconfig.json"], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^scope-ceiling: tsconfig .*nope\/tsconfig\.json: no such file/);
  });

  it("exits 2 for a broken tsconfig", () => {
    const result = run(["check"], project("broken-tsconfig", { "tsconfig.json": "{ compilerOptions: ", "a.ts": MINT_RAW }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^scope-ceiling: tsconfig .*tsconfig\.json: /);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 naming the config file and the wrong key", () => {
    const dir = project("bad-config", { "a.ts": MINT_RAW, "scope-ceiling.config.json": JSON.stringify({ sinks: [{ callee: "X.create", scope: "0.scope", wher: {} }] }) });
    const result = run(["check"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`scope-ceiling: config ${join(dir, "scope-ceiling.config.json")}: sinks.0: unknown key "wher"\n`);
  });

  it("exits 2 for a config that is not JSON, and for a path that does not exist", () => {
    const dir = project("not-json-config", { "a.ts": MINT_RAW, "scope-ceiling.config.json": "{ presets: [" });
    expect(run(["check"], dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/config .*: not valid JSON/) as unknown });
    expect(run(["check", "missing-folder"], project("paths", { "a.ts": MINT_RAW }))).toMatchObject({ code: 2, stderr: "scope-ceiling: path missing-folder: no such file or folder\n" });
  });

  it("reports a file with a syntax error and still checks the rest", () => {
    // The checker reads the files that can write a token; a broken one is reported, not skipped silently.
    const broken = "export async function mint(scope: string) {\n  await OAuthAccessToken.create({ scope }\n}\n";
    const result = run(["check", "--format", "json"], project("syntax", { "broken.ts": broken, "a.ts": MINT_RAW }));
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { findings: { ruleId: string; file: string; line: number }[] };
    expect(report.findings.map(({ ruleId, file }) => ({ ruleId, file }))).toEqual([
      { ruleId: "scope-ceiling/require-within-ceiling", file: "a.ts" },
      { ruleId: "scope-ceiling/syntax", file: "broken.ts" },
    ]);
  });

  it("checks only the given paths", () => {
    const dir = project("only-paths", { "src/a.ts": MINT_RAW, "scripts/b.ts": MINT_RAW });
    const result = run(["check", "src", "--format", "json"], dir);
    expect((JSON.parse(result.stdout) as { findings: { file: string }[] }).findings.map((finding) => finding.file)).toEqual(["src/a.ts"]);
  });

  it("never prints a stack trace from the real binary, and exits 2", () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [join(ROOT, "dist/src/checker/bin.js"), "check", "--project", "missing.json"], { cwd: scratch, encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(2);
    expect(failure?.stderr).not.toMatch(/\n\s+at /);
    expect(failure?.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("output formats on fixtures/provisioning", () => {
  const args = ["check", "--project", "provisioning/tsconfig.json"];

  it("text: file:line:column  ruleId  message, the trace, a summary", () => {
    const { code, stdout } = run(args, FIXTURES);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^provisioning\/consent\.incorrect\.ts:\d+:\d+ {2}scope-ceiling\/require-within-ceiling {2}The scope written by /m);
    expect(stdout).toMatch(/^ {4}provisioning\/[\w.-]+\.ts:\d+ {2}\S/m);
    expect(stdout.trimEnd().split("\n").at(-1)).toMatch(/^7 findings in 8 files/);
  });

  it("json: version 1, findings with 1-based positions and traces, a summary", () => {
    const report = JSON.parse(run([...args, "--format", "json"], FIXTURES).stdout) as {
      version: number;
      findings: { ruleId: string; messageId: string; file: string; line: number; column: number; endLine: number; endColumn: number; trace: { file: string; line: number; column: number; note: string }[] }[];
      summary: { files: number; findings: number };
    };
    expect(report.version).toBe(1);
    expect(report.summary).toMatchObject({ files: 8, findings: 7 });
    for (const finding of report.findings) {
      expect(finding.file).toMatch(/^provisioning\/[\w.-]+\.ts$/);
      expect(finding.line).toBeGreaterThan(0);
      expect(finding.column).toBeGreaterThan(0);
      for (const hop of finding.trace) expect(hop.file).toMatch(/^provisioning\//);
    }
    expect(report.findings.some((finding) => finding.trace.length > 0)).toBe(true);
  });

  it("sarif: valid SARIF 2.1.0 written with --output", () => {
    const output = join(scratch, "out", "report.sarif");
    expect(run([...args, "--format", "sarif", "--output", output], FIXTURES)).toMatchObject({ code: 1, stdout: "" });
    const sarif: unknown = JSON.parse(readFileSync(output, "utf8"));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, "test/checker/data/sarif-2.1.0.schema.json"), "utf8")) as object);
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const results = (sarif as { runs: { results: { codeFlows?: unknown[]; partialFingerprints: Record<string, string> }[] }[] }).runs[0]?.results ?? [];
    expect(results).toHaveLength(7);
    expect(results.some((result) => result.codeFlows)).toBe(true);
  });

  it("shows progress only on a terminal, and not with --quiet", () => {
    expect(run(args, FIXTURES, true).stderr).toMatch(/scope-ceiling: (\d+)\/\1 files/);
    expect(run([...args, "--quiet"], FIXTURES, true).stderr).toBe("");
    expect(run(args, FIXTURES, false).stderr).toBe("");
  });
});

describe("baseline and suppressions", () => {
  it("round trip: recorded findings are not reported, new ones are, and unrelated edits keep fingerprints", () => {
    const dir = project("baseline", { "a.ts": MINT_RAW });
    expect(run(["check", "--write-baseline", "baseline.json"], dir).code).toBe(0);
    const baseline = JSON.parse(readFileSync(join(dir, "baseline.json"), "utf8")) as { version: number; findings: unknown[] };
    expect(baseline).toMatchObject({ version: 1 });
    expect(baseline.findings).toHaveLength(1);
    expect(run(["check", "--baseline", "baseline.json"], dir)).toMatchObject({ code: 0, stdout: expect.stringContaining("1 baselined") as unknown });

    // Lines inserted above move the finding but keep its fingerprint.
    writeFileSync(join(dir, "a.ts"), `// a new header\n\n${MINT_RAW}`);
    expect(run(["check", "--baseline", "baseline.json"], dir).code).toBe(0);

    writeFileSync(join(dir, "b.ts"), MINT_RAW.replace("exchange", "refresh"));
    const json = run(["check", "--baseline", "baseline.json", "--format", "json"], dir);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { findings: { file: string }[] }).findings.map((finding) => finding.file)).toEqual(["b.ts"]);
  });

  it("exits 2 for a baseline that is missing or not a baseline", () => {
    const dir = project("bad-baseline", { "a.ts": MINT_RAW, "other.json": "[]" });
    expect(run(["check", "--baseline", "none.json"], dir)).toMatchObject({ code: 2, stderr: "scope-ceiling: baseline " + join(dir, "none.json") + ": no such file\n" });
    expect(run(["check", "--baseline", "other.json"], dir).stderr).toContain("not a scope-ceiling baseline");
  });

  it("honours a suppression with a reason and reports one without", () => {
    const suppressed = MINT_RAW.replace("  await", "  // scope-ceiling-ignore-next-line -- reviewed: test tenant only\n  await");
    expect(run(["check"], project("suppressed", { "a.ts": suppressed }))).toMatchObject({ code: 0, stdout: expect.stringContaining("1 suppressed") as unknown });
    const bare = MINT_RAW.replace("  await", "  // scope-ceiling-ignore-next-line\n  await");
    const result = run(["check", "--format", "json"], project("bare-suppression", { "a.ts": bare }));
    expect((JSON.parse(result.stdout) as { findings: { ruleId: string; line: number }[] }).findings.map(({ ruleId, line }) => ({ ruleId, line }))).toEqual([
      { ruleId: "scope-ceiling/suppression", line: 2 },
      { ruleId: "scope-ceiling/require-within-ceiling", line: 3 },
    ]);
  });
});

describe("type-aware sinks", () => {
  it("finds TypeORM-style repositories by their receiver type", () => {
    const dir = project("typeorm", {
      "scope-ceiling.config.json": JSON.stringify({ sinks: [{ callee: "**.save", receiverType: "Repository<OAuthAccessToken>", scope: "0.scope" }] }),
      "entities.ts": `export class OAuthAccessToken { scope = ""; }\nexport class AuditEntry { scope = ""; }\nexport declare class Repository<T> { save(entity: Partial<T>): Promise<T>; }\n`,
      "tokens.ts": [
        `import { withinCeiling } from "scope-ceiling";`,
        `import { AuditEntry, OAuthAccessToken, Repository } from "./entities";`,
        `export async function mint(tokens: Repository<OAuthAccessToken>, audit: Repository<AuditEntry>, body: { scope: string }, ceiling: string[]) {`,
        `  await audit.save({ scope: body.scope });`,
        `  await tokens.save({ scope: withinCeiling(body.scope, { ceiling }) });`,
        `  await tokens.save({ scope: body.scope });`,
        `}`,
        ``,
      ].join("\n"),
    });
    const result = run(["check", "--format", "json"], dir);
    expect((JSON.parse(result.stdout) as { findings: { file: string; line: number }[] }).findings.map(({ file, line }) => `${file}:${String(line)}`)).toEqual(["tokens.ts:6"]);
  });
});
