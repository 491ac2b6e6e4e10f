/**
 * Output formats of the checker. Each reporter renders a whole `CheckResult` to a string that
 * ends with a newline; none of them reads the file system or the environment.
 */
import type { CheckResult } from "../findings.js";
import { jsonReporter } from "./json.js";
import { sarifReporter } from "./sarif.js";
import { textReporter } from "./text.js";

/** What every reporter is told besides the result. */
export interface ReporterContext {
  /** The directory the findings' paths are relative to; SARIF's `%SRCROOT%`. */
  readonly cwd: string;
  /** The version of scope-ceiling that produced the result. */
  readonly toolVersion: string;
}

/** Renders a whole check result; the output ends with a newline. */
export type Reporter = (result: CheckResult, context: ReporterContext) => string;

export type ReporterName = "text" | "json" | "sarif";

export const REPORTER_NAMES: readonly ReporterName[] = ["text", "json", "sarif"];

export const REPORTERS: Record<ReporterName, Reporter> = Object.freeze({
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
});

/**
 * Whether `name` names a reporter. Use it before indexing `REPORTERS` with user input, so that
 * names such as `toString` or `__proto__` are not taken for reporters.
 */
export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(REPORTERS, name);
}

export { jsonReporter, sarifReporter, textReporter };
export { SARIF_FINGERPRINT_KEY, SARIF_INFORMATION_URI, SARIF_SCHEMA_URI } from "./sarif.js";
