/**
 * Single use under load: many parallel requests presenting the same refresh token (or code) to the
 * provisioning service example. Exactly one wins; the database ends consistent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOAuthError, startHarness, type Harness } from "./provisioning-harness.js";

const PARALLEL = 20;

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness.close();
});

function count(sql: string, ...parameters: unknown[]): number {
  return harness.database.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM ${sql}`).get(...parameters)?.n ?? -1;
}

describe("parallel requests with one single-use credential", () => {
  it(`${String(PARALLEL)} parallel refreshes of one refresh token: exactly one succeeds, one new refresh token, the old one revoked`, async () => {
    const application = harness.registerApplication("reports:read reports:write");
    const granted = await harness.grant(application, "reports:read reports:write");
    const original = harness.refreshTokenRow(granted.refresh_token);

    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, index) =>
        harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token, ...(index % 2 === 0 ? { scope: "reports:read" } : {}) }, { application, auth: index % 3 === 0 ? "body" : "basic" }),
      ),
    );

    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of answers.filter((answer) => answer.status !== 200)) expectOAuthError(loser, 400, "invalid_grant");

    const winner = winners[0];
    const rotated = harness.refreshTokenRow(String(winner?.body.refresh_token));
    expect(harness.refreshTokenRow(granted.refresh_token)).toMatchObject({ id: original?.id, revoked_at: expect.any(Number) as unknown });
    expect(rotated).toMatchObject({ parent_id: original?.id, revoked_at: null, scope: "reports:read reports:write" });
    // The code's tokens, plus exactly one access token and one refresh token from the refresh.
    expect(count("refresh_tokens WHERE client_id = ?", application.id)).toBe(2);
    expect(count("refresh_tokens WHERE client_id = ? AND revoked_at IS NULL", application.id)).toBe(1);
    expect(count("refresh_tokens WHERE parent_id = ?", original?.id)).toBe(1);
    expect(count("access_tokens WHERE client_id = ?", application.id)).toBe(2);
    expect(count("access_tokens WHERE client_id = ? AND scope = ?", application.id, winner?.body.scope)).toBeGreaterThanOrEqual(1);
    expect(count("access_tokens WHERE client_id = ? AND revoked_at IS NOT NULL", application.id)).toBe(0);
    expect(harness.database.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(harness.database.pragma("foreign_key_check")).toEqual([]);

    // The winner's refresh token works; the original stays dead.
    expect((await harness.token({ grant_type: "refresh_token", refresh_token: String(winner?.body.refresh_token) }, { application })).status).toBe(200);
    expectOAuthError(await harness.token({ grant_type: "refresh_token", refresh_token: granted.refresh_token }, { application }), 400, "invalid_grant");
  });

  it(`${String(PARALLEL)} parallel exchanges of one authorization code: exactly one succeeds`, async () => {
    const application = harness.registerApplication("reports:read");
    const consent = await harness.authorize({ response_type: "code", client_id: application.id, scope: "reports:read" });
    const code = consent.location?.searchParams.get("code") ?? "";
    const answers = await Promise.all(Array.from({ length: PARALLEL }, () => harness.token({ grant_type: "authorization_code", code }, { application })));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const loser of answers.filter((answer) => answer.status !== 200)) expectOAuthError(loser, 400, "invalid_grant");
    expect(count("access_tokens WHERE client_id = ?", application.id)).toBe(1);
    expect(count("refresh_tokens WHERE client_id = ?", application.id)).toBe(1);
    expect(count("authorization_codes WHERE client_id = ? AND used_at IS NOT NULL", application.id)).toBe(1);
  });
});
