/**
 * The provisioning service example, end to end: the three issuance paths over real HTTP against its
 * real SQLite database. After every refused request the database is read back: no token or code row
 * was written, and no existing token was revoked or code consumed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectOAuthError, startHarness, type Harness, type TestApplication } from "./provisioning-harness.js";

const CEILING = "reports:read reports:write users:read";

/** Strings the guard must refuse as malformed (RFC 6749 section 3.3), on consent and on refresh. */
const MALFORMED_SCOPES = [
  "reports:read  reports:write", // two spaces
  " reports:read", // leading space
  "reports:read ", // trailing space
  "reports:read\treports:write", // a tab
  "reports:read\nusers:read", // a newline
  'reports:"read"', // %x22 is not a scope character
  "reports:read\\", // nor is %x5C
  "rapports:lecture:é", // nor anything outside ASCII
];

/** JSON scope values that are not a string: never a scope, whatever they hold. */
const NON_STRING_SCOPES: unknown[] = [42, true, null, ["reports:read"], { scope: "reports:read" }, []];

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness.close();
});
afterEach(() => {
  expect(harness.internalErrors).toEqual([]);
});

function consentQuery(application: TestApplication, scope: string | string[] | undefined, extra: Record<string, string> = {}): Record<string, string | string[]> {
  return { response_type: "code", client_id: application.id, ...(scope === undefined ? {} : { scope }), state: "st-123", ...extra };
}

describe("consent: GET /authorize", () => {
  it("stores a code with the requested scope when it is within the ceiling, and redirects with it and the state", async () => {
    const application = harness.registerApplication(CEILING);
    const before = harness.snapshot();
    const answer = await harness.authorize(consentQuery(application, "reports:read openid"));
    expect(answer.status).toBe(302);
    const location = answer.location;
    if (location === undefined) throw new Error("no redirect");
    expect(`${location.origin}${location.pathname}`).toBe(`https://${application.id}.example/callback`);
    expect(location.searchParams.get("from")).toBe("test");
    expect(location.searchParams.get("state")).toBe("st-123");
    expect(location.searchParams.get("code")).toMatch(/^[\w-]{43}$/);
    const codes = harness.snapshot().codes;
    expect(codes).toHaveLength(before.codes.length + 1);
    expect(codes.at(-1)).toMatchObject({ client_id: application.id, scope: "reports:read openid", used_at: null, redirect_uri: null });
    expect(harness.snapshot().accessTokens).toEqual(before.accessTokens);
  });

  it.each([
    ["a scope outside the ceiling", "reports:read admin", "invalid_scope"],
    ["only scopes outside the ceiling", "admin", "invalid_scope"],
    ["the forbidden wildcard", "*", "invalid_scope"],
    ["a scope in another case", "REPORTS:READ", "invalid_scope"],
    ["no scope (there is no default)", undefined, "invalid_scope"],
    ["an empty scope (treated as omitted)", "", "invalid_scope"],
    ["a repeated scope parameter", ["reports:read", "users:read"], "invalid_scope"],
  ])("refuses %s through the redirect URI and stores nothing", async (_label, scope, error) => {
    const application = harness.registerApplication(CEILING);
    const before = harness.snapshot();
    const answer = await harness.authorize(consentQuery(application, scope));
    expect(answer.status).toBe(302);
    expect(answer.location?.searchParams.get("error")).toBe(error);
    expect(answer.location?.searchParams.get("error_description")).toEqual(expect.any(String));
    expect(answer.location?.searchParams.get("state")).toBe("st-123");
    expect(answer.location?.searchParams.has("code")).toBe(false);
    harness.expectUnchanged(before);
  });

  it.each(MALFORMED_SCOPES)("refuses the malformed scope %j and stores nothing", async (scope) => {
    const application = harness.registerApplication(CEILING);
    const before = harness.snapshot();
    const answer = await harness.authorize(consentQuery(application, scope));
    expect(answer.location?.searchParams.get("error")).toBe("invalid_scope");
    expect(answer.location?.searchParams.get("error_description")).toBe("The requested scope is malformed");
    harness.expectUnchanged(before);
  });

  it("refuses a response_type other than code through the redirect URI", async () => {
    const application = harness.registerApplication(CEILING);
    const before = harness.snapshot();
    const answer = await harness.authorize(consentQuery(application, "reports:read", { response_type: "token" }));
    expect(answer.location?.searchParams.get("error")).toBe("unsupported_response_type");
    harness.expectUnchanged(before);
  });

  it.each([
    ["an unregistered redirect URI", (application: TestApplication) => consentQuery(application, "reports:read", { redirect_uri: "https://attacker.example/callback" })],
    ["a redirect URI that only starts like the registered one", (application: TestApplication) => consentQuery(application, "reports:read", { redirect_uri: `${application.redirectUri}&x=1` })],
    ["an unknown client", (application: TestApplication) => consentQuery(application, "reports:read", { client_id: `${application.id}-unknown` })],
    ["no client_id", () => ({ response_type: "code", scope: "reports:read" })],
  ])("answers %s with 400 and no redirect (RFC 6749 section 4.1.2.1), even for an out-of-ceiling scope", async (_label, query) => {
    const application = harness.registerApplication(CEILING);
    const before = harness.snapshot();
    for (const scope of ["reports:read", "admin"]) {
      const answer = await harness.authorize({ ...query(application), scope });
      expect(answer.status).toBe(400);
      expect(answer.location).toBeUndefined();
      expect(JSON.parse(answer.body)).toMatchObject({ error: "invalid_request" });
    }
    harness.expectUnchanged(before);
  });

  it("accepts the registered redirect URI when it is sent, and remembers that it was", async () => {
    const application = harness.registerApplication(CEILING);
    const answer = await harness.authorize(consentQuery(application, "users:read", { redirect_uri: application.redirectUri }));
    expect(answer.location?.searchParams.get("code")).toEqual(expect.any(String));
    expect(harness.snapshot().codes.at(-1)).toMatchObject({ redirect_uri: application.redirectUri, scope: "users:read" });
  });
});

