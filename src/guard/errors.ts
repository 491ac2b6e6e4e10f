/** The OAuth error codes the guard answers with (RFC 6749 sections 5.2 and 6). */
export type ScopeErrorCode = "invalid_scope" | "invalid_grant";

/** Why a request was refused. Stable strings: log and branch on them. */
export type ScopeErrorReason =
  | "malformed"
  | "missing"
  | "forbidden"
  | "outside-ceiling"
  | "not-originally-granted"
  | "nothing-left";

const DESCRIPTIONS: Record<ScopeErrorReason, string> = {
  malformed: "The requested scope is malformed",
  missing: "No scope was requested and the client has no default scope",
  forbidden: "The requested scope includes a scope that is never granted",
  "outside-ceiling": "The requested scope exceeds the scope allowed for this client",
  "not-originally-granted": "The requested scope exceeds the scope originally granted",
  "nothing-left": "None of the originally granted scope is still allowed for this client; re-authorization is required",
};

/** How many offending scopes the description names before it says "and N more". */
const NAMED_IN_DESCRIPTION = 10;

/** RFC 6749 section 5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIPTION_UNSAFE = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

function describe(reason: ScopeErrorReason, offending: readonly string[]): string {
  const base = DESCRIPTIONS[reason];
  if (offending.length === 0) return base;
  const named = offending.slice(0, NAMED_IN_DESCRIPTION).join(" ");
  const more = offending.length > NAMED_IN_DESCRIPTION ? ` and ${String(offending.length - NAMED_IN_DESCRIPTION)} more` : "";
  // Offending scopes are valid scope-tokens, which are already within the allowed set;
  // the replace is a second line of defence, not the primary guarantee.
  return `${base}: ${named}${more}`.replace(DESCRIPTION_UNSAFE, "?");
}

/**
 * A client's request was refused. Carries what an OAuth token endpoint needs to answer:
 * `error`, `status` (always 400 here) and, through `toJSON()`, the RFC 6749 section 5.2 body.
 */
export class ScopeError extends Error {
  override readonly name = "ScopeError";
  readonly error: ScopeErrorCode;
  readonly status = 400 as const;
  readonly reason: ScopeErrorReason;
  /** The scopes that caused the refusal, de-duplicated, in request order (empty for malformed, missing, nothing-left). */
  readonly offending: readonly string[];

  constructor(error: ScopeErrorCode, reason: ScopeErrorReason, offending: readonly string[] = []) {
    const frozen = Object.freeze([...offending]);
    super(describe(reason, frozen));
    this.error = error;
    this.reason = reason;
    this.offending = frozen;
  }

  /** The JSON body of an RFC 6749 section 5.2 error response. */
  toJSON(): { error: ScopeErrorCode; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}

/**
 * The server's own configuration is wrong (a bad ceiling, an unknown strategy, ...).
 * A programmer error, so it is a `TypeError` and never a `ScopeError`: it must not be
 * answered to the client as if the client had asked for something wrong.
 */
export class ScopeConfigError extends TypeError {
  override readonly name = "ScopeConfigError";
}
