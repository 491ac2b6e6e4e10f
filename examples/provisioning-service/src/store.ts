/**
 * The service's database: SQLite through better-sqlite3, created and migrated on open, and a small
 * data-access object per table. Token values are never stored, only their SHA-256 hashes.
 *
 * `OAuthAccessToken.create` is named like the sinks that `scope-ceiling/require-within-ceiling` and
 * `scope-ceiling check` look for, and its `scope` is typed `GrantedScope`: every access token row's
 * scope must come from `withinCeiling(...)`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import Database from "better-sqlite3";
import type { GrantedScope } from "scope-ceiling";

/** Schema versions, applied in order; `PRAGMA user_version` records how many have run. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    secret_hash    TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    allowed_scopes TEXT NOT NULL, -- the scope ceiling, space-separated
    created_at     INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE authorization_codes (
    id           INTEGER PRIMARY KEY,
    code_hash    TEXT NOT NULL UNIQUE,
    client_id    TEXT NOT NULL REFERENCES applications (id),
    user_id      TEXT NOT NULL,
    redirect_uri TEXT,          -- as sent to /authorize; NULL when the client sent none
    scope        TEXT NOT NULL, -- granted at consent
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,       -- single use: set once, in the transaction that mints from it
    created_at   INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE refresh_tokens (
    id                    INTEGER PRIMARY KEY,
    token_hash            TEXT NOT NULL UNIQUE,
    client_id             TEXT NOT NULL REFERENCES applications (id),
    user_id               TEXT NOT NULL,
    scope                 TEXT NOT NULL, -- as originally granted; kept on rotation (RFC 6749 section 6)
    expires_at            INTEGER NOT NULL,
    revoked_at            INTEGER,       -- single use: set when rotated
    authorization_code_id INTEGER REFERENCES authorization_codes (id),
    parent_id             INTEGER REFERENCES refresh_tokens (id),
    created_at            INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE access_tokens (
    id                    INTEGER PRIMARY KEY,
    token_hash            TEXT NOT NULL UNIQUE,
    client_id             TEXT NOT NULL REFERENCES applications (id),
    user_id               TEXT NOT NULL,
    scope                 TEXT NOT NULL, -- always the result of withinCeiling
    expires_at            INTEGER NOT NULL,
    revoked_at            INTEGER,
    authorization_code_id INTEGER REFERENCES authorization_codes (id),
    refresh_token_id      INTEGER REFERENCES refresh_tokens (id), -- issued together with it
    created_at            INTEGER NOT NULL
  ) STRICT;
  `,
];

/** Seconds since the epoch; injectable so that tests can move time. */
export type Clock = () => number;
export const systemClock: Clock = () => Math.floor(Date.now() / 1000);

export interface Application {
  readonly id: string;
  readonly name: string;
  readonly redirectUri: string;
  /** The scope ceiling, space-separated. */
  readonly allowedScopes: string;
}

export interface NewApplication {
  readonly id: string;
  readonly name: string;
  readonly secret: string;
  readonly redirectUri: string;
  readonly allowedScopes: string;
}

