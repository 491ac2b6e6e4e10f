import { ScopeConfigError } from "./errors.js";
import { compileMatcher, isMatchStrategy, isWildcardPattern, type CeilingMatcher, type MatchStrategy } from "./match.js";
import { parseConfiguredScopes } from "./scope-token.js";

/** Scopes granted whatever the ceiling says, as long as the client asks for them: OpenID Connect's basic scopes. */
export const OIDC_SCOPES: readonly string[] = Object.freeze(["openid", "profile", "email"]);
/** The default carve-out: the OIDC scopes plus `introspection`. */
export const DEFAULT_CARVE_OUT: readonly string[] = Object.freeze([...OIDC_SCOPES, "introspection"]);
const DEFAULT_FORBIDDEN: readonly string[] = Object.freeze(["*"]);

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
  readonly defaultScopes: readonly string[];
  /** `null`: not a refresh. */
  readonly original: readonly string[] | null;
  readonly onDecision: ((decision: ScopeDecision) => void) | undefined;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(["ceiling", "carveOut", "onExcess", "defaultScopes", "original", "match", "forbidden", "onDecision"]);

/*
 * Parsed configuration is cached where that is safe: strings are immutable and frozen arrays
 * cannot change, so either maps to one parse. A mutable array is parsed on every call.
 */
const STRING_CACHE_LIMIT = 1024;
const parsedStrings = new Map<string, readonly string[]>();
const parsedFrozenArrays = new WeakMap<readonly unknown[], readonly string[]>();
const matchers = new WeakMap<readonly string[], Map<MatchStrategy, CeilingMatcher>>();

function parseScopes(input: unknown, option: string): readonly string[] {
  if (typeof input === "string") {
    let parsed = parsedStrings.get(input);
    if (parsed === undefined) {
      parsed = Object.freeze(parseConfiguredScopes(input, option));
      if (parsedStrings.size >= STRING_CACHE_LIMIT) parsedStrings.clear();
      parsedStrings.set(input, parsed);
    }
    return parsed;
  }
  if (Array.isArray(input) && Object.isFrozen(input)) {
    let parsed = parsedFrozenArrays.get(input);
    if (parsed === undefined) {
      parsed = Object.freeze(parseConfiguredScopes(input, option));
      parsedFrozenArrays.set(input, parsed);
    }
    return parsed;
  }
  return parseConfiguredScopes(input, option);
}

function matcherFor(ceiling: readonly string[], strategy: MatchStrategy): CeilingMatcher {
  // Only frozen (cached) ceilings are worth caching a matcher for: others are new arrays every call.
  if (!Object.isFrozen(ceiling)) return compileMatcher(ceiling, strategy);
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
  const carveOut = new Set(parseScopes(given.carveOut ?? DEFAULT_CARVE_OUT, "carveOut"));
  const forbidden = new Set(parseScopes(given.forbidden ?? DEFAULT_FORBIDDEN, "forbidden"));
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

  let defaultScopes: readonly string[] = [];
  if (given.defaultScopes === "ceiling") {
    if (strategy === "wildcard" && ceiling.some(isWildcardPattern)) {
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
