import { describe, expect, it, vi } from "vitest";
import {
  DEFAULT_CARVE_OUT,
  OIDC_SCOPES,
  ScopeConfigError,
  ScopeError,
  toScopeList,
  withinCeiling,
  type GrantedScope,
  type ScopeDecision,
  type WithinCeilingOptions,
} from "../../src/index.js";

/** Runs the guard and returns the ScopeError it throws, failing the test if it does not throw one. */
function refusal(requested: unknown, options: WithinCeilingOptions): ScopeError {
  try {
    withinCeiling(requested, options);
  } catch (error) {
    if (error instanceof ScopeError) return error;
    throw error;
  }
  throw new Error("expected a ScopeError, but the guard granted");
}

function refused(requested: unknown, options: WithinCeilingOptions) {
  const { error, reason, offending } = refusal(requested, options);
  return { error, reason, offending: [...offending] };
}

const ceiling = "read:users write:users read:orders";

describe("requested scope: client input", () => {
  it.each([undefined, null, "", []])("treats %j as omitted", (omitted) => {
    expect(refused(omitted, { ceiling })).toEqual({ error: "invalid_scope", reason: "missing", offending: [] });
    expect(withinCeiling(omitted, { ceiling, defaultScopes: "read:users" })).toBe("read:users");
  });

  it("accepts a space-separated string and an array of tokens alike", () => {
    expect(withinCeiling("read:users read:orders", { ceiling })).toBe("read:users read:orders");
    expect(withinCeiling(["read:users", "read:orders"], { ceiling })).toBe("read:users read:orders");
  });

  it("accepts every character RFC 6749 section 3.3 allows in a scope-token", () => {
    const everyAllowed = ["!", ...Array.from({ length: 0x5b - 0x23 + 1 }, (_, i) => String.fromCharCode(0x23 + i)), ...Array.from({ length: 0x7e - 0x5d + 1 }, (_, i) => String.fromCharCode(0x5d + i))].join("");
    expect(withinCeiling(everyAllowed, { ceiling: [everyAllowed], forbidden: [] })).toBe(everyAllowed);
  });

  it.each([
    ["a double space", "read:users  read:orders"],
    ["a leading space", " read:users"],
    ["a trailing space", "read:users "],
    ["a tab", "read:users\tread:orders"],
    ["a newline", "read:users\nread:orders"],
    ["a double quote", 'read:"users"'],
    ["a backslash", "read:users\\"],
    ["a control character", "read:users\u0000"],
    ["DEL", "read:users\u007f"],
    ["non-ASCII", "read:usérs"],
    ["a lone space", " "],
  ])("rejects a string with %s as malformed", (_, input) => {
    expect(refused(input, { ceiling })).toEqual({ error: "invalid_scope", reason: "malformed", offending: [] });
  });

  it.each([
    ["a number", 42],
    ["a boolean", true],
    ["an object", { scope: "read:users" }],
    ["a function", () => "read:users"],
    ["an array with a number", ["read:users", 1]],
    ["an array with a space inside an entry", ["read:users read:orders"]],
    ["an array with an empty entry", ["read:users", ""]],
    ["a nested array", [["read:users"]]],
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point
    ["a sparse array", [, "read:users"]],
    ["a boxed string", Object("read:users") as unknown],
  ])("rejects %s as malformed", (_, input) => {
    expect(refused(input, { ceiling }).reason).toBe("malformed");
  });

  it("never echoes the raw input in a malformed refusal", () => {
    const hostile = '<script>alert("x")</script>';
    const error = refusal(hostile, { ceiling });
    expect(error.message).not.toContain("alert");
    expect(JSON.stringify(error.toJSON())).not.toContain("alert");
  });

  it("compares case-sensitively: INSIGHT:READ is not insight:read", () => {
    expect(refused("INSIGHT:READ", { ceiling: "insight:read" })).toEqual({
      error: "invalid_scope",
      reason: "outside-ceiling",
      offending: ["INSIGHT:READ"],
    });
  });

  it("collapses duplicates and keeps the request's first-occurrence order", () => {
    expect(withinCeiling("read:orders read:users read:orders", { ceiling })).toBe("read:orders read:users");
  });
});

