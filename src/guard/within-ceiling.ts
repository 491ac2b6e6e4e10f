import { resolveOptions, type ResolvedOptions, type ScopeDecision, type WithinCeilingOptions } from "./config.js";
import { ScopeError } from "./errors.js";
import { brandGranted, type GrantedScope } from "./granted.js";
import { parseRequestedScope } from "./scope-token.js";

interface Grant {
  readonly granted: string[];
  readonly dropped: string[];
}

/**
 * Grants `requested ∩ ceiling` (plus the carve-out), or refuses with a `ScopeError`.
 *
 * Issuance: an omitted request falls back to `defaultScopes`; forbidden scopes refuse the
 * request; scopes outside the ceiling refuse it (`onExcess: "reject"`) or are dropped ("narrow").
 * Refresh (`original` given): the request may only narrow the original grant (RFC 6749 section 6),
 * and what the ceiling no longer allows is dropped; if nothing is left the client must re-authorize.
 *
 * Configuration is checked first and a bad one throws `ScopeConfigError` (a `TypeError`).
 */
export function withinCeiling(requested: unknown, options: WithinCeilingOptions): GrantedScope {
  const config = resolveOptions(options);
  const mode = config.original === null ? "issue" : "refresh";
  let named: string[] | null = null;
  let outcome: Grant | ScopeError;
  try {
    named = parseRequestedScope(requested);
    outcome = config.original === null ? decideIssuance(named, config) : decideRefresh(named, config.original, config);
  } catch (error) {
    if (!(error instanceof ScopeError)) throw error;
    outcome = error;
  }
  if (outcome instanceof ScopeError) {
    config.onDecision?.(rejected(mode, named, outcome));
    throw outcome;
  }
  config.onDecision?.({ mode, requested: named && [...named], granted: [...outcome.granted], dropped: outcome.dropped, outcome: "granted" });
  return brandGranted(outcome.granted);
}

function rejected(mode: ScopeDecision["mode"], named: string[] | null, error: ScopeError): ScopeDecision {
  return {
    mode,
    requested: named && [...named],
    granted: [],
    dropped: [],
    outcome: "rejected",
    error: { error: error.error, reason: error.reason, offending: error.offending },
  };
}

function isGrantable(scope: string, config: ResolvedOptions): boolean {
  return config.carveOut.has(scope) || config.isAllowed(scope);
}

function refuseForbidden(scopes: readonly string[], config: ResolvedOptions): void {
  const forbidden = scopes.filter((scope) => config.forbidden.has(scope));
  if (forbidden.length > 0) throw new ScopeError("invalid_scope", "forbidden", forbidden);
}

function decideIssuance(named: string[] | null, config: ResolvedOptions): Grant {
  const scopes = named ?? [...config.defaultScopes];
  if (scopes.length === 0) throw new ScopeError("invalid_scope", "missing");
  refuseForbidden(scopes, config);
  const granted: string[] = [];
  const outside: string[] = [];
  for (const scope of scopes) (isGrantable(scope, config) ? granted : outside).push(scope);
  if (outside.length > 0 && (config.onExcess === "reject" || granted.length === 0)) {
    throw new ScopeError("invalid_scope", "outside-ceiling", outside);
  }
  return { granted, dropped: outside };
}

function decideRefresh(named: string[] | null, original: ReadonlySet<string>, config: ResolvedOptions): Grant {
  if (original.size === 0) throw new ScopeError("invalid_grant", "nothing-left");
  if (named !== null) {
    refuseForbidden(named, config);
    // RFC 6749 section 6: exact comparison, whatever strategy admits scopes against the ceiling.
    const extra = named.filter((scope) => !original.has(scope));
    if (extra.length > 0) throw new ScopeError("invalid_scope", "not-originally-granted", extra);
  }
  const granted: string[] = [];
  const dropped: string[] = [];
  const outside: string[] = [];
  for (const scope of named ?? original) {
    if (!config.forbidden.has(scope) && isGrantable(scope, config)) granted.push(scope);
    // Named explicitly but no longer allowed: the client asked for it, so onExcess decides.
    else if (named !== null && config.onExcess === "reject") outside.push(scope);
    // Inherited from the original grant: the ceiling shrank since, so it goes quietly.
    else dropped.push(scope);
  }
  if (outside.length > 0) throw new ScopeError("invalid_scope", "outside-ceiling", outside);
  if (granted.length === 0) throw new ScopeError("invalid_grant", "nothing-left");
  return { granted, dropped };
}
