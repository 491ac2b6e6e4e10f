/**
 * Drives the provisioning service example over real HTTP (fetch on 127.0.0.1) against its real SQLite
 * database, a temp file that the test reads with its own connection.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect } from "vitest";
import { hashSecret } from "../../examples/provisioning-service/src/store.js";
import { startService, type Service, type ServiceOptions } from "../../examples/provisioning-service/src/service.js";

export interface TestApplication {
  readonly id: string;
  readonly secret: string;
  readonly redirectUri: string;
}

/** Everything that a refused request must leave as it was. */
export interface Snapshot {
  readonly codes: unknown[];
  readonly accessTokens: unknown[];
  readonly refreshTokens: unknown[];
}

export interface TokenAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

export interface AuthorizeAnswer {
  readonly status: number;
  /** The redirect target, when there is one. */
  readonly location: URL | undefined;
  readonly body: string;
}

export interface Harness {
  readonly service: Service;
  /** The test's own connection to the service's database file. */
  readonly database: Database.Database;
  /** Errors the service treated as bugs (500); the tests expect none. */
  readonly internalErrors: unknown[];
  /** Seconds; the service's clock reads it. */
  now: number;
  registerApplication(allowedScopes: string): TestApplication;
  /** What an administrator does: a direct update of the application's ceiling, from another connection. */
  setCeiling(application: TestApplication, allowedScopes: string): void;
  snapshot(): Snapshot;
  /** Asserts that nothing that `before` recorded changed and no row was added. */
  expectUnchanged(before: Snapshot): void;
  authorize(query: Record<string, string | string[]>): Promise<AuthorizeAnswer>;
  token(body: Record<string, unknown>, options?: { application?: TestApplication; auth?: "basic" | "body" | "none"; json?: boolean }): Promise<TokenAnswer>;
  /** Consent and code exchange, both expected to succeed. */
  grant(application: TestApplication, scope: string): Promise<{ access_token: string; refresh_token: string; scope: string }>;
  refreshTokenRow(token: string): { id: number; scope: string; revoked_at: number | null; parent_id: number | null } | undefined;
  close(): Promise<void>;
}

let applications = 0;

export async function startHarness(options: ServiceOptions = {}): Promise<Harness> {
  const folder = mkdtempSync(join(tmpdir(), "provisioning-service-"));
  const databasePath = join(folder, "provisioning.sqlite");
  const internalErrors: unknown[] = [];
  // The service's clock: real time unless a test moves it.
  const clock = { now: Math.floor(Date.now() / 1000) };
  const service = await startService({ ...options, databasePath, clock: () => clock.now, onInternalError: (error) => internalErrors.push(error) });
  const database = new Database(databasePath);
  database.pragma("busy_timeout = 5000");

  const harness: Harness = {
    service,
    database,
    internalErrors,
    get now() {
      return clock.now;
    },
    set now(value: number) {
      clock.now = value;
    },
    registerApplication(allowedScopes) {
      applications += 1;
      const application = { id: `app-${String(applications)}`, secret: `secret-${String(applications)}-${"x".repeat(24)}`, redirectUri: `https://app-${String(applications)}.example/callback?from=test` };
      service.store.applications.register({ ...application, name: `Test application ${String(applications)}`, allowedScopes });
      return application;
    },
    setCeiling(application, allowedScopes) {
      database.prepare("UPDATE applications SET allowed_scopes = ? WHERE id = ?").run(allowedScopes, application.id);
    },
    snapshot() {
      return {
        codes: database.prepare("SELECT * FROM authorization_codes ORDER BY id").all(),
        accessTokens: database.prepare("SELECT * FROM access_tokens ORDER BY id").all(),
        refreshTokens: database.prepare("SELECT * FROM refresh_tokens ORDER BY id").all(),
      };
    },
    expectUnchanged(before) {
      expect(harness.snapshot()).toEqual(before);
    },
    async authorize(query) {
      const url = new URL("/authorize", service.url);
      for (const [name, value] of Object.entries(query)) {
        for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, one);
      }
      const response = await fetch(url, { redirect: "manual" });
      const location = response.headers.get("location");
      return { status: response.status, location: location === null ? undefined : new URL(location), body: await response.text() };
    },
    async token(body, { application, auth = "basic", json = false } = {}) {
      const headers: Record<string, string> = {};
      const fields: Record<string, unknown> = { ...body };
      if (application !== undefined && auth === "basic") {
        headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(application.id)}:${encodeURIComponent(application.secret)}`).toString("base64")}`;
      } else if (application !== undefined && auth === "body") {
        fields.client_id = application.id;
        fields.client_secret = application.secret;
      }
      let payload: string;
      if (json) {
        headers["content-type"] = "application/json";
        payload = JSON.stringify(fields);
      } else {
        const form = new URLSearchParams();
        for (const [name, value] of Object.entries(fields)) {
          for (const one of Array.isArray(value) ? value : [value]) form.append(name, String(one));
        }
        headers["content-type"] = "application/x-www-form-urlencoded";
        payload = form.toString();
      }
      const response = await fetch(new URL("/token", service.url), { method: "POST", headers, body: payload });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
    },
    async grant(application, scope) {
      const consent = await harness.authorize({ response_type: "code", client_id: application.id, scope });
      const code = consent.location?.searchParams.get("code");
      if (code === null || code === undefined) throw new Error(`consent refused: ${String(consent.location)}`);
      const answer = await harness.token({ grant_type: "authorization_code", code }, { application });
      if (answer.status !== 200) throw new Error(`code exchange refused: ${JSON.stringify(answer.body)}`);
      return answer.body as { access_token: string; refresh_token: string; scope: string };
    },
    refreshTokenRow(token) {
      return database
        .prepare<[string], { id: number; scope: string; revoked_at: number | null; parent_id: number | null }>("SELECT id, scope, revoked_at, parent_id FROM refresh_tokens WHERE token_hash = ?")
        .get(hashSecret(token));
    },
    async close() {
      database.close();
      await service.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
  return harness;
}

/** An RFC 6749 section 5.2 error answer: the status, and a body of exactly `error` and `error_description`. */
export function expectOAuthError(answer: TokenAnswer, status: number, error: string): void {
  expect({ status: answer.status, error: answer.body.error }).toEqual({ status, error });
  expect(Object.keys(answer.body).sort()).toEqual(["error", "error_description"]);
  expect(answer.body.error_description).toEqual(expect.any(String));
  expect(answer.headers.get("cache-control")).toBe("no-store");
}