describe("configuration: server data", () => {
  it("trims entries and drops blank ones", () => {
    expect(withinCeiling("a b", { ceiling: ["  a ", "", "\tb\n", "   "] })).toBe("a b");
    expect(withinCeiling("a b", { ceiling: "\n a \t\t b \r\n" })).toBe("a b");
  });

  it.each([
    ["a missing ceiling", { ceiling: undefined }],
    ["a null ceiling", { ceiling: null }],
    ["a ceiling that is a number", { ceiling: 5 }],
    ["a ceiling with a non-string entry", { ceiling: ["a", 5] }],
    ["a ceiling entry with a quote", { ceiling: ['a"b'] }],
    ["a ceiling entry with inner space in an array", { ceiling: ["a b"] }],
    ["a ceiling entry with non-ASCII", { ceiling: "café" }],
    ["a bad carve-out", { ceiling: "a", carveOut: ["\\"] }],
    ["a bad forbidden list", { ceiling: "a", forbidden: 7 }],
    ["a bad default", { ceiling: "a", defaultScopes: ["é"] }],
    ["a bad original", { ceiling: "a", original: [null] }],
    ["an unknown match strategy", { ceiling: "a", match: "prefix" }],
    ["an unknown onExcess", { ceiling: "a", onExcess: "drop" }],
    ["an onDecision that is not a function", { ceiling: "a", onDecision: "log" }],
    ["an unknown option (a typo)", { ceiling: "a", forbiden: ["admin"] }],
    ["a scope both forbidden and in the carve-out", { ceiling: "a", forbidden: "openid" }],
    ["a hierarchic ceiling entry with an empty segment", { ceiling: "a..b", match: "hierarchic" }],
    ["a bare * under wildcard", { ceiling: "a *", match: "wildcard" }],
    ["a wildcard pattern with an empty segment", { ceiling: "a..*", match: "wildcard" }],
    ['defaultScopes "ceiling" with a wildcard pattern', { ceiling: "a.*", match: "wildcard", defaultScopes: "ceiling" }],
  ])("throws ScopeConfigError (a TypeError) for %s", (_, options) => {
    const run = () => withinCeiling("a", options as unknown as WithinCeilingOptions);
    expect(run).toThrow(ScopeConfigError);
    expect(run).toThrow(TypeError);
    expect(run).not.toThrow(ScopeError);
  });

  it("throws ScopeConfigError for options that are not an object", () => {
    expect(() => withinCeiling("a", undefined as unknown as WithinCeilingOptions)).toThrow(ScopeConfigError);
    expect(() => withinCeiling("a", "a" as unknown as WithinCeilingOptions)).toThrow(ScopeConfigError);
  });

  it("checks the configuration before the request: a bad config wins over a bad request", () => {
    expect(() => withinCeiling(42, { ceiling: ["ok", "not ok"] })).toThrow(ScopeConfigError);
  });

  it("does not call onDecision for configuration errors", () => {
    const onDecision = vi.fn();
    expect(() => withinCeiling("a", { ceiling: null as unknown as string, onDecision })).toThrow(ScopeConfigError);
    expect(onDecision).not.toHaveBeenCalled();
  });

  it("fails closed: an empty ceiling grants only the carve-out", () => {
    expect(withinCeiling("openid email", { ceiling: [] })).toBe("openid email");
    expect(withinCeiling("openid", { ceiling: "  " })).toBe("openid");
    expect(refused("read:users", { ceiling: [] }).reason).toBe("outside-ceiling");
  });

  it("sees a change to a mutable ceiling array between calls", () => {
    const mutable = ["a"];
    expect(withinCeiling("a", { ceiling: mutable })).toBe("a");
    mutable[0] = "b";
    expect(refused("a", { ceiling: mutable }).reason).toBe("outside-ceiling");
  });

  it("never confuses two cached ceilings that start alike", () => {
    const long = (last: string) => [...Array.from({ length: 20 }, (_, i) => `s${String(i)}`), last];
    expect(withinCeiling("x", { ceiling: long("x") })).toBe("x");
    expect(refused("x", { ceiling: long("y") }).reason).toBe("outside-ceiling");
    expect(withinCeiling("x", { ceiling: long("x") })).toBe("x");
  });

  it("never caches a bad configuration", () => {
    const bad = ["a", "b c"];
    expect(() => withinCeiling("a", { ceiling: bad })).toThrow(ScopeConfigError);
    expect(() => withinCeiling("a", { ceiling: bad })).toThrow(ScopeConfigError);
    expect(() => withinCeiling("a", { ceiling: "a é" })).toThrow(ScopeConfigError);
    expect(() => withinCeiling("a", { ceiling: "a é" })).toThrow(ScopeConfigError);
  });

  it("reuses a frozen ceiling safely", () => {
    const frozen = Object.freeze(["a", "b"]);
    expect(withinCeiling("a", { ceiling: frozen })).toBe("a");
    expect(withinCeiling("b a", { ceiling: frozen })).toBe("b a");
  });
});

