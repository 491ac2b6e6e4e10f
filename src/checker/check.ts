import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { Project, ts } from "ts-morph";
import { ProgramFiles } from "./program-files.js";
import { Catalog, Composer, type Finding } from "../analysis/index.js";
import { formatMessage, messageData } from "../analysis/messages.js";
import { ConfigError, parseOptions } from "../config/schema.js";
import { fingerprint, readBaseline } from "./baseline.js";
import { UsageError } from "./errors.js";
import type { CheckFinding, CheckResult, TraceStep } from "./findings.js";
import { ProgramAnalysis, toRelative, type AnalyzedFile } from "./program.js";

export interface CheckOptions {
  /** Where relative paths start and what reported files are relative to. Default: the process's. */
  readonly cwd?: string;
  /** The tsconfig of the program. Default: `tsconfig.json` in `cwd`. */
  readonly project?: string;
  /** The configuration. Default: `scope-ceiling.config.json` next to the tsconfig, if there is one. */
  readonly config?: string;
  /** Check only these files or folders (the rest of the program is still read to follow calls). */
  readonly paths?: readonly string[];
  /** Findings recorded in this baseline are not reported. */
  readonly baseline?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

export const CONFIG_FILE = "scope-ceiling.config.json";

function loadConfig(path: string | undefined): { catalog: Catalog; baseDir: string; file: string | null } {
  if (!path) return { catalog: new Catalog({}), baseDir: process.cwd(), file: null };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`config ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `not valid JSON (${(error as Error).message})`}`);
  }
  try {
    return { catalog: new Catalog(parseOptions(json, `config ${path}`)), baseDir: dirname(path), file: path };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** The tsconfig's options and file list; no file is parsed yet (see ProgramFiles). */
function loadProject(tsconfig: string): ProgramFiles {
  if (!existsSync(tsconfig)) throw new UsageError(`tsconfig ${tsconfig}: no such file (pass --project)`);
  const problem = (diagnostic: ts.Diagnostic) => new UsageError(`tsconfig ${tsconfig}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`);
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw problem(diagnostic);
    },
  });
  const first = parsed?.errors.find((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (!parsed || first) throw first ? problem(first) : new UsageError(`tsconfig ${tsconfig}: cannot be read`);
  const project = new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
  return new ProgramFiles(project, parsed.fileNames.map((name) => resolve(name)));
}

function inScope(file: string, roots: readonly string[]): boolean {
  return roots.length === 0 || roots.some((root) => file === root || file.startsWith(root.endsWith(sep) ? root : root + sep));
}

/** Runs the whole-program check and returns the findings (nothing is printed). */
export function check(options: CheckOptions = {}): CheckResult {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const tsconfig = resolve(cwd, options.project ?? "tsconfig.json");
  const project = loadProject(tsconfig);
  const configPath = options.config ? resolve(cwd, options.config) : existsSync(join(dirname(tsconfig), CONFIG_FILE)) ? join(dirname(tsconfig), CONFIG_FILE) : undefined;
  const { catalog, baseDir } = loadConfig(configPath);
  const roots = (options.paths ?? []).map((path) => {
    const absolute = isAbsolute(path) ? path : resolve(cwd, path);
    if (!existsSync(absolute)) throw new UsageError(`path ${path}: no such file or folder`);
    return statSync(absolute).isDirectory() ? absolute.replace(/[\\/]$/, "") : absolute;
  });
  const baseline = options.baseline ? readBaseline(resolve(cwd, options.baseline)) : null;

  const files = project.paths.filter((path) => inScope(path, roots));
  const words = [...catalog.anchorWords];
  // Aliases of the grant types (`type Granted = GrantedScope`) can forge a grant under their own name.
  for (const path of project.paths) {
    const text = project.text(path);
    if (!text.includes("GrantedScope")) continue;
    for (const alias of text.matchAll(/\btype\s+([A-Za-z_$][\w$]*)\s*=\s*(?:[\w$]+\.)?GrantedScope(?:List)?\b/g)) if (alias[1]) words.push(alias[1]);
  }
  // Only files that can hold a sink, a guard call or a grant are parsed (with what they import).
  const candidates = files.filter((path) => words.some((word) => project.text(path).includes(word)));
  project.load(candidates);
  const program = new ProgramAnalysis(project, catalog, configPath ? baseDir : dirname(tsconfig));
  const analyzed: AnalyzedFile[] = [];
  const syntaxErrors: Unprinted[] = [];
  candidates.forEach((path, index) => {
    options.onProgress?.(index, candidates.length);
    const file = project.sourceFile(path);
    const first = file?.getProject().getProgram().compilerObject.getSyntacticDiagnostics(file.compilerNode)[0];
    if (file && first) {
      const { line, character } = file.compilerNode.getLineAndCharacterOfPosition(first.start);
      const message = `${toRelative(cwd, path)} has a syntax error (${ts.flattenDiagnosticMessageText(first.messageText, " ")}); its token writes were not checked`;
      syntaxErrors.push(finding("scope-ceiling/syntax", "syntaxError", message, toRelative(cwd, path), line + 1, character + 1, line + 1, character + 2, [], project.text(path).split("\n")[line] ?? ""));
      return;
    }
    analyzed.push(program.analyze(path));
  });
  options.onProgress?.(candidates.length, candidates.length);

  const evaluators = analyzed.flatMap((file) => (file.evaluator ? [file.evaluator] : []));
  const composed = new Composer(program).findings(evaluators);
  const byPath = new Map(analyzed.map((file) => [file.path, file]));
  const results: Unprinted[] = [...syntaxErrors];
  let suppressed = 0;
  const lineText = (path: string, line: number) => program.analyze(path).evaluator?.file.sourceCode.lines[line - 1] ?? "";

  for (const found of composed) {
    const path = program.pathOf(found.evaluator);
    const file = program.analyze(path);
    const { start, end } = found.node.loc;
    if (file.suppressions.lines.has(start.line)) {
      suppressed++;
      continue;
    }
    const trace: TraceStep[] = found.trace.map((hop) => ({
      file: toRelative(cwd, program.pathOf(hop.evaluator)),
      line: hop.node.loc.start.line,
      column: hop.node.loc.start.column + 1,
      note: hop.note,
    }));
    const message = formatMessage(found.messageId, messageData(found));
    results.push(finding("scope-ceiling/require-within-ceiling", found.messageId, message, toRelative(cwd, path), start.line, start.column + 1, end.line, end.column + 1, trace, lineText(path, start.line)));
  }
  for (const file of byPath.values()) {
    const relativePath = toRelative(cwd, file.path);
    for (const forged of file.forgedGrants) {
      results.push(finding("scope-ceiling/no-forged-grant", "forgedGrant", forged.message, relativePath, forged.line, forged.column, forged.endLine, forged.endColumn, [], lineText(file.path, forged.line)));
    }
    for (const directive of file.suppressions.withoutReason) {
      const message = formatMessage("suppressionWithoutReason", {});
      results.push(finding("scope-ceiling/suppression", "suppressionWithoutReason", message, relativePath, directive.line, directive.column, directive.endLine, directive.endColumn, [], lineText(file.path, directive.line)));
    }
  }

  results.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
  const withPrints = assignFingerprints(results);
  const reported = baseline ? withPrints.filter((result) => !baseline.has(result.fingerprint)) : withPrints;
  return {
    findings: reported,
    summary: {
      files: files.length,
      findings: reported.length,
      baselined: withPrints.length - reported.length,
      suppressed,
      durationMs: Math.round(performance.now() - started),
    },
  };
}

/** A finding before its fingerprint, which needs the whole list (equal lines are told apart by occurrence). */
type Unprinted = Omit<CheckFinding, "fingerprint"> & { readonly lineText: string };

function finding(
  ruleId: CheckFinding["ruleId"],
  messageId: string,
  message: string,
  file: string,
  line: number,
  column: number,
  endLine: number,
  endColumn: number,
  trace: readonly TraceStep[],
  lineText: string,
): Unprinted {
  return { ruleId, messageId, message, file, line, column, endLine, endColumn, trace, lineText };
}

function assignFingerprints(results: readonly Unprinted[]): CheckFinding[] {
  const seen = new Map<string, number>();
  return results.map(({ lineText, ...rest }) => {
    const parts = { ruleId: rest.ruleId, file: rest.file, messageId: rest.messageId, lineText };
    const first = fingerprint(parts, 0);
    const occurrence = seen.get(first) ?? 0;
    seen.set(first, occurrence + 1);
    return { ...rest, fingerprint: occurrence === 0 ? first : fingerprint(parts, occurrence) };
  });
}

export type { Finding };
