import type { CheckResult, CheckSummary } from "../findings.js";
import type { Reporter } from "./index.js";

/**
 * Plain text for terminals and CI logs, no colors:
 *
 *     src/token.ts:42:5  scope-ceiling/require-within-ceiling  <message>
 *         src/scope.ts:10  <note>
 *
 *     1 finding in 14 files (0 baselined, 0 suppressed)
 *
 * Findings keep the order the checker gave them.
 */
export const textReporter: Reporter = (result: CheckResult) => {
  const lines: string[] = [];
  for (const finding of result.findings) {
    lines.push(`${oneLine(finding.file)}:${finding.line}:${finding.column}  ${finding.ruleId}  ${oneLine(finding.message)}`);
    for (const step of finding.trace) {
      const note = oneLine(step.note);
      lines.push(`    ${oneLine(step.file)}:${step.line}${note === "" ? "" : `  ${note}`}`);
    }
  }
  if (lines.length > 0) lines.push("");
  lines.push(summaryLine(result.findings.length, result.summary));
  return `${lines.join("\n")}\n`;
};

function summaryLine(findings: number, summary: CheckSummary): string {
  const files = plural(summary.files, "file");
  const counts = `(${summary.baselined} baselined, ${summary.suppressed} suppressed)`;
  if (findings > 0) return `${plural(findings, "finding")} in ${files} ${counts}`;
  return summary.baselined > 0 || summary.suppressed > 0 ? `no findings in ${files} ${counts}` : `no findings in ${files}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * Keeps one finding on one line, and keeps control characters (a terminal escape in a file name
 * or message) from reaching the terminal: line breaks become spaces, other control characters
 * are written as `\uXXXX`.
 */
function oneLine(text: string): string {
  let out = "";
  for (const char of text.replace(/\r\n|[\n\r\u2028\u2029]/g, " ")) {
    const code = char.charCodeAt(0);
    const control = (code < 0x20 && char !== "\t") || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\u${code.toString(16).padStart(4, "0")}` : char;
  }
  return out;
}
