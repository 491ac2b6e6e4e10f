import { ScopeConfigError } from "./errors.js";
import { compileMatcher, isMatchStrategy, isWildcardPattern, type CeilingMatcher, type MatchStrategy } from "./match.js";
import { parseConfiguredScopes } from "./scope-token.js";

/** Scopes granted whatever the ceiling says, as long as the client asks for them: OpenID Connect's basic scopes. */
export const OIDC_SCOPES: readonly string[] = Object.freeze(["openid", "profile", "email"]);
/** The default carve-out: the OIDC scopes plus `introspection`. */
export const DEFAULT_CARVE_OUT: readonly string[] = Object.freeze([...OIDC_SCOPES, "introspection"]);
const DEFAULT_CARVE_OUT_SET: ReadonlySet<string> = new Set(DEFAULT_CARVE_OUT);
const DEFAULT_FORBIDDEN_SET: ReadonlySet<string> = new Set(["*"]);

export type ScopeInput = string | readonly string[];
export type ExcessPolicy = "reject" | "narrow";

export interface ScopeDecision {
  readonly mode: "issue" | "refresh";
  /** The scopes the client named, parsed; `null` when it named none or its input was malformed. */
  readonly requested: string[] | null;
  readonly granted: string[];
  /** Scopes left out of the grant without refusing it (narrow mode, or a refresh after the ceiling shrank). */
  readonly dropped: string[];
  readonly outcome: "granted" | "rejected";
  readonly error?: { readonly error: string; readonly reason: string; readonly offending: readonly string[] };
}

export interface WithinCeilingOptions {
  /** The client application's allowed scopes. Required: a missing ceiling is a bug, not "no limit". */
  readonly ceiling: ScopeInput;
  /** Always allowed when requested, by exact match. Default `DEFAULT_CARVE_OUT`; `[]` disables it. */
  readonly carveOut?: ScopeInput | undefined;
  /** What to do with requested scopes outside the ceiling: refuse the request (default) or drop them. */
  readonly onExcess?: ExcessPolicy | undefined;
  /** Used when an issuance request names no scope; `"ceiling"` means the ceiling's entries. */
  readonly defaultScopes?: ScopeInput | undefined;
  /** The scope granted with the refresh token. Present means this call is a refresh (RFC 6749 section 6). */
  readonly original?: ScopeInput | null | undefined;
  /** How a ceiling entry admits a requested scope. Default `"exact"`. */
  readonly match?: MatchStrategy | undefined;
  /** Never granted, whatever the ceiling says. Default `["*"]`. */
  readonly forbidden?: ScopeInput | undefined;
  /** Audit hook, called once per call (not for configuration errors). If it throws, no scope is returned. */
  readonly onDecision?: ((decision: ScopeDecision) => void) | undefined;
}

