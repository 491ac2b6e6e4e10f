/**
 * Property tests for the runtime guard `withinCeiling`.
 *
 * Scopes come from a small alphabet (plus random RFC 6749 scope-tokens) so that the request,
 * the ceiling, the carve-out, the forbidden list and the original grant collide often.
 * "Admitted" is computed by a naive reference implementation of each match strategy written
 * from the decisions (DECISIONS.md, points 1-11), not from the guard's code.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_CARVE_OUT,
  ScopeError,
  withinCeiling,
  type ExcessPolicy,
  type MatchStrategyName,
  type ScopeDecision,
  type ScopeInput,
  type WithinCeilingOptions,
} from "../../src/index.js";

const RUNS = 2000;
const STRATEGIES: readonly MatchStrategyName[] = ["exact", "write-implies-read", "hierarchic", "wildcard"];
const DEFAULT_FORBIDDEN: readonly string[] = ["*"];

// ---------------------------------------------------------------------------------------------
// Reference implementation (naive, independent of the guard's code)
// ---------------------------------------------------------------------------------------------

/** RFC 6749 section 3.3: %x21 / %x23-5B / %x5D-7E. */
function isTokenChar(code: number): boolean {
  return code === 0x21 || (code >= 0x23 && code <= 0x5b) || (code >= 0x5d && code <= 0x7e);
}

function refIsToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!isTokenChar(value.charCodeAt(i))) return false;
  return true;
}

/** Tokens separated by single spaces, nothing around them. */
function refIsScopeString(value: string): boolean {
  return value.split(" ").every(refIsToken);
}

/** RFC 6749 section 5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
function isDescriptionSafe(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code !== 0x20 && !isTokenChar(code)) return false;
  }
  return true;
}

function unique(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const item of list) if (!out.includes(item)) out.push(item);
  return out;
}

function hasEmptySegment(scope: string): boolean {
  return scope.split(".").includes("");
}

function isPattern(entry: string): boolean {
  return entry.split(".").includes("*");
}

/** `*` matches one or more whole segments; every other segment matches itself. Exponential, fine for tiny inputs. */
function segmentsMatch(pattern: readonly string[], segments: readonly string[]): boolean {
  if (pattern.length === 0) return segments.length === 0;
  const [head, ...rest] = pattern;
  if (head === "*") {
    for (let k = 1; k <= segments.length; k++) if (segmentsMatch(rest, segments.slice(k))) return true;
    return false;
  }
  return segments.length > 0 && segments[0] === head && segmentsMatch(rest, segments.slice(1));
}

/** Does the ceiling admit `scope` under `strategy`? (The carve-out is not considered here.) */
function refAdmitted(strategy: MatchStrategyName, ceiling: readonly string[], scope: string): boolean {
  switch (strategy) {
    case "exact":
      return ceiling.includes(scope);
    case "write-implies-read": {
      if (ceiling.includes(scope)) return true;
      const colon = scope.lastIndexOf(":");
      if (colon < 0 || scope.slice(colon + 1) !== "read") return false;
      return ceiling.includes(`${scope.slice(0, colon)}:write`);
    }
    case "hierarchic":
      if (ceiling.includes(scope)) return true;
      if (hasEmptySegment(scope)) return false;
      return ceiling.some((entry) => scope.startsWith(`${entry}.`));
    case "wildcard":
      return ceiling.some((entry) => {
        if (!isPattern(entry)) return entry === scope;
        // A pattern never admits a scope holding "*", nor one with an empty segment (which no whole segment matches).
        if (scope.includes("*") || hasEmptySegment(scope)) return false;
        return segmentsMatch(entry.split("."), scope.split("."));
      });
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

const FIXED_TOKENS = [
  "a",
  "b",
  "a:read",
  "a:write",
  "b:read",
  "b:write",
  "a:b:read",
  "a:b:write",
  ":read",
  ":write",
  "read",
  "x",
  "x.y",
  "x.y.z",
  "x.*",
  "*.y",
  "x.*.z",
  "*.*",
  "x.y.*",
  "foo*",
  "x.",
  ".x",
  "x..y",
  "openid",
  "email",
  "profile",
  "introspection",
  "*",
] as const;

const TOKEN_CHARS: string[] = [];
for (let code = 0x21; code <= 0x7e; code++) if (isTokenChar(code)) TOKEN_CHARS.push(String.fromCharCode(code));

/** Any RFC 6749 scope-token. */
const randomTokenArb: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 6 });

const tokenArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...FIXED_TOKENS) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom("a", "b", "x", ".", ":", "*", "read", "write"), minLength: 1, maxLength: 5 }) },
  { weight: 1, arbitrary: randomTokenArb },
);

/** Is this entry acceptable in a ceiling under this strategy (i.e. not a configuration error)? */
function validCeilingEntry(strategy: MatchStrategyName, entry: string): boolean {
  if (strategy === "hierarchic") return !hasEmptySegment(entry);
  if (strategy === "wildcard") return !isPattern(entry) || (entry !== "*" && !hasEmptySegment(entry));
  return true;
}

/** Turns a ceiling entry into something it may admit under some strategy. */
function derive(entry: string, variant: number): string {
  switch (variant) {
    case 1:
      return entry.endsWith(":write") ? `${entry.slice(0, -":write".length)}:read` : `${entry}:read`;
    case 2:
      return `${entry}.z`;
    case 3:
      return entry
        .split(".")
        .map((segment) => (segment === "*" ? "k" : segment))
        .join(".");
    case 4:
      return entry
        .split(".")
        .map((segment) => (segment === "*" ? "k.l" : segment))
        .join(".");
    default:
      return entry;
  }
}

type Pick =
  | { readonly from: "any"; readonly token: string }
  | { readonly from: "ceiling"; readonly index: number; readonly variant: number }
  | { readonly from: "original"; readonly index: number }
  | { readonly from: "carveOut"; readonly index: number };

const pickArb: fc.Arbitrary<Pick> = fc.oneof(
  { weight: 3, arbitrary: tokenArb.map((token): Pick => ({ from: "any", token })) },
  {
    weight: 3,
    arbitrary: fc.record({ index: fc.nat(), variant: fc.nat({ max: 4 }) }).map(({ index, variant }): Pick => ({ from: "ceiling", index, variant })),
  },
  { weight: 3, arbitrary: fc.nat().map((index): Pick => ({ from: "original", index })) },
  { weight: 1, arbitrary: fc.nat().map((index): Pick => ({ from: "carveOut", index })) },
);

function resolvePick(pick: Pick, lists: { ceiling: readonly string[]; original: readonly string[]; carveOut: readonly string[] }, fallback: string): string {
  const from = (list: readonly string[], index: number): string => list[index % Math.max(list.length, 1)] ?? fallback;
  switch (pick.from) {
    case "any":
      return pick.token;
    case "ceiling":
      return derive(from(lists.ceiling, pick.index), pick.variant);
    case "original":
      return from(lists.original, pick.index);
    case "carveOut":
      return from(lists.carveOut, pick.index);
  }
}

/** Redirects a pick to the original grant (refresh) or to the ceiling / carve-out (issuance). */
function focus(pick: Pick, refresh: boolean): Pick {
  const index = pick.from === "any" ? pick.token.length : pick.index;
  if (refresh) return { from: "original", index };
  if (pick.from === "ceiling" || pick.from === "carveOut") return pick;
  return index % 4 === 0 ? { from: "carveOut", index } : { from: "ceiling", index, variant: 0 };
}

type Style = "array" | "frozen" | "string" | "messy-string" | "padded-array" | "frozen-padded-array";
const styleArb = fc.constantFrom<Style>("array", "frozen", "string", "messy-string", "padded-array", "frozen-padded-array");

/** Renders a configured list in one of the accepted input forms (DECISIONS.md point 2). */
function render(list: readonly string[], style: Style): ScopeInput {
  switch (style) {
    case "array":
      return [...list];
    case "frozen":
      return Object.freeze([...list]);
    case "string":
      return list.join(" ");
    case "messy-string":
      return ` \t${list.join(" \n\t ")}\r\n`;
    case "padded-array":
      return ["  ", ...list.map((scope) => `\t${scope} `), ""];
    case "frozen-padded-array":
      return Object.freeze(["\n", ...list.map((scope) => ` ${scope}\r\n`)]);
  }
}

type RequestKind = "undefined" | "null" | "empty-string" | "empty-array" | "string" | "array" | "frozen-array";

