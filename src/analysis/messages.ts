import type { Finding } from "./compose.js";

/** The messages of `require-within-ceiling`, shared by the ESLint rule and the checker. */
export const MESSAGES = {
  unguardedScope: "The scope written by {{sink}} is not proven to come from withinCeiling: {{reason}}.",
  missingScope: "{{sink}} writes no visible scope: {{reason}}.",
  unusedGuardResult: "The scope returned by {{guard}} is discarded: write the token's scope from its return value, not from the raw request.",
  suppressionWithoutReason: "A scope-ceiling-ignore-next-line comment needs a reason: `// scope-ceiling-ignore-next-line -- <why this scope is safe>`.",
} as const;

export type RequireWithinCeilingMessageId = keyof typeof MESSAGES;

/** The placeholders of a finding's message. */
export function messageData(finding: Finding): Record<string, string> {
  if (finding.messageId === "unusedGuardResult") return { guard: finding.sink };
  // Say where the proof breaks when that is elsewhere in the file: the definition, the helper, the caller.
  const line = finding.node.loc.start.line;
  const origin = finding.trace.find((hop) => hop.kind !== "parameter" && hop.kind !== "sink" && hop.evaluator === finding.evaluator && hop.node.loc.start.line !== line);
  const where = origin ? ` (line ${String(origin.node.loc.start.line)})` : "";
  return { sink: finding.sink, reason: finding.reason + where };
}

export function formatMessage(messageId: RequireWithinCeilingMessageId, data: Record<string, string>): string {
  return MESSAGES[messageId].replace(/\{\{(\w+)\}\}/g, (_, key: string) => data[key] ?? "");
}