export interface AuthorizationCode {
  readonly id: number;
  readonly clientId: string;
  readonly userId: string;
  readonly redirectUri: string | null;
  readonly scope: string;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

export interface RefreshToken {
  readonly id: number;
  readonly clientId: string;
  readonly userId: string;
  readonly scope: string;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

export interface NewAccessToken {
  readonly token: string;
  readonly clientId: string;
  readonly userId: string;
  /** Only `withinCeiling` makes one. */
  readonly scope: GrantedScope;
  readonly expiresAt: number;
  readonly authorizationCodeId?: number | undefined;
  readonly refreshTokenId?: number | undefined;
}

export interface NewAuthorizationCode {
  readonly code: string;
  readonly clientId: string;
  readonly userId: string;
  readonly redirectUri: string | null;
  /** Checked against the ceiling at consent; checked again when the code is exchanged. */
  readonly scope: GrantedScope;
  readonly expiresAt: number;
}

export interface NewRefreshToken {
  readonly token: string;
  readonly clientId: string;
  readonly userId: string;
  /**
   * The scope of the grant: what later refreshes may narrow from (the guard's `original`). It is
   * never written into an access token as it is, so it may be the grant being rotated.
   */
  readonly scope: string;
  readonly expiresAt: number;
  readonly authorizationCodeId?: number | undefined;
  readonly parentId?: number | undefined;
}

export interface Store {
  readonly database: Database.Database;
  readonly applications: {
    register(application: NewApplication): void;
    find(id: string): Application | undefined;
    /** The application when `secret` is its secret, compared in constant time. */
    authenticate(id: string, secret: string): Application | undefined;
  };
  readonly authorizationCodes: {
    create(code: NewAuthorizationCode): number;
    find(code: string): AuthorizationCode | undefined;
    /** Marks the code used; `false` when it already was (someone else won the race). */
    consume(id: number, at: number): boolean;
  };
  readonly OAuthAccessToken: {
    create(token: NewAccessToken): number;
  };
  readonly refreshTokens: {
    create(token: NewRefreshToken): number;
    find(token: string): RefreshToken | undefined;
    /** Revokes the token; `false` when it already was (replay, or a lost race). */
    revoke(id: number, at: number): boolean;
  };
  /** Runs `work` in one `BEGIN IMMEDIATE` transaction; a throw rolls everything back. */
  transaction<T>(work: () => T): T;
  close(): void;
}

/** Tokens, codes and secrets are stored as SHA-256 hashes: a copy of the database mints nothing. */
export function hashSecret(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

function withoutSecret({ id, name, redirectUri, allowedScopes }: Application): Application {
  return { id, name, redirectUri, allowedScopes };
}

/** Applies the migrations not yet applied, in one transaction (two processes starting at once apply them once). */
function migrate(database: Database.Database): void {
  database.transaction(() => {
    const applied = database.pragma("user_version", { simple: true });
    if (typeof applied !== "number" || applied > MIGRATIONS.length) {
      throw new Error(`provisioning-service: unknown schema version ${String(applied)}`);
    }
    for (let version = applied; version < MIGRATIONS.length; version++) {
      database.exec(MIGRATIONS[version] ?? "");
      database.pragma(`user_version = ${String(version + 1)}`);
    }
  }).immediate();
}

/** Opens (creating and migrating when needed) the database at `path`, a file or `":memory:"`. */
export function openStore(path: string, clock: Clock = systemClock): Store {
  const database = new Database(path);
  database.pragma("journal_mode = WAL");
  database.pragma("foreign_keys = ON");
  database.pragma("busy_timeout = 5000");
  migrate(database);

  const insertApplication = database.prepare<{ id: string; name: string; secretHash: string; redirectUri: string; allowedScopes: string; createdAt: number }>(
    `INSERT INTO applications (id, name, secret_hash, redirect_uri, allowed_scopes, created_at)
     VALUES (@id, @name, @secretHash, @redirectUri, @allowedScopes, @createdAt)`,
  );
  const selectApplication = database.prepare<[string], Application & { secretHash: string }>(
    `SELECT id, name, secret_hash AS secretHash, redirect_uri AS redirectUri, allowed_scopes AS allowedScopes
     FROM applications WHERE id = ?`,
  );

  const insertCode = database.prepare<{ codeHash: string; clientId: string; userId: string; redirectUri: string | null; scope: string; expiresAt: number; createdAt: number }>(
    `INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri, scope, expires_at, created_at)
     VALUES (@codeHash, @clientId, @userId, @redirectUri, @scope, @expiresAt, @createdAt)`,
  );
  const selectCode = database.prepare<[string], AuthorizationCode>(
    `SELECT id, client_id AS clientId, user_id AS userId, redirect_uri AS redirectUri, scope,
            expires_at AS expiresAt, used_at AS usedAt
     FROM authorization_codes WHERE code_hash = ?`,
  );
  const consumeCode = database.prepare<[number, number]>(`UPDATE authorization_codes SET used_at = ? WHERE id = ? AND used_at IS NULL`);

  const insertAccessToken = database.prepare<{ tokenHash: string; clientId: string; userId: string; scope: string; expiresAt: number; authorizationCodeId: number | null; refreshTokenId: number | null; createdAt: number }>(
    `INSERT INTO access_tokens (token_hash, client_id, user_id, scope, expires_at, authorization_code_id, refresh_token_id, created_at)
     VALUES (@tokenHash, @clientId, @userId, @scope, @expiresAt, @authorizationCodeId, @refreshTokenId, @createdAt)`,
  );

  const insertRefreshToken = database.prepare<{ tokenHash: string; clientId: string; userId: string; scope: string; expiresAt: number; authorizationCodeId: number | null; parentId: number | null; createdAt: number }>(
    `INSERT INTO refresh_tokens (token_hash, client_id, user_id, scope, expires_at, authorization_code_id, parent_id, created_at)
     VALUES (@tokenHash, @clientId, @userId, @scope, @expiresAt, @authorizationCodeId, @parentId, @createdAt)`,
  );
  const selectRefreshToken = database.prepare<[string], RefreshToken>(
    `SELECT id, client_id AS clientId, user_id AS userId, scope, expires_at AS expiresAt, revoked_at AS revokedAt
     FROM refresh_tokens WHERE token_hash = ?`,
  );
  const revokeRefreshToken = database.prepare<[number, number]>(`UPDATE refresh_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`);

  // A hash to compare with when the client is unknown, so that an unknown id costs the same as a wrong secret.
  const noSuchSecret = hashSecret("");

  return {
    database,
    applications: {
      register({ id, name, secret, redirectUri, allowedScopes }) {
        insertApplication.run({ id, name, secretHash: hashSecret(secret), redirectUri, allowedScopes, createdAt: clock() });
      },
      find(id) {
        const row = selectApplication.get(id);
        return row === undefined ? undefined : withoutSecret(row);
      },
      authenticate(id, secret) {
        const row = selectApplication.get(id);
        const expected = Buffer.from(row?.secretHash ?? noSuchSecret, "hex");
        const presented = Buffer.from(hashSecret(secret), "hex");
        if (!timingSafeEqual(expected, presented) || row === undefined) return undefined;
        return withoutSecret(row);
      },
    },
    authorizationCodes: {
      create({ code, clientId, userId, redirectUri, scope, expiresAt }) {
        const result = insertCode.run({ codeHash: hashSecret(code), clientId, userId, redirectUri, scope, expiresAt, createdAt: clock() });
        return Number(result.lastInsertRowid);
      },
      find(code) {
        return selectCode.get(hashSecret(code));
      },
      consume(id, at) {
        return consumeCode.run(at, id).changes === 1;
      },
    },
    OAuthAccessToken: {
      create({ token, clientId, userId, scope, expiresAt, authorizationCodeId, refreshTokenId }) {
        const result = insertAccessToken.run({
          tokenHash: hashSecret(token),
          clientId,
          userId,
          scope,
          expiresAt,
          authorizationCodeId: authorizationCodeId ?? null,
          refreshTokenId: refreshTokenId ?? null,
          createdAt: clock(),
        });
        return Number(result.lastInsertRowid);
      },
    },
    refreshTokens: {
      create({ token, clientId, userId, scope, expiresAt, authorizationCodeId, parentId }) {
        const result = insertRefreshToken.run({
          tokenHash: hashSecret(token),
          clientId,
          userId,
          scope,
          expiresAt,
          authorizationCodeId: authorizationCodeId ?? null,
          parentId: parentId ?? null,
          createdAt: clock(),
        });
        return Number(result.lastInsertRowid);
      },
      find(token) {
        return selectRefreshToken.get(hashSecret(token));
      },
      revoke(id, at) {
        return revokeRefreshToken.run(at, id).changes === 1;
      },
    },
    transaction(work) {
      return database.transaction(work).immediate();
    },
    close() {
      database.close();
    },
  };
}