interface Scenario {
  readonly strategy: MatchStrategyName;
  readonly omitMatch: boolean;
  readonly ceiling: readonly string[];
  readonly carveOut: readonly string[] | undefined;
  readonly forbidden: readonly string[] | undefined;
  readonly onExcess: ExcessPolicy | undefined;
  readonly defaultScopes: readonly string[] | "ceiling" | undefined;
  /** `undefined`: issuance; a list: refresh. */
  readonly original: readonly string[] | undefined;
  readonly requestKind: RequestKind;
  /** The request's tokens as sent (duplicates possible); empty for the "names nothing" kinds. */
  readonly request: readonly string[];
  readonly styles: { readonly ceiling: Style; readonly carveOut: Style; readonly forbidden: Style; readonly defaults: Style; readonly original: Style };
}

interface ScenarioConstraints {
  readonly strategies?: readonly MatchStrategyName[];
  readonly mode?: "issue" | "refresh" | "any";
  readonly onExcess?: readonly (ExcessPolicy | undefined)[];
  readonly requestKinds?: readonly RequestKind[];
  readonly maxRequest?: number;
}

const EMPTY_KINDS: readonly RequestKind[] = ["undefined", "null", "empty-string", "empty-array"];
const ALL_KINDS: readonly RequestKind[] = [...EMPTY_KINDS, "string", "array", "frozen-array"];

function scenarioArb(constraints: ScenarioConstraints = {}): fc.Arbitrary<Scenario> {
  const strategies = constraints.strategies ?? STRATEGIES;
  const mode = constraints.mode ?? "any";
  const kinds = constraints.requestKinds ?? ALL_KINDS;
  const nonEmptyKinds = kinds.filter((kind) => !EMPTY_KINDS.includes(kind));
  const emptyKinds = kinds.filter((kind) => EMPTY_KINDS.includes(kind));
  const kindArb = fc.oneof(
    ...(nonEmptyKinds.length > 0 ? [{ weight: 5, arbitrary: fc.constantFrom(...nonEmptyKinds) }] : []),
    ...(emptyKinds.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...emptyKinds) }] : []),
  );
  const originalArb: fc.Arbitrary<readonly Pick[] | undefined> =
    mode === "issue"
      ? fc.constant(undefined)
      : mode === "refresh"
        ? fc.array(pickArb, { maxLength: 5 })
        : fc.option(fc.array(pickArb, { maxLength: 5 }), { nil: undefined, freq: 2 });
  return fc
    .record({
      strategy: fc.constantFrom(...strategies),
      omitMatch: fc.boolean(),
      ceiling: fc.array(tokenArb, { maxLength: 6 }),
      carveOut: fc.option(fc.array(tokenArb, { maxLength: 3 }), { nil: undefined, freq: 3 }),
      forbidden: fc.option(fc.array(tokenArb, { maxLength: 3 }), { nil: undefined, freq: 2 }),
      onExcess: fc.constantFrom(...(constraints.onExcess ?? [undefined, "reject", "narrow"])),
      defaultScopes: fc.oneof(
        fc.constant(undefined),
        fc.constant("ceiling" as const),
        fc.array(fc.oneof(tokenArb, fc.nat().map((index): Pick => ({ from: "ceiling", index, variant: 0 }))), { maxLength: 3 }),
      ),
      original: originalArb,
      requestKind: kindArb,
      request: fc.array(pickArb, { minLength: 1, maxLength: constraints.maxRequest ?? 6 }),
      // Focused: the request stays within the original (refresh) or draws on the ceiling and carve-out (issuance),
      // so that grants are common rather than refusals.
      focused: fc.boolean(),
      styles: fc.record({ ceiling: styleArb, carveOut: styleArb, forbidden: styleArb, defaults: styleArb, original: styleArb }),
    })
    .map((raw): Scenario => {
      const ceiling = raw.ceiling.filter((entry) => validCeilingEntry(raw.strategy, entry));
      // A scope both forbidden and in the carve-out is a configuration error: keep them apart.
      let carveOut = raw.carveOut;
      let forbidden = raw.forbidden;
      if (forbidden === undefined) {
        if (carveOut !== undefined) carveOut = carveOut.filter((scope) => !DEFAULT_FORBIDDEN.includes(scope));
      } else {
        const effectiveCarveOut = carveOut ?? DEFAULT_CARVE_OUT;
        forbidden = forbidden.filter((scope) => !effectiveCarveOut.includes(scope));
      }
      const effectiveCarveOut = carveOut ?? DEFAULT_CARVE_OUT;
      let defaultScopes: readonly string[] | "ceiling" | undefined;
      if (raw.defaultScopes === "ceiling") {
        // "ceiling" with wildcard patterns is a configuration error.
        defaultScopes = raw.strategy === "wildcard" && ceiling.some(isPattern) ? undefined : "ceiling";
      } else if (raw.defaultScopes !== undefined) {
        defaultScopes = raw.defaultScopes.map((item) => (typeof item === "string" ? item : resolvePick(item, { ceiling, original: [], carveOut: [] }, "a")));
      }
      const original = raw.original?.map((pick) => resolvePick(pick, { ceiling, original: [], carveOut: effectiveCarveOut }, "b"));
      const isEmptyKind = EMPTY_KINDS.includes(raw.requestKind);
      const request = isEmptyKind
        ? []
        : raw.request.map((pick) => resolvePick(raw.focused ? focus(pick, original !== undefined) : pick, { ceiling, original: original ?? [], carveOut: effectiveCarveOut }, "a"));
      return {
        strategy: raw.strategy,
        omitMatch: raw.omitMatch,
        ceiling,
        carveOut,
        forbidden,
        onExcess: raw.onExcess,
        defaultScopes,
        original,
        requestKind: raw.requestKind,
        request,
        styles: raw.styles,
      };
    });
}

