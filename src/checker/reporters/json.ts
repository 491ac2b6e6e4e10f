import type { CheckFinding, CheckResult, CheckSummary, TraceStep } from "../findings.js";
import type { Reporter } from "./index.js";

/** The machine-readable format, version 1. The fingerprint is left out (SARIF carries it). */
export interface JsonReport {
  readonly version: 1;
  readonly findings: readonly JsonFinding[];
  readonly summary: CheckSummary;
}

export type JsonFinding = Omit<CheckFinding, "fingerprint">;

export const jsonReporter: Reporter = (result: CheckResult) => {
  const report: JsonReport = {
    version: 1,
    findings: result.findings.map(toJsonFinding),
    summary: {
      files: result.summary.files,
      findings: result.summary.findings,
      baselined: result.summary.baselined,
      suppressed: result.summary.suppressed,
      durationMs: result.summary.durationMs,
    },
  };
  return `${JSON.stringify(report, null, 2)}\n`;
};

/** Copies the fields one by one, so the output's keys and their order do not depend on the input object. */
function toJsonFinding(finding: CheckFinding): JsonFinding {
  return {
    ruleId: finding.ruleId,
    messageId: finding.messageId,
    message: finding.message,
    file: finding.file,
    line: finding.line,
    column: finding.column,
    endLine: finding.endLine,
    endColumn: finding.endColumn,
    trace: finding.trace.map(toJsonStep),
  };
}

function toJsonStep(step: TraceStep): TraceStep {
  return { file: step.file, line: step.line, column: step.column, note: step.note };
}
