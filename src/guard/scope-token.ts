import { ScopeConfigError, ScopeError } from "./errors.js";

/** RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** RFC 6749 section 3.3: scope = scope-token *( SP scope-token ). */
const SCOPE_STRING = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;
/** The whitespace configuration may be split and trimmed on: space, tab, CR, LF. */
const CONFIG_SPACE = /[ \t\r\n]+/;
const CONFIG_TRIM = /^[ \t\r\n]+|[ \t\r\n]+$/g;

export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

/** Exactly an RFC 6749 scope string: tokens separated by single spaces, nothing around them. */
export function isScopeString(value: string): boolean {
  return SCOPE_STRING.test(value);
}

/** Removes duplicates, keeping the first occurrence's position. May return its argument. */
export function uniqueInOrder(scopes: string[]): string[] {
  // Requests are short: a quadratic scan allocates nothing and beats a Set below a few dozen.
  if (scopes.length > 32) return [...new Set(scopes)];
  for (let index = 1; index < scopes.length; index++) {
    const scope = scopes[index];
    if (scope !== undefined && scopes.lastIndexOf(scope, index - 1) >= 0) {
      return scopes.filter((scope, position) => scopes.indexOf(scope) === position);
    }
  }
  return scopes;
}

/**
 * Parses client input. Returns `null` when the request names no scope
 * (`undefined`, `null`, `""`, `[]`); throws `invalid_scope`/`malformed` for anything
 * that is not exactly an RFC 6749 scope string or an array of scope-tokens.
 * The raw input is never put into the error.
 */
export function parseRequestedScope(input: unknown): string[] | null {
  if (input === undefined || input === null || input === "") return null;
  if (typeof input === "string") {
    if (!SCOPE_STRING.test(input)) throw new ScopeError("invalid_scope", "malformed");
    return uniqueInOrder(input.split(" "));
  }
  if (Array.isArray(input)) {
    if (input.length === 0) return null;
    const scopes: string[] = [];
    // Holes in a sparse array iterate as undefined and are rejected with the rest.
    for (const entry of input as readonly unknown[]) {
      if (typeof entry !== "string" || !SCOPE_TOKEN.test(entry)) {
        throw new ScopeError("invalid_scope", "malformed");
      }
      scopes.push(entry);
    }
    return uniqueInOrder(scopes);
  }
  throw new ScopeError("invalid_scope", "malformed");
}

/**
 * Parses server configuration (ceiling, carve-out, forbidden, default scopes, original):
 * a string is split on runs of whitespace, entries are trimmed and blank ones dropped,
 * and what remains must be a scope-token. Anything else is a programmer error.
 * Returns an insertion-ordered set: de-duplicated, first occurrence first.
 */
export function parseConfiguredScopes(input: unknown, option: string): Set<string> {
  let parts: readonly unknown[];
  if (typeof input === "string") parts = input.split(CONFIG_SPACE);
  else if (Array.isArray(input)) parts = input as readonly unknown[];
  else throw new ScopeConfigError(`scope-ceiling: option "${option}" must be a string or an array of strings`);
  const scopes = new Set<string>();
  for (const part of parts) {
    if (typeof part !== "string") {
      throw new ScopeConfigError(`scope-ceiling: option "${option}" must hold only strings`);
    }
    // Fast path: an entry that is already a scope-token has nothing to trim.
    if (SCOPE_TOKEN.test(part)) {
      scopes.add(part);
      continue;
    }
    const trimmed = part.replace(CONFIG_TRIM, "");
    if (trimmed === "") continue;
    if (!SCOPE_TOKEN.test(trimmed)) {
      throw new ScopeConfigError(
        `scope-ceiling: option "${option}" holds ${JSON.stringify(trimmed.slice(0, 64))}, which is not an RFC 6749 scope-token`,
      );
    }
    scopes.add(trimmed);
  }
  return scopes;
}
