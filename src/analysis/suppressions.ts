import type { TSESLint } from "@typescript-eslint/utils";

/**
 * `// scope-ceiling-ignore-next-line -- <reason>` silences the findings of the next line, for the
 * rule and the checker alike. The reason is required: a suppression without one is a finding itself.
 */
const DIRECTIVE = /^\s*scope-ceiling-ignore-next-line\b(.*)$/s;

export interface Suppressions {
  /** Lines (1-based) whose findings are silenced. */
  readonly lines: ReadonlySet<number>;
  /** Directives that give no reason, by their line. */
  readonly withoutReason: readonly { readonly line: number; readonly column: number; readonly endLine: number; readonly endColumn: number }[];
}

export function findSuppressions(sourceCode: Readonly<TSESLint.SourceCode>): Suppressions {
  const lines = new Set<number>();
  const withoutReason: Suppressions["withoutReason"][number][] = [];
  for (const comment of sourceCode.getAllComments()) {
    const match = DIRECTIVE.exec(comment.value);
    if (!match) continue;
    const reason = /^\s*--\s*(\S.*)$/s.exec(match[1] ?? "");
    if (reason) lines.add(comment.loc.end.line + 1);
    else withoutReason.push({ line: comment.loc.start.line, column: comment.loc.start.column + 1, endLine: comment.loc.end.line, endColumn: comment.loc.end.column + 1 });
  }
  return { lines, withoutReason };
}
