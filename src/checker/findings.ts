/**
 * What the checker reports, independent of the output format. Paths are relative to the working
 * directory and `/`-separated; lines and columns are 1-based.
 */
export interface TraceStep {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly note: string;
}

export interface CheckFinding {
  readonly ruleId: "scope-ceiling/require-within-ceiling" | "scope-ceiling/no-forged-grant" | "scope-ceiling/suppression" | "scope-ceiling/syntax";
  readonly messageId: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly trace: readonly TraceStep[];
  /** Stable across unrelated edits: rule, file, message and the normalized text of the flagged line. */
  readonly fingerprint: string;
}

export interface CheckSummary {
  readonly files: number;
  readonly findings: number;
  /** Findings recorded in the baseline and therefore not reported. */
  readonly baselined: number;
  readonly suppressed: number;
  readonly durationMs: number;
}

export interface CheckResult {
  readonly findings: readonly CheckFinding[];
  readonly summary: CheckSummary;
}

/** Rule metadata for reporters (SARIF's tool.driver.rules). */
export interface RuleDescription {
  readonly id: CheckFinding["ruleId"];
  readonly name: string;
  readonly shortDescription: string;
  readonly fullDescription: string;
  readonly helpUri: string;
  readonly help: string;
}

export const RULE_DESCRIPTIONS: readonly RuleDescription[] = [
  {
    id: "scope-ceiling/require-within-ceiling",
    name: "RequireWithinCeiling",
    shortDescription: "An access token is written with a scope not proven to come from withinCeiling.",
    fullDescription:
      "Every call that writes an OAuth access token must take its scope from withinCeiling (or a configured guard) on every path, so that the token never carries a scope outside the client application's ceiling.",
    helpUri: "https://github.com/scope-ceiling/scope-ceiling/blob/main/docs/rules/require-within-ceiling.md",
    help: "Pass the requested scope through withinCeiling(requested, { ceiling }) before writing the token, on every path; on refresh pass the original grant as `original`. Literals and defaults go through the guard too.",
  },
  {
    id: "scope-ceiling/no-forged-grant",
    name: "NoForgedGrant",
    shortDescription: "A type assertion forges a GrantedScope.",
    fullDescription: "Only withinCeiling may produce a GrantedScope or GrantedScopeList; a type assertion to one makes raw input look like a grant.",
    helpUri: "https://github.com/scope-ceiling/scope-ceiling/blob/main/docs/rules/no-forged-grant.md",
    help: "Remove the assertion and pass the value through withinCeiling.",
  },
  {
    id: "scope-ceiling/suppression",
    name: "SuppressionWithoutReason",
    shortDescription: "A scope-ceiling-ignore-next-line comment gives no reason.",
    fullDescription: "Suppressing a finding needs a reason after `--`, so that reviewers can judge it.",
    helpUri: "https://github.com/scope-ceiling/scope-ceiling/blob/main/docs/checker.md#suppressions",
    help: "Write `// scope-ceiling-ignore-next-line -- <why this token's scope is safe>`.",
  },
  {
    id: "scope-ceiling/syntax",
    name: "SyntaxError",
    shortDescription: "A file could not be parsed, so it was not checked.",
    fullDescription: "The checker reports files with syntax errors and checks the rest of the program.",
    helpUri: "https://github.com/scope-ceiling/scope-ceiling/blob/main/docs/checker.md",
    help: "Fix the syntax error; the file's token writes are unchecked until then.",
  },
];