function requestValue(s: Scenario): unknown {
  switch (s.requestKind) {
    case "undefined":
      return undefined;
    case "null":
      return null;
    case "empty-string":
      return "";
    case "empty-array":
      return [];
    case "string":
      return s.request.join(" ");
    case "array":
      return [...s.request];
    case "frozen-array":
      return Object.freeze([...s.request]);
  }
}

function optionsOf(s: Scenario, onDecision?: (decision: ScopeDecision) => void): WithinCeilingOptions {
  return {
    ceiling: render(s.ceiling, s.styles.ceiling),
    match: s.omitMatch && s.strategy === "exact" ? undefined : s.strategy,
    carveOut: s.carveOut === undefined ? undefined : render(s.carveOut, s.styles.carveOut),
    forbidden: s.forbidden === undefined ? undefined : render(s.forbidden, s.styles.forbidden),
    onExcess: s.onExcess,
    defaultScopes: s.defaultScopes === undefined || s.defaultScopes === "ceiling" ? s.defaultScopes : render(s.defaultScopes, s.styles.defaults),
    original: s.original === undefined ? undefined : render(s.original, s.styles.original),
    onDecision,
  };
}

/** What the scenario means, as the reference model sees it. */
interface View {
  readonly ceiling: string[];
  readonly carveOut: string[];
  readonly forbidden: string[];
  readonly defaults: string[];
  readonly original: string[] | null;
  /** `null`: the request names no scope. */
  readonly named: string[] | null;
  readonly narrow: boolean;
  /** In the carve-out or admitted by the ceiling (forbidden not considered). */
  readonly allowed: (scope: string) => boolean;
}

function viewOf(s: Scenario): View {
  const ceiling = unique(s.ceiling);
  const carveOut = unique(s.carveOut ?? DEFAULT_CARVE_OUT);
  return {
    ceiling,
    carveOut,
    forbidden: unique(s.forbidden ?? DEFAULT_FORBIDDEN),
    defaults: s.defaultScopes === "ceiling" ? ceiling : unique(s.defaultScopes ?? []),
    original: s.original === undefined ? null : unique(s.original),
    named: EMPTY_KINDS.includes(s.requestKind) ? null : unique(s.request),
    narrow: s.onExcess === "narrow",
    allowed: (scope) => carveOut.includes(scope) || refAdmitted(s.strategy, ceiling, scope),
  };
}

type Outcome =
  | { readonly ok: true; readonly granted: string }
  | { readonly ok: false; readonly error: ScopeError };

/** Calls the guard; a ScopeError is an outcome, anything else (configuration errors included) fails the test. */
function call(request: unknown, options: WithinCeilingOptions): Outcome {
  try {
    return { ok: true, granted: withinCeiling(request, options) };
  } catch (error) {
    if (error instanceof ScopeError) return { ok: false, error };
    throw error;
  }
}

function run(s: Scenario): Outcome {
  return call(requestValue(s), optionsOf(s));
}

function grantedList(outcome: Outcome): string[] {
  return outcome.ok ? outcome.granted.split(" ") : [];
}

function summary(outcome: Outcome): unknown {
  return outcome.ok
    ? { granted: outcome.granted }
    : { error: outcome.error.error, reason: outcome.error.reason, offending: [...outcome.error.offending], message: outcome.error.message };
}