describe("constants", () => {
  it("exports the OIDC scopes and the default carve-out as frozen arrays", () => {
    expect(OIDC_SCOPES).toEqual(["openid", "profile", "email"]);
    expect(DEFAULT_CARVE_OUT).toEqual(["openid", "profile", "email", "introspection"]);
    expect(Object.isFrozen(OIDC_SCOPES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CARVE_OUT)).toBe(true);
  });

  it("grants [openid, introspection] under a ceiling that lists neither", () => {
    expect(withinCeiling(["openid", "introspection"], { ceiling: "read:users" })).toBe("openid introspection");
  });

  it("replaces the carve-out when one is given; [] removes it", () => {
    expect(refused("openid", { ceiling: "a", carveOut: [] }).reason).toBe("outside-ceiling");
    expect(withinCeiling("health", { ceiling: "a", carveOut: "health" })).toBe("health");
    expect(refused("introspection", { ceiling: "a", carveOut: OIDC_SCOPES }).reason).toBe("outside-ceiling");
  });

  it("matches the carve-out exactly, whatever the strategy", () => {
    expect(refused("openid.extra", { ceiling: [], match: "hierarchic" }).reason).toBe("outside-ceiling");
  });
});

describe("issuance", () => {
  it("uses defaultScopes as if requested when the request is omitted", () => {
    expect(withinCeiling(undefined, { ceiling, defaultScopes: "read:users openid" })).toBe("read:users openid");
    expect(withinCeiling("", { ceiling, defaultScopes: "ceiling" })).toBe("read:users write:users read:orders");
    expect(refused(undefined, { ceiling: "a", defaultScopes: "b" })).toEqual({ error: "invalid_scope", reason: "outside-ceiling", offending: ["b"] });
  });

  it('treats "" and [] as "no default"', () => {
    expect(refused(null, { ceiling, defaultScopes: "" }).reason).toBe("missing");
    expect(refused(null, { ceiling, defaultScopes: [] }).reason).toBe("missing");
    expect(refused(null, { ceiling: [], defaultScopes: "ceiling" }).reason).toBe("missing");
  });

  it("refuses a forbidden scope in both modes, even when the ceiling lists it", () => {
    for (const onExcess of ["reject", "narrow"] as const) {
      expect(refused("read:users * admin", { ceiling: "read:users * admin", forbidden: ["*", "admin"], onExcess })).toEqual({
        error: "invalid_scope",
        reason: "forbidden",
        offending: ["*", "admin"],
      });
    }
  });

  it('forbids "*" by default', () => {
    expect(refused("*", { ceiling: "*" }).reason).toBe("forbidden");
  });

  it("reject mode refuses the whole request and lists every outside scope in request order", () => {
    expect(refused("admin read:users delete:users admin", { ceiling })).toEqual({
      error: "invalid_scope",
      reason: "outside-ceiling",
      offending: ["admin", "delete:users"],
    });
  });

  it("narrow mode drops what is outside", () => {
    expect(withinCeiling("admin read:users openid", { ceiling, onExcess: "narrow" })).toBe("read:users openid");
  });

  it("narrow mode refuses when nothing is left", () => {
    expect(refused("admin root", { ceiling, onExcess: "narrow" })).toEqual({
      error: "invalid_scope",
      reason: "outside-ceiling",
      offending: ["admin", "root"],
    });
  });
});