/** Configuration after validation: everything the decision needs, nothing that can still be wrong. */
export interface ResolvedOptions {
  readonly isAllowed: CeilingMatcher;
  readonly carveOut: ReadonlySet<string>;
  readonly forbidden: ReadonlySet<string>;
  readonly onExcess: ExcessPolicy;
  /** Empty means "no default". */
  readonly defaultScopes: ReadonlySet<string>;
  /** `null`: not a refresh. Insertion-ordered, as granted. */
  readonly original: ReadonlySet<string> | null;
  readonly onDecision: ((decision: ScopeDecision) => void) | undefined;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(["ceiling", "carveOut", "onExcess", "defaultScopes", "original", "match", "forbidden", "onDecision"]);

/*
 * Servers have few distinct ceilings and read them on every request, so parsed configuration
 * is cached by content (bounded). A string is its own key. An array is looked up by its first
 * entry and then compared entry by entry with the copy that was parsed, so a hit is exactly
 * the same configuration, and a long list is never hashed or joined.
 */
const CACHE_LIMIT = 1024;
const BUCKET_LIMIT = 32;
const parsedStrings = new Map<string, ReadonlySet<string>>();
const parsedArrays = new Map<unknown, { readonly entries: readonly unknown[]; readonly scopes: ReadonlySet<string> }[]>();
const matchers = new WeakMap<ReadonlySet<string>, Map<MatchStrategy, CeilingMatcher>>();
const NO_SCOPES: ReadonlySet<string> = new Set();

function sameEntries(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function parseScopes(input: unknown, option: string): ReadonlySet<string> {
  if (typeof input === "string") {
    return parsedStrings.get(input) ?? remember(parsedStrings, input, parseConfiguredScopes(input, option));
  }
  if (!Array.isArray(input)) return parseConfiguredScopes(input, option);
  const entries = input as readonly unknown[];
  const bucket = parsedArrays.get(entries[0]) ?? remember(parsedArrays, entries[0], []);
  const hit = bucket.find((parsed) => sameEntries(parsed.entries, entries));
  if (hit !== undefined) return hit.scopes;
  // Parse before remembering: a configuration error must not be cached.
  const scopes = parseConfiguredScopes(entries, option);
  if (bucket.length >= BUCKET_LIMIT) bucket.length = 0;
  bucket.push({ entries: [...entries], scopes });
  return scopes;
}

function matcherFor(ceiling: ReadonlySet<string>, strategy: MatchStrategy): CeilingMatcher {
  let byStrategy = matchers.get(ceiling);
  if (byStrategy === undefined) {
    byStrategy = new Map();
    matchers.set(ceiling, byStrategy);
  }
  let matcher = byStrategy.get(strategy);
  if (matcher === undefined) {
    matcher = compileMatcher(ceiling, strategy);
    byStrategy.set(strategy, matcher);
  }
  return matcher;
}

function fail(message: string): never {
  throw new ScopeConfigError(`scope-ceiling: ${message}`);
}

/** Validates every option before the request is looked at; throws `ScopeConfigError` on the first problem. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    fail("withinCeiling needs an options object with at least a ceiling");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(`unknown option ${JSON.stringify(key)}`);
  }
  const given = options as Partial<Record<keyof WithinCeilingOptions, unknown>>;

  if (given.ceiling === undefined || given.ceiling === null) {
    fail('option "ceiling" is missing; pass the client application\'s allowed scopes ([] grants only the carve-out)');
  }
  const ceiling = parseScopes(given.ceiling, "ceiling");
  const carveOut = given.carveOut === undefined ? DEFAULT_CARVE_OUT_SET : parseScopes(given.carveOut, "carveOut");
  const forbidden = given.forbidden === undefined ? DEFAULT_FORBIDDEN_SET : parseScopes(given.forbidden, "forbidden");
  for (const scope of forbidden) {
    if (carveOut.has(scope)) fail(`scope ${JSON.stringify(scope)} is both forbidden and in the carve-out`);
  }

  const strategy = given.match ?? "exact";
  if (!isMatchStrategy(strategy)) {
    fail('option "match" must be "exact", "write-implies-read", "hierarchic", "wildcard" or a function');
  }
  const onExcess = given.onExcess ?? "reject";
  if (onExcess !== "reject" && onExcess !== "narrow") fail('option "onExcess" must be "reject" or "narrow"');
  const onDecision = given.onDecision;
  if (onDecision !== undefined && typeof onDecision !== "function") fail('option "onDecision" must be a function');

  let defaultScopes = NO_SCOPES;
  if (given.defaultScopes === "ceiling") {
    if (strategy === "wildcard" && [...ceiling].some(isWildcardPattern)) {
      fail('defaultScopes "ceiling" cannot be used with a "wildcard" ceiling that holds patterns');
    }
    defaultScopes = ceiling;
  } else if (given.defaultScopes !== undefined) {
    defaultScopes = parseScopes(given.defaultScopes, "defaultScopes");
  }
  const original = given.original === undefined || given.original === null ? null : parseScopes(given.original, "original");

  return {
    isAllowed: matcherFor(ceiling, strategy),
    carveOut,
    forbidden,
    onExcess,
    defaultScopes,
    original,
    onDecision: onDecision as ResolvedOptions["onDecision"],
  };
}
