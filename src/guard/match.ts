import { ScopeConfigError } from "./errors.js";

/** A custom strategy: does this ceiling entry admit this requested scope? Only `true` admits. */
export type MatchFunction = (ceilingEntry: string, requested: string) => boolean;
export type MatchStrategyName = "exact" | "write-implies-read" | "hierarchic" | "wildcard";
export type MatchStrategy = MatchStrategyName | MatchFunction;

/** Answers "does the ceiling admit this scope?" for one ceiling under one strategy. */
export type CeilingMatcher = (requested: string) => boolean;

const STRATEGY_NAMES: ReadonlySet<string> = new Set<MatchStrategyName>(["exact", "write-implies-read", "hierarchic", "wildcard"]);

export function isMatchStrategy(value: unknown): value is MatchStrategy {
  return typeof value === "function" || (typeof value === "string" && STRATEGY_NAMES.has(value));
}

/**
 * Compiles the ceiling for a strategy. Named strategies are answered with set look-ups
 * (one per segment at most), not a scan of the ceiling, so a large ceiling costs nothing extra.
 */
export function compileMatcher(ceiling: ReadonlySet<string>, strategy: MatchStrategy): CeilingMatcher {
  if (typeof strategy === "function") {
    const entries = [...ceiling];
    // Plain JavaScript callers may return anything: only a real `true` admits.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare -- see above
    return (requested) => entries.some((entry) => strategy(entry, requested) === true);
  }
  switch (strategy) {
    case "exact":
      return (requested) => ceiling.has(requested);
    case "write-implies-read":
      return (requested) => {
        if (ceiling.has(requested)) return true;
        const colon = requested.lastIndexOf(":");
        return colon >= 0 && requested.slice(colon + 1) === "read" && ceiling.has(`${requested.slice(0, colon)}:write`);
      };
    case "hierarchic":
      return compileHierarchic(ceiling);
    case "wildcard":
      return compileWildcard(ceiling);
  }
}

function hasEmptySegment(scope: string): boolean {
  return scope.split(".").includes("");
}

/** `a.b` admits `a.b` and `a.b.c`; never a scope with an empty segment. */
function compileHierarchic(ceiling: ReadonlySet<string>): CeilingMatcher {
  for (const entry of ceiling) {
    if (hasEmptySegment(entry)) {
      throw new ScopeConfigError(`scope-ceiling: ceiling entry ${JSON.stringify(entry)} has an empty segment, which "hierarchic" cannot match`);
    }
  }
  return (requested) => {
    const segments = requested.split(".");
    if (segments.includes("")) return false;
    // Every prefix of the requested scope, on segment boundaries, is a candidate ceiling entry.
    let prefix = "";
    for (const segment of segments) {
      prefix = prefix === "" ? segment : `${prefix}.${segment}`;
      if (ceiling.has(prefix)) return true;
    }
    return false;
  };
}

/** A ceiling entry is a pattern where one of its `.`-segments is exactly `*`. */
export function isWildcardPattern(entry: string): boolean {
  return entry.split(".").includes("*");
}

function compileWildcard(ceiling: ReadonlySet<string>): CeilingMatcher {
  const literals = new Set<string>();
  const patterns: string[][] = [];
  for (const entry of ceiling) {
    if (!isWildcardPattern(entry)) {
      literals.add(entry);
      continue;
    }
    if (entry === "*") {
      throw new ScopeConfigError('scope-ceiling: a bare "*" ceiling entry would admit every scope; list the scopes instead');
    }
    const segments = entry.split(".");
    if (segments.includes("")) {
      throw new ScopeConfigError(`scope-ceiling: ceiling pattern ${JSON.stringify(entry)} has an empty segment`);
    }
    patterns.push(segments);
  }
  return (requested) => {
    if (literals.has(requested)) return true;
    if (patterns.length === 0 || requested.includes("*")) return false;
    const segments = requested.split(".");
    if (segments.includes("")) return false;
    return patterns.some((pattern) => matchSegments(pattern, segments));
  };
}

/**
 * `*` matches one or more whole segments. Dynamic programming over (pattern, scope)
 * positions: linear in their product, so no pattern can make matching exponential.
 */
function matchSegments(pattern: readonly string[], segments: readonly string[]): boolean {
  // reachable[j]: the pattern prefix seen so far matches exactly segments[0..j).
  let reachable: boolean[] = new Array<boolean>(segments.length + 1).fill(false);
  reachable[0] = true;
  for (const part of pattern) {
    const next = new Array<boolean>(segments.length + 1).fill(false);
    if (part === "*") {
      // Once some prefix is matched, `*` can extend it to any longer prefix.
      let seen = false;
      for (let j = 1; j <= segments.length; j++) {
        seen ||= reachable[j - 1] === true;
        next[j] = seen;
      }
    } else {
      for (let j = 1; j <= segments.length; j++) {
        next[j] = reachable[j - 1] === true && segments[j - 1] === part;
      }
    }
    reachable = next;
  }
  return reachable[segments.length] === true;
}