type Expected =
  | { readonly ok: true; readonly granted: string[] }
  | { readonly ok: false; readonly error: string; readonly reason: string; readonly offending: string[] };

/** Full reference model of the guard's decision, written from DECISIONS.md points 4-7. */
function model(s: Scenario): Expected {
  const v = viewOf(s);
  const fail = (error: string, reason: string, offending: string[] = []): Expected => ({ ok: false, error, reason, offending });
  const forbiddenIn = (scopes: readonly string[]): string[] => scopes.filter((scope) => v.forbidden.includes(scope));
  if (v.original === null) {
    const scopes = v.named ?? v.defaults;
    if (scopes.length === 0) return fail("invalid_scope", "missing");
    if (forbiddenIn(scopes).length > 0) return fail("invalid_scope", "forbidden", forbiddenIn(scopes));
    const inside = scopes.filter(v.allowed);
    const outside = scopes.filter((scope) => !v.allowed(scope));
    if (outside.length > 0 && (!v.narrow || inside.length === 0)) return fail("invalid_scope", "outside-ceiling", outside);
    return { ok: true, granted: inside };
  }
  const original = v.original;
  if (original.length === 0) return fail("invalid_grant", "nothing-left");
  if (v.named !== null) {
    if (forbiddenIn(v.named).length > 0) return fail("invalid_scope", "forbidden", forbiddenIn(v.named));
    const extra = v.named.filter((scope) => !original.includes(scope));
    if (extra.length > 0) return fail("invalid_scope", "not-originally-granted", extra);
  }
  const base = v.named ?? original;
  const keep = base.filter((scope) => !v.forbidden.includes(scope) && v.allowed(scope));
  if (v.named !== null && !v.narrow) {
    const outside = base.filter((scope) => !keep.includes(scope));
    if (outside.length > 0) return fail("invalid_scope", "outside-ceiling", outside);
  }
  if (keep.length === 0) return fail("invalid_grant", "nothing-left");
  return { ok: true, granted: keep };
}

function asExpected(outcome: Outcome): Expected {
  return outcome.ok
    ? { ok: true, granted: outcome.granted.split(" ") }
    : { ok: false, error: outcome.error.error, reason: outcome.error.reason, offending: [...outcome.error.offending] };
}