describe("direct mint: POST /token, grant_type=authorization_code", () => {
  async function consent(application: TestApplication, scope: string, extra: Record<string, string> = {}): Promise<string> {
    const answer = await harness.authorize(consentQuery(application, scope, extra));
    const code = answer.location?.searchParams.get("code");
    if (code === undefined || code === null) throw new Error("consent was refused");
    return code;
  }

  it.each(["basic", "body"] as const)("exchanges an in-ceiling code for an access token and a refresh token (client authentication: %s)", async (auth) => {
    const application = harness.registerApplication(CEILING);
    const code = await consent(application, "reports:read reports:write");
    const before = harness.snapshot();
    const answer = await harness.token({ grant_type: "authorization_code", code }, { application, auth });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^[\w-]{43}$/) as unknown,
      token_type: "Bearer",
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^[\w-]{43}$/) as unknown,
      scope: "reports:read reports:write",
    });
    const after = harness.snapshot();
    expect(after.accessTokens).toHaveLength(before.accessTokens.length + 1);
    expect(after.refreshTokens).toHaveLength(before.refreshTokens.length + 1);
    expect(after.accessTokens.at(-1)).toMatchObject({ client_id: application.id, user_id: "demo-user", scope: "reports:read reports:write", revoked_at: null });
    expect(after.refreshTokens.at(-1)).toMatchObject({ client_id: application.id, scope: "reports:read reports:write", revoked_at: null });
    expect(after.codes.at(-1)).toMatchObject({ used_at: harness.now });
    // Only hashes are stored.
    expect(JSON.stringify(after)).not.toContain(String(answer.body.access_token));
    expect(JSON.stringify(after)).not.toContain(code);
  });

  it("re-checks the code's scope against the current ceiling: tightened after consent, the exchange is refused and writes nothing", async () => {
    const application = harness.registerApplication(CEILING);
    const code = await consent(application, "reports:read reports:write");
    harness.setCeiling(application, "reports:read");
    const before = harness.snapshot();
    const answer = await harness.token({ grant_type: "authorization_code", code }, { application });
    expectOAuthError(answer, 400, "invalid_scope");
    expect(answer.body.error_description).toBe("The requested scope exceeds the scope allowed for this client: reports:write");
    harness.expectUnchanged(before);
  });

  it("refuses a replayed code with invalid_grant and writes or revokes nothing", async () => {
    const application = harness.registerApplication(CEILING);
    const code = await consent(application, "reports:read");
    expect((await harness.token({ grant_type: "authorization_code", code }, { application })).status).toBe(200);
    const before = harness.snapshot();
    for (const auth of ["basic", "body"] as const) {
      expectOAuthError(await harness.token({ grant_type: "authorization_code", code }, { application, auth }), 400, "invalid_grant");
    }
    harness.expectUnchanged(before);
  });

  it("refuses a code issued to another client, an unknown code, a wrong redirect URI and an expired code", async () => {
    const application = harness.registerApplication(CEILING);
    const other = harness.registerApplication(CEILING);
    const code = await consent(application, "reports:read", { redirect_uri: application.redirectUri });
    const before = harness.snapshot();
    expectOAuthError(await harness.token({ grant_type: "authorization_code", code, redirect_uri: application.redirectUri }, { application: other }), 400, "invalid_grant");
    expectOAuthError(await harness.token({ grant_type: "authorization_code", code: `${code}x`, redirect_uri: application.redirectUri }, { application }), 400, "invalid_grant");
    expectOAuthError(await harness.token({ grant_type: "authorization_code", code }, { application }), 400, "invalid_grant");
    expectOAuthError(await harness.token({ grant_type: "authorization_code", code, redirect_uri: "https://attacker.example/" }, { application }), 400, "invalid_grant");
    const issuedAt = harness.now;
    harness.now = issuedAt + 600;
    expectOAuthError(await harness.token({ grant_type: "authorization_code", code, redirect_uri: application.redirectUri }, { application }), 400, "invalid_grant");
    harness.now = issuedAt;
    harness.expectUnchanged(before);
    // None of those refusals consumed it.
    expect((await harness.token({ grant_type: "authorization_code", code, redirect_uri: application.redirectUri }, { application })).status).toBe(200);
  });

  it("authenticates the client for real: wrong or missing credentials are invalid_client (401), two methods are invalid_request", async () => {
    const application = harness.registerApplication(CEILING);
    const code = await consent(application, "reports:read");
    const before = harness.snapshot();
    const impostor = { ...application, secret: `${application.secret}-wrong` };
    for (const auth of ["basic", "body"] as const) {
      const answer = await harness.token({ grant_type: "authorization_code", code }, { application: impostor, auth });
      expectOAuthError(answer, 401, "invalid_client");
      expect(answer.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    }
    expectOAuthError(await harness.token({ grant_type: "authorization_code", code, client_id: application.id }, { auth: "none" }), 401, "invalid_client");
    expectOAuthError(await harness.token({ grant_type: "authorization_code", code, client_secret: application.secret }, { application, auth: "basic" }), 400, "invalid_request");
    harness.expectUnchanged(before);
  });

  it("refuses bad requests to the token endpoint with RFC 6749 errors and writes nothing", async () => {
    const application = harness.registerApplication(CEILING);
    const code = await consent(application, "reports:read");
    const before = harness.snapshot();
    expectOAuthError(await harness.token({ grant_type: "password", username: "u", password: "p" }, { application }), 400, "unsupported_grant_type");
    expectOAuthError(await harness.token({ code }, { application }), 400, "invalid_request");
    expectOAuthError(await harness.token({ grant_type: "authorization_code" }, { application }), 400, "invalid_request");
    expectOAuthError(await harness.token({ grant_type: "authorization_code", code: [code, code] }, { application }), 400, "invalid_request");
    expectOAuthError(await harness.token({ grant_type: "authorization_code", code: 12 }, { application, json: true }), 400, "invalid_request");
    const malformedJson = await fetch(new URL("/token", harness.service.url), { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(malformedJson.status).toBe(400);
    expect(await malformedJson.json()).toMatchObject({ error: "invalid_request" });
    harness.expectUnchanged(before);
  });
});

describe("refresh: POST /token, grant_type=refresh_token", () => {
  it("narrows to the requested subset, rotates the refresh token, and keeps the original grant on the new one", async () => {
    const application = harness.registerApplication(CEILING);
    const granted = await harness.grant(application, "reports:read reports:write");
    const before = harness.snapshot();
    const answer = await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token, scope: "reports:read" }, { application });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: "Bearer", scope: "reports:read" });
    const after = harness.snapshot();
    expect(after.accessTokens).toHaveLength(before.accessTokens.length + 1);
    expect(after.accessTokens.at(-1)).toMatchObject({ scope: "reports:read", client_id: application.id });
    expect(after.refreshTokens).toHaveLength(before.refreshTokens.length + 1);
    const old = harness.refreshTokenRow(granted.refresh_token);
    const rotated = harness.refreshTokenRow(String(answer.body.refresh_token));
    expect(old).toMatchObject({ revoked_at: harness.now, scope: "reports:read reports:write" });
    expect(rotated).toMatchObject({ revoked_at: null, scope: "reports:read reports:write", parent_id: old?.id });
    // Omitting the scope on the next refresh means the original grant, not the narrowed token.
    const next = await harness.token({ grant_type: "refresh_token", refresh_token: String(answer.body.refresh_token) }, { application, auth: "body" });
    expect(next.body.scope).toBe("reports:read reports:write");
  });

  it("narrows to the current ceiling when it was tightened between issuance and refresh", async () => {
    const application = harness.registerApplication(CEILING);
    const granted = await harness.grant(application, "reports:read reports:write users:read");
    harness.setCeiling(application, "reports:read users:read");
    const answer = await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token }, { application });
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe("reports:read users:read");
    expect(harness.snapshot().accessTokens.at(-1)).toMatchObject({ scope: "reports:read users:read" });
    // The rotated refresh token keeps the grant as originally made (RFC 6749 section 6) ...
    expect(harness.refreshTokenRow(String(answer.body.refresh_token))?.scope).toBe("reports:read reports:write users:read");
    // ... but access tokens minted from it stay within the ceiling.
    const again = await harness.token({ grant_type: "refresh_token", refresh_token: String(answer.body.refresh_token), scope: "reports:read reports:write" }, { application });
    expectOAuthError(again, 400, "invalid_scope");
    expect(again.body.error_description).toBe("The requested scope exceeds the scope allowed for this client: reports:write");
  });

  it("refuses a refresh that asks for a scope the grant did not hold, even one within the ceiling, and changes nothing", async () => {
    const application = harness.registerApplication(CEILING);
    const granted = await harness.grant(application, "reports:read");
    const before = harness.snapshot();
    for (const scope of ["reports:read users:read", "users:read", "admin", "*"]) {
      const answer = await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token, scope }, { application });
      expectOAuthError(answer, 400, "invalid_scope");
    }
    harness.expectUnchanged(before);
    // The refresh token is still the caller's to use.
    expect((await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token }, { application })).status).toBe(200);
  });

  it("answers invalid_grant when nothing of the grant is left, without revoking the caller's refresh token", async () => {
    const application = harness.registerApplication(CEILING);
    const granted = await harness.grant(application, "reports:read reports:write");
    harness.setCeiling(application, "users:read");
    const before = harness.snapshot();
    for (const auth of ["basic", "body"] as const) {
      const answer = await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token }, { application, auth });
      expectOAuthError(answer, 400, "invalid_grant");
      expect(answer.body.error_description).toMatch(/re-authorization is required/);
    }
    // Naming a scope of the grant that the ceiling no longer allows is the client asking for too much.
    expectOAuthError(await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token, scope: "reports:read" }, { application }), 400, "invalid_scope");
    harness.expectUnchanged(before);
    expect(harness.refreshTokenRow(granted.refresh_token)?.revoked_at).toBeNull();
    // Once the ceiling allows part of the grant again, the same refresh token works.
    harness.setCeiling(application, "reports:read");
    const answer = await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token }, { application });
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe("reports:read");
  });

  it("refuses a replayed refresh token with invalid_grant and writes or revokes nothing", async () => {
    const application = harness.registerApplication(CEILING);
    const granted = await harness.grant(application, "reports:read");
    const first = await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token }, { application });
    expect(first.status).toBe(200);
    const before = harness.snapshot();
    for (const scope of [undefined, "reports:read"]) {
      const replay = await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token, ...(scope === undefined ? {} : { scope }) }, { application });
      expectOAuthError(replay, 400, "invalid_grant");
    }
    harness.expectUnchanged(before);
    expect(harness.refreshTokenRow(String(first.body.refresh_token))?.revoked_at).toBeNull();
  });

  it("refuses a refresh token of another client, an unknown one and an expired one", async () => {
    const application = harness.registerApplication(CEILING);
    const other = harness.registerApplication(CEILING);
    const granted = await harness.grant(application, "reports:read");
    const before = harness.snapshot();
    expectOAuthError(await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token }, { application: other }), 400, "invalid_grant");
    expectOAuthError(await harness.token({ grant_type: "refresh_token", refresh_token: granted.access_token }, { application }), 400, "invalid_grant");
    expectOAuthError(await harness.token({ grant_type: "refresh_token" }, { application }), 400, "invalid_request");
    const issuedAt = harness.now;
    harness.now = issuedAt + 30 * 24 * 3600;
    expectOAuthError(await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token }, { application }), 400, "invalid_grant");
    harness.now = issuedAt;
    harness.expectUnchanged(before);
  });

  it.each(MALFORMED_SCOPES)("refuses the malformed scope %j as invalid_scope and changes nothing", async (scope) => {
    const application = harness.registerApplication(CEILING);
    const granted = await harness.grant(application, "reports:read reports:write");
    const before = harness.snapshot();
    for (const json of [false, true]) {
      const answer = await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token, scope }, { application, json });
      expectOAuthError(answer, 400, "invalid_scope");
      expect(answer.body.error_description).toBe("The requested scope is malformed");
    }
    harness.expectUnchanged(before);
  });

  it.each(NON_STRING_SCOPES.map((scope) => [JSON.stringify(scope), scope]))("refuses the JSON scope value %s as invalid_scope and changes nothing", async (_label, scope) => {
    const application = harness.registerApplication(CEILING);
    const granted = await harness.grant(application, "reports:read reports:write");
    const before = harness.snapshot();
    const answer = await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token, scope }, { application, json: true });
    expectOAuthError(answer, 400, "invalid_scope");
    expect(answer.body.error_description).toBe("The requested scope is malformed");
    harness.expectUnchanged(before);
  });

  it("refuses a repeated scope form parameter as invalid_scope and changes nothing", async () => {
    const application = harness.registerApplication(CEILING);
    const granted = await harness.grant(application, "reports:read reports:write");
    const before = harness.snapshot();
    expectOAuthError(await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token, scope: ["reports:read", "reports:read"] }, { application }), 400, "invalid_scope");
    harness.expectUnchanged(before);
  });
});

