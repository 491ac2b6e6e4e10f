import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { packageVersion } from "../package-version.js";
import { writeBaseline } from "./baseline.js";
import { check } from "./check.js";
import { UsageError } from "./errors.js";
import { isReporterName, REPORTER_NAMES, REPORTERS } from "./reporters/index.js";

const USAGE = `Usage: scope-ceiling check [paths...] [options]

Proves that every OAuth access token the program writes takes its scope from withinCeiling.

Options:
  --project FILE         the tsconfig of the program (default: tsconfig.json)
  --config FILE          the configuration (default: scope-ceiling.config.json next to the tsconfig)
  --format NAME          text (default), json or sarif
  --output FILE          write the report to FILE instead of standard output
  --baseline FILE        do not report findings recorded in FILE
  --write-baseline FILE  record the current findings in FILE (and exit 0)
  --quiet                no progress on standard error
  --debug                print the stack of an internal error
  -h, --help             this help
  -v, --version          the version

Exit codes: 0 no findings, 1 findings, 2 bad usage, bad configuration or internal error.`;

export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTTY: boolean;
  readonly cwd: string;
}

const PROCESS_IO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY,
  cwd: process.cwd(),
};


/** Runs the CLI; returns the exit code (the caller sets process.exitCode). */
export function main(argv: readonly string[], io: CliIO = PROCESS_IO): number {
  let debug = argv.includes("--debug");
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        project: { type: "string" },
        config: { type: "string" },
        format: { type: "string", default: "text" },
        output: { type: "string" },
        baseline: { type: "string" },
        "write-baseline": { type: "string" },
        quiet: { type: "boolean", default: false },
        debug: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false },
      },
    });
    debug = values.debug;
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (values.version) {
      io.stdout(`${packageVersion()}\n`);
      return 0;
    }
    const [command, ...paths] = positionals;
    if (command !== "check") throw new UsageError(command === undefined ? "missing command: try `scope-ceiling check`" : `unknown command "${command}": try \`scope-ceiling check\``);
    const format = values.format;
    if (!isReporterName(format)) throw new UsageError(`unknown format "${format}": use ${REPORTER_NAMES.join(", ")}`);

    const showProgress = io.isTTY && !values.quiet;
    const result = check({
      cwd: io.cwd,
      paths,
      ...(values.project === undefined ? {} : { project: values.project }),
      ...(values.config === undefined ? {} : { config: values.config }),
      ...(values.baseline === undefined ? {} : { baseline: values.baseline }),
      ...(showProgress
        ? {
            onProgress: (done: number, total: number) => {
              io.stderr(`\rscope-ceiling: ${String(done)}/${String(total)} files`);
            },
          }
        : {}),
    });
    if (showProgress) io.stderr("\r\u001b[K");

    if (values["write-baseline"] !== undefined) {
      const path = resolve(io.cwd, values["write-baseline"]);
      writeBaseline(path, result.findings);
      io.stderr(`scope-ceiling: recorded ${String(result.findings.length)} finding${result.findings.length === 1 ? "" : "s"} in ${values["write-baseline"]}\n`);
      return 0;
    }
    const report = REPORTERS[format](result, { cwd: io.cwd, toolVersion: packageVersion() });
    if (values.output === undefined) io.stdout(report);
    else {
      const path = resolve(io.cwd, values.output);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, report);
    }
    return result.findings.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`scope-ceiling: ${error.message}\n`);
      return 2;
    }
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`scope-ceiling: ${error.message.split("\n")[0] ?? "bad arguments"} (see --help)\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    io.stderr(`scope-ceiling: internal error: ${message ?? ""}${debug ? "" : " (run with --debug for details)"}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return 2;
  }
}