describe("refresh (RFC 6749 section 6)", () => {
  const original = "read:users write:users openid";

  it("an omitted request means the original", () => {
    expect(withinCeiling(undefined, { ceiling, original })).toBe("read:users write:users openid");
  });

  it("an explicit request may narrow the original", () => {
    expect(withinCeiling("read:users", { ceiling, original })).toBe("read:users");
  });

  it("refuses a request for one extra scope, even one the ceiling allows", () => {
    expect(refused("read:users read:orders", { ceiling, original })).toEqual({
      error: "invalid_scope",
      reason: "not-originally-granted",
      offending: ["read:orders"],
    });
  });

  it("compares against the original exactly, whatever the match strategy", () => {
    expect(refused("users.read", { ceiling: "users", original: "users", match: "hierarchic" }).reason).toBe("not-originally-granted");
    expect(refused("docs:read", { ceiling: "docs:write", original: "docs:write", match: "write-implies-read" }).reason).toBe("not-originally-granted");
  });

  it("drops inherited scopes that a tightened ceiling no longer allows", () => {
    const onDecision = vi.fn<(decision: ScopeDecision) => void>();
    expect(withinCeiling(undefined, { ceiling: "read:users", original, onDecision })).toBe("read:users openid");
    expect(onDecision.mock.calls[0]?.[0].dropped).toEqual(["write:users"]);
  });

  it("reject mode refuses an explicitly named scope the ceiling no longer allows", () => {
    expect(refused("read:users write:users", { ceiling: "read:users", original })).toEqual({
      error: "invalid_scope",
      reason: "outside-ceiling",
      offending: ["write:users"],
    });
  });

  it("narrow mode drops an explicitly named scope the ceiling no longer allows", () => {
    expect(withinCeiling("read:users write:users", { ceiling: "read:users", original, onExcess: "narrow" })).toBe("read:users");
  });

  it("throws invalid_grant when nothing is left, so the client must re-authorize", () => {
    expect(refused(undefined, { ceiling: "other", original: "read:users", carveOut: [] })).toEqual({
      error: "invalid_grant",
      reason: "nothing-left",
      offending: [],
    });
    expect(refused("write:users", { ceiling: "read:users", original, onExcess: "narrow" }).error).toBe("invalid_grant");
  });

  it("treats an empty original as a refresh with nothing to keep", () => {
    expect(refused(undefined, { ceiling, original: "" }).error).toBe("invalid_grant");
    expect(refused(undefined, { ceiling, original: [] }).reason).toBe("nothing-left");
  });

  it("treats a null original as issuance", () => {
    expect(withinCeiling("read:orders", { ceiling, original: null })).toBe("read:orders");
  });

  it("drops inherited forbidden scopes silently and refuses explicitly named ones", () => {
    expect(withinCeiling(undefined, { ceiling: "a admin", original: "a admin", forbidden: "admin" })).toBe("a");
    expect(refused("a admin", { ceiling: "a admin", original: "a admin", forbidden: "admin" })).toEqual({
      error: "invalid_scope",
      reason: "forbidden",
      offending: ["admin"],
    });
  });

  it("keeps carve-out scopes of the original, and the original's order", () => {
    expect(withinCeiling(undefined, { ceiling: "b a", original: "openid a b" })).toBe("openid a b");
  });

  it("ignores defaultScopes on refresh", () => {
    expect(withinCeiling(undefined, { ceiling, original: "read:users", defaultScopes: "read:orders" })).toBe("read:users");
  });
});

describe("match strategies", () => {
  it("exact admits only equal scopes", () => {
    expect(refused("read", { ceiling: "read:users" }).reason).toBe("outside-ceiling");
  });

  it("write-implies-read: x:write admits x:read, split at the last colon", () => {
    const options = { ceiling: "docs:write a:b:write", match: "write-implies-read" } as const;
    expect(withinCeiling("docs:read docs:write a:b:read", options)).toBe("docs:read docs:write a:b:read");
    expect(refused("docs:delete", options).reason).toBe("outside-ceiling");
    expect(refused("a:read", options).reason).toBe("outside-ceiling");
    expect(refused("docs:write", { ceiling: "docs:read", match: "write-implies-read" }).reason).toBe("outside-ceiling");
  });

  it("hierarchic: a.b admits a.b and a.b.c, not a, not a.bc, never empty segments", () => {
    const options = { ceiling: "a.b", match: "hierarchic" } as const;
    expect(withinCeiling("a.b a.b.c a.b.c.d", options)).toBe("a.b a.b.c a.b.c.d");
    for (const outside of ["a", "a.bc", "a.b.", "a.b..c", ".a.b"]) {
      expect(refused(outside, options).reason).toBe("outside-ceiling");
    }
  });

  it("wildcard: * matches one or more whole segments", () => {
    const options = { ceiling: "foo.* x.*.z", match: "wildcard" } as const;
    expect(withinCeiling("foo.bar foo.bar.baz x.y.z x.y.w.z", options)).toBe("foo.bar foo.bar.baz x.y.z x.y.w.z");
    for (const outside of ["foo", "foobar", "foo.", "foo..bar", "x.z", "x.y.z.q"]) {
      expect(refused(outside, options).reason).toBe("outside-ceiling");
    }
  });

  it("wildcard: foo* is a literal; a requested * is never admitted by a pattern", () => {
    expect(withinCeiling("foo*", { ceiling: "foo*", match: "wildcard" })).toBe("foo*");
    expect(refused("foobar", { ceiling: "foo*", match: "wildcard" }).reason).toBe("outside-ceiling");
    expect(refused("foo.*", { ceiling: "foo.*.*", match: "wildcard" }).reason).toBe("outside-ceiling");
    // foo.* is a pattern, not a literal, so not even the equal string gets through it.
    expect(refused("foo.*", { ceiling: "foo.*", match: "wildcard" }).reason).toBe("outside-ceiling");
    expect(withinCeiling("a.b", { ceiling: "*.*", match: "wildcard" })).toBe("a.b");
    expect(refused("a", { ceiling: "*.*", match: "wildcard" }).reason).toBe("outside-ceiling");
  });

  it("wildcard stays fast on long scopes with many stars", () => {
    const scope = Array.from({ length: 2000 }, () => "a").join(".") + ".b";
    expect(refused(scope, { ceiling: "*.*.*.*.*.*.c", match: "wildcard" }).reason).toBe("outside-ceiling");
  });

  it("a custom function decides; only a real true admits", () => {
    const match = (entry: string, requested: string) => requested.startsWith(`${entry}/`);
    expect(withinCeiling("repo/1 repo/2", { ceiling: "repo", match })).toBe("repo/1 repo/2");
    expect(refused("repo", { ceiling: "repo", match }).reason).toBe("outside-ceiling");
    const truthy = (() => "yes") as unknown as (entry: string, requested: string) => boolean;
    expect(refused("repo", { ceiling: "repo", match: truthy }).reason).toBe("outside-ceiling");
  });
});