describe("atomicity: a failure after the guard granted", () => {
  it("rolls back the whole mint: the code stays unused, the refresh token unrevoked, no token row is left behind", async () => {
    const application = harness.registerApplication(CEILING);
    const granted = await harness.grant(application, "reports:read");
    const consent = await harness.authorize(consentQuery(application, "reports:read"));
    const code = consent.location?.searchParams.get("code") ?? "";
    // The access token insert, which comes last in both transactions, fails for this client.
    harness.database.exec(`CREATE TRIGGER fail_mint BEFORE INSERT ON access_tokens WHEN NEW.client_id = '${application.id}'
                           BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`);
    try {
      const before = harness.snapshot();
      for (const body of [{ grant_type: "authorization_code", code }, { grant_type: "refresh_token", refresh_token: granted.refresh_token }]) {
        const answer = await harness.token(body, { application });
        expect(answer.status).toBe(500);
        expect(answer.body).toMatchObject({ error: "server_error" });
      }
      harness.expectUnchanged(before);
      expect(harness.internalErrors).toHaveLength(2);
      harness.internalErrors.length = 0;
    } finally {
      harness.database.exec("DROP TRIGGER fail_mint");
    }
    expect((await harness.token({ grant_type: "authorization_code", code }, { application })).status).toBe(200);
    expect((await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token }, { application })).status).toBe(200);
  });
});
