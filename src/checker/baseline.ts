import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import type { CheckFinding } from "./findings.js";
import { UsageError } from "./errors.js";

/**
 * Fingerprints survive unrelated edits: they hash the rule, file, message and the flagged line's
 * text with whitespace normalized, not the line number; equal lines are told apart by occurrence.
 */
export function fingerprint(parts: { ruleId: string; file: string; messageId: string; lineText: string }, occurrence: number): string {
  const normalized = parts.lineText.trim().replace(/\s+/g, " ");
  return createHash("sha256").update([parts.ruleId, parts.file, parts.messageId, normalized, String(occurrence)].join("\0")).digest("hex").slice(0, 32);
}

interface BaselineFile {
  readonly version: 1;
  readonly findings: readonly { readonly fingerprint: string; readonly ruleId: string; readonly file: string; readonly message: string }[];
}

export function readBaseline(path: string): Set<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`baseline ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "not valid JSON"}`);
  }
  const file = parsed as { version?: unknown; findings?: unknown };
  const entries: unknown[] = Array.isArray(file.findings) ? (file.findings as unknown[]) : [];
  const prints = entries.map((entry) => (typeof entry === "object" && entry !== null ? (entry as { fingerprint?: unknown }).fingerprint : undefined));
  if (file.version !== 1 || !Array.isArray(file.findings) || !prints.every((print) => typeof print === "string")) {
    throw new UsageError(`baseline ${path}: not a scope-ceiling baseline (expected { "version": 1, "findings": [...] })`);
  }
  return new Set(prints);
}

export function writeBaseline(path: string, findings: readonly CheckFinding[]): void {
  const file: BaselineFile = {
    version: 1,
    findings: findings.map(({ fingerprint: print, ruleId, file: name, message }) => ({ fingerprint: print, ruleId, file: name, message })),
  };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}