describe("onDecision", () => {
  it("is called once with what was requested, granted and dropped", () => {
    const onDecision = vi.fn<(decision: ScopeDecision) => void>();
    withinCeiling("read:users admin", { ceiling, onExcess: "narrow", onDecision });
    expect(onDecision).toHaveBeenCalledTimes(1);
    expect(onDecision).toHaveBeenCalledWith({
      mode: "issue",
      requested: ["read:users", "admin"],
      granted: ["read:users"],
      dropped: ["admin"],
      outcome: "granted",
    });
  });

  it("reports refusals with the error, and null for omitted or malformed requests", () => {
    const onDecision = vi.fn<(decision: ScopeDecision) => void>();
    expect(() => withinCeiling("x", { ceiling, original: "read:users", onDecision })).toThrow(ScopeError);
    expect(() => withinCeiling(7, { ceiling, onDecision })).toThrow(ScopeError);
    expect(onDecision.mock.calls.map(([decision]) => decision)).toEqual([
      {
        mode: "refresh",
        requested: ["x"],
        granted: [],
        dropped: [],
        outcome: "rejected",
        error: { error: "invalid_scope", reason: "not-originally-granted", offending: ["x"] },
      },
      {
        mode: "issue",
        requested: null,
        granted: [],
        dropped: [],
        outcome: "rejected",
        error: { error: "invalid_scope", reason: "malformed", offending: [] },
      },
    ]);
  });

  it("propagates its own error: no scope is returned when the audit fails", () => {
    const auditDown = new Error("audit log unavailable");
    expect(() =>
      withinCeiling("read:users", {
        ceiling,
        onDecision: () => {
          throw auditDown;
        },
      }),
    ).toThrow(auditDown);
  });
});

describe("ScopeError", () => {
  it("carries the OAuth error, status 400, reason and a frozen offending list", () => {
    const error = refusal("admin", { ceiling });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ScopeError");
    expect(error.status).toBe(400);
    expect(Object.isFrozen(error.offending)).toBe(true);
  });

  it("serialises to an RFC 6749 section 5.2 body with only allowed characters", () => {
    const body = refusal("admin root", { ceiling }).toJSON();
    expect(Object.keys(body)).toEqual(["error", "error_description"]);
    expect(body.error).toBe("invalid_scope");
    expect(body.error_description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
    expect(body.error_description).toContain("admin root");
  });

  it("names at most ten offending scopes in the description", () => {
    const many = Array.from({ length: 25 }, (_, i) => `s${String(i)}`);
    const error = refusal(many, { ceiling });
    expect(error.offending).toHaveLength(25);
    expect(error.message).toContain("and 15 more");
    expect(error.message).not.toContain("s10");
  });
});

describe("toScopeList", () => {
  it("splits a grant into a frozen list", () => {
    const list = toScopeList(withinCeiling("read:users openid", { ceiling }));
    expect(list).toEqual(["read:users", "openid"]);
    expect(Object.isFrozen(list)).toBe(true);
  });

  it("refuses a value that cannot be a grant", () => {
    expect(() => toScopeList("a  b" as GrantedScope)).toThrow(TypeError);
    expect(() => toScopeList(42 as unknown as GrantedScope)).toThrow(TypeError);
  });
});