function isSubset(list: readonly string[], of: readonly string[]): boolean {
  return list.every((item) => of.includes(item));
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe("withinCeiling properties", () => {
  describe("1. granted ⊆ ceiling-admitted ∪ carve-out", () => {
    it.each(STRATEGIES)("under %s", (strategy) => {
      fc.assert(
        fc.property(scenarioArb({ strategies: [strategy] }), (s) => {
          const v = viewOf(s);
          const outcome = run(s);
          for (const scope of grantedList(outcome)) {
            expect(v.carveOut.includes(scope) || refAdmitted(strategy, v.ceiling, scope), `granted ${JSON.stringify(scope)}`).toBe(true);
          }
        }),
        { numRuns: 1500 },
      );
    });

    it("the reference matchers agree with the examples in DECISIONS.md point 8", () => {
      expect(refAdmitted("write-implies-read", ["a:b:write"], "a:b:read")).toBe(true);
      expect(refAdmitted("write-implies-read", ["a:write"], "a:b:read")).toBe(false);
      expect(refAdmitted("hierarchic", ["a.b"], "a.b.c")).toBe(true);
      expect(refAdmitted("hierarchic", ["a.b"], "a.bc")).toBe(false);
      expect(refAdmitted("wildcard", ["foo*"], "food")).toBe(false);
      expect(refAdmitted("wildcard", ["foo*"], "foo*")).toBe(true);
      expect(refAdmitted("wildcard", ["*.*"], "a.b.c")).toBe(true);
      expect(refAdmitted("wildcard", ["*.*"], "a")).toBe(false);
      expect(refAdmitted("wildcard", ["x.*"], "x.*")).toBe(false);
    });
  });

  it("2. issuance: granted ⊆ requested (or ⊆ defaults when nothing is requested); refresh: granted ⊆ original", () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const v = viewOf(s);
        const granted = grantedList(run(s));
        if (v.original !== null) expect(isSubset(granted, v.original)).toBe(true);
        else if (v.named !== null) expect(isSubset(granted, v.named)).toBe(true);
        else expect(isSubset(granted, v.defaults)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("3. reject mode never returns when a requested scope is outside; it throws invalid_scope", () => {
    fc.assert(
      fc.property(scenarioArb({ onExcess: [undefined, "reject"] }), (s) => {
        const v = viewOf(s);
        // On refresh only an explicit request counts: scopes inherited from the original are dropped quietly.
        const asked = v.original === null ? (v.named ?? v.defaults) : v.named;
        if (asked === null) return;
        const outside = asked.filter((scope) => !v.allowed(scope));
        const forbidden = asked.filter((scope) => v.forbidden.includes(scope));
        const outcome = run(s);
        if (outside.length === 0 && forbidden.length === 0) return;
        expect(outcome.ok, `granted ${outcome.ok ? outcome.granted : ""}`).toBe(false);
        if (outcome.ok) return;
        expect(outcome.error).toBeInstanceOf(ScopeError);
        if (v.original?.length === 0) {
          // DECISIONS.md point 4: an empty original is a refresh with nothing to keep, whatever is asked.
          expect([outcome.error.error, outcome.error.reason]).toEqual(["invalid_grant", "nothing-left"]);
          return;
        }
        expect(outcome.error.error).toBe("invalid_scope");
        if (forbidden.length > 0) {
          expect(outcome.error.reason).toBe("forbidden");
          expect(outcome.error.offending).toEqual(forbidden);
        } else if (v.original === null) {
          expect(outcome.error.reason).toBe("outside-ceiling");
          expect(outcome.error.offending).toEqual(outside);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("4. narrow mode (issuance) grants exactly the allowed part of the request, in order, or throws outside-ceiling", () => {
    fc.assert(
      fc.property(scenarioArb({ mode: "issue", onExcess: ["narrow"] }), (s) => {
        const v = viewOf(s);
        const scopes = v.named ?? v.defaults;
        const outcome = run(s);
        for (const scope of grantedList(outcome)) expect(v.forbidden).not.toContain(scope);
        if (scopes.length === 0) {
          expect(outcome.ok ? null : outcome.error.reason).toBe("missing");
          return;
        }
        const forbidden = scopes.filter((scope) => v.forbidden.includes(scope));
        if (forbidden.length > 0) {
          expect(outcome.ok ? null : [outcome.error.error, outcome.error.reason]).toEqual(["invalid_scope", "forbidden"]);
          return;
        }
        const allowed = scopes.filter(v.allowed);
        if (allowed.length === 0) {
          expect(outcome.ok ? null : [outcome.error.error, outcome.error.reason, [...outcome.error.offending]]).toEqual([
            "invalid_scope",
            "outside-ceiling",
            scopes,
          ]);
        } else {
          expect(summary(outcome)).toEqual({ granted: allowed.join(" ") });
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("4b. no forbidden scope is ever granted, in any mode (refresh drops inherited ones)", () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const v = viewOf(s);
        for (const scope of grantedList(run(s))) expect(v.forbidden).not.toContain(scope);
      }),
      { numRuns: RUNS },
    );
  });

  it("5. determinism: the same input twice gives the same output or the same error", () => {
    fc.assert(
      fc.property(scenarioArb(), fc.boolean(), (s, reuseOptions) => {
        const request = requestValue(s);
        const options = optionsOf(s);
        const first = call(request, options);
        const second = call(request, reuseOptions ? options : optionsOf(s));
        expect(summary(second)).toEqual(summary(first));
      }),
      { numRuns: RUNS },
    );
  });

  describe("6. any value as the request gives a string or a ScopeError", () => {
    const weirdChar = fc.constantFrom(" ", "  ", "\t", "\n", "\r", "\u0000", "\u007f", '"', "\\", "é", "\u00a0", "\u2028", "\ud83d\ude00", "\ud800", "a", "b", ":", "*", ".");
    const weirdString = fc.oneof(
      fc.string({ unit: weirdChar, maxLength: 8 }),
      fc.string({ unit: "binary", maxLength: 12 }),
      fc.string({ unit: "grapheme", maxLength: 8 }),
      fc.constantFrom(" a", "a ", "a  b", "a\tb", "a\nb", "a\u0000", "\u00e9t\u00e9", "\"a\"", "a\\b", " ", "   "),
      fc.string({ unit: fc.constantFrom(...TOKEN_CHARS, " "), maxLength: 10 }),
    );
    const anyRequest: fc.Arbitrary<unknown> = fc.oneof(
      fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withObjectString: true,
        withSparseArray: true,
        withTypedArray: true,
        stringUnit: "binary",
      }),
      fc.jsonValue(),
      weirdString,
      fc.array(weirdString, { maxLength: 4 }),
      fc.array(fc.oneof(tokenArb, weirdString), { maxLength: 4 }),
    );

    /** The malformed message for an input that is plainly not a scope. */
    const malformedMessage = (s: Scenario): string => {
      const outcome = call(42, optionsOf(s));
      if (outcome.ok) throw new Error("42 was accepted as a scope");
      return outcome.error.message;
    };

    it("returns a canonical scope string or throws a ScopeError; malformed iff the input is malformed; no input in the message", () => {
      fc.assert(
        fc.property(scenarioArb(), anyRequest, (s, request) => {
          let result: unknown;
          try {
            result = withinCeiling(request, optionsOf(s));
          } catch (error) {
            expect(error).toBeInstanceOf(ScopeError);
            if (!(error instanceof ScopeError)) return;
            const malformed = isMalformed(request);
            expect(error.reason === "malformed", `reason ${error.reason}`).toBe(malformed);
            if (!malformed) return;
            expect(error.error).toBe("invalid_scope");
            expect(error.offending).toEqual([]);
            // The message is the same whatever the input, so it cannot carry any of it.
            const fixed = malformedMessage(s);
            expect(error.message).toBe(fixed);
            for (const raw of rawStrings(request)) {
              if (raw.length >= 3 && !refIsScopeString(raw) && !fixed.includes(raw)) {
                expect(error.message).not.toContain(raw);
                expect(JSON.stringify(error.toJSON())).not.toContain(raw);
              }
            }
            return;
          }
          expect(typeof result).toBe("string");
          expect(refIsScopeString(result as string)).toBe(true);
          expect(isMalformed(request)).toBe(false);
        }),
        { numRuns: RUNS },
      );
    });
  });

  it("7. the granted string is a canonical RFC 6749 scope string (single spaces, no duplicates)", () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const outcome = run(s);
        if (!outcome.ok) return;
        expect(typeof outcome.granted).toBe("string");
        expect(refIsScopeString(outcome.granted), JSON.stringify(outcome.granted)).toBe(true);
        const tokens = outcome.granted.split(" ");
        expect(new Set(tokens).size).toBe(tokens.length);
      }),
      { numRuns: RUNS },
    );
  });

  describe("8. refresh narrows", () => {
    it("with no request, the grant is a subset of the original (or invalid_grant nothing-left)", () => {
      fc.assert(
        fc.property(scenarioArb({ mode: "refresh", requestKinds: EMPTY_KINDS }), (s) => {
          const v = viewOf(s);
          const outcome = run(s);
          if (outcome.ok) {
            expect(isSubset(outcome.granted.split(" "), v.original ?? [])).toBe(true);
          } else {
            expect([outcome.error.error, outcome.error.reason]).toEqual(["invalid_grant", "nothing-left"]);
          }
        }),
        { numRuns: RUNS },
      );
    });

    it("an explicit request naming a scope not in the original throws not-originally-granted (or forbidden first)", () => {
      fc.assert(
        fc.property(scenarioArb({ mode: "refresh", requestKinds: ["string", "array", "frozen-array"] }), (s) => {
          const v = viewOf(s);
          const original = v.original ?? [];
          const named = v.named ?? [];
          const extra = named.filter((scope) => !original.includes(scope));
          fc.pre(extra.length > 0 && original.length > 0);
          const outcome = run(s);
          expect(outcome.ok).toBe(false);
          if (outcome.ok) return;
          expect(outcome.error.error).toBe("invalid_scope");
          const forbidden = named.filter((scope) => v.forbidden.includes(scope));
          if (forbidden.length > 0) {
            expect(outcome.error.reason).toBe("forbidden");
            expect(outcome.error.offending).toEqual(forbidden);
          } else {
            expect(outcome.error.reason).toBe("not-originally-granted");
            expect(outcome.error.offending).toEqual(extra);
          }
        }),
        { numRuns: RUNS },
      );
    });

    it("in narrow mode, an explicit subset of the original keeps exactly its allowed part (or invalid_grant nothing-left)", () => {
      fc.assert(
        fc.property(scenarioArb({ mode: "refresh", onExcess: ["narrow"], requestKinds: ["string", "array", "frozen-array"] }), (s) => {
          const v = viewOf(s);
          const original = v.original ?? [];
          const named = v.named ?? [];
          fc.pre(original.length > 0 && isSubset(named, original) && !named.some((scope) => v.forbidden.includes(scope)));
          const allowed = named.filter(v.allowed);
          const outcome = run(s);
          if (allowed.length === 0) expect(summary(outcome)).toMatchObject({ error: "invalid_grant", reason: "nothing-left" });
          else expect(summary(outcome)).toEqual({ granted: allowed.join(" ") });
        }),
        { numRuns: RUNS },
      );
    });
  });

  it("9. error_description only uses %x20-21 / %x23-5B / %x5D-7E", () => {
    fc.assert(
      // The second request names many random scope-tokens, so that long offending lists are described too.
      fc.property(scenarioArb({ maxRequest: 16 }), fc.array(randomTokenArb, { minLength: 11, maxLength: 30 }), (s, many) => {
        for (const outcome of [run(s), call(many, optionsOf(s))]) {
          if (outcome.ok) continue;
          const body = outcome.error.toJSON();
          expect(body.error).toBe(outcome.error.error);
          expect(isDescriptionSafe(body.error_description), JSON.stringify(body.error_description)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("10. the guard agrees with the reference model of DECISIONS.md (grant, or error, reason and offending)", () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        expect(asExpected(run(s))).toEqual(model(s));
      }),
      { numRuns: RUNS },
    );
  });

  it("10b. configuration arrays edited in place between calls are read afresh (no stale cache)", () => {
    fc.assert(
      fc.property(scenarioArb(), fc.array(tokenArb, { maxLength: 6 }), fc.array(tokenArb, { maxLength: 5 }), (s, nextCeilingRaw, nextOriginalRaw) => {
        let nextCeiling = nextCeilingRaw.filter((entry) => validCeilingEntry(s.strategy, entry));
        if (s.defaultScopes === "ceiling" && s.strategy === "wildcard") nextCeiling = nextCeiling.filter((entry) => !isPattern(entry));
        const ceiling = [...s.ceiling];
        const original = s.original === undefined ? undefined : [...s.original];
        const options: WithinCeilingOptions = { ...optionsOf(s), ceiling, original };
        const request = requestValue(s);
        expect(asExpected(call(request, options))).toEqual(model(s));
        // A server that keeps its ceiling (and a stored grant) in arrays and edits them in place.
        ceiling.splice(0, ceiling.length, ...nextCeiling);
        original?.splice(0, original.length, ...nextOriginalRaw);
        const edited: Scenario = { ...s, ceiling: nextCeiling, original: original === undefined ? undefined : nextOriginalRaw };
        expect(asExpected(call(request, options))).toEqual(model(edited));
      }),
      { numRuns: RUNS },
    );
  });

  it("11. onDecision is called once and agrees with the result", () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const decisions: ScopeDecision[] = [];
        const outcome = call(requestValue(s), optionsOf(s, (decision) => decisions.push(decision)));
        expect(decisions).toHaveLength(1);
        const [decision] = decisions;
        if (decision === undefined) return;
        expect(decision.mode).toBe(s.original === undefined ? "issue" : "refresh");
        expect(decision.requested).toEqual(viewOf(s).named);
        if (outcome.ok) {
          expect(decision.outcome).toBe("granted");
          expect(decision.granted).toEqual(outcome.granted.split(" "));
          expect(decision.error).toBeUndefined();
        } else {
          expect(decision.outcome).toBe("rejected");
          expect(decision.granted).toEqual([]);
          expect(decision.error).toEqual({ error: outcome.error.error, reason: outcome.error.reason, offending: outcome.error.offending });
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/** Is this request malformed per RFC 6749 section 3.3 (the "names nothing" values aside)? */
function isMalformed(request: unknown): boolean {
  if (request === undefined || request === null || request === "") return false;
  if (typeof request === "string") return !refIsScopeString(request);
  if (Array.isArray(request)) {
    const entries = Array.from(request as readonly unknown[]);
    return entries.some((entry) => typeof entry !== "string" || !refIsToken(entry));
  }
  return true;
}

/** The strings a request carries directly (itself, or an array's string entries). */
function rawStrings(request: unknown): string[] {
  if (typeof request === "string") return [request];
  if (Array.isArray(request)) return (request as readonly unknown[]).filter((entry): entry is string => typeof entry === "string");
  return [];
}
