/** The whole-program checker's API: `import { check } from "scope-ceiling/checker"`. */
export { check, CONFIG_FILE, type CheckOptions } from "./check.js";
export { UsageError } from "./errors.js";
export { main } from "./cli.js";
export { REPORTERS, REPORTER_NAMES, type Reporter } from "./reporters/index.js";
export { readBaseline, writeBaseline } from "./baseline.js";
export type { CheckFinding, CheckResult, CheckSummary, TraceStep } from "./findings.js";
