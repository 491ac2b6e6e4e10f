/**
 * The three issuance paths. Each one grants `requested ∩ ceiling` through `withinCeiling`, and only
 * the guard's result is ever written as a code's or an access token's scope.
 *
 * - consent (`GET /authorize`): the request is checked against the ceiling before a code is stored;
 * - direct mint (`grant_type=authorization_code`): the code's scope is data, not proof, so it is checked
 *   again against the application's current ceiling, inside the transaction that consumes the code;
 * - refresh (`grant_type=refresh_token`): narrows from the refresh token's original grant, is decided
 *   before any row is touched, and rotates the refresh token in the same transaction as the mint.
 */
import { randomBytes } from "node:crypto";
import { withinCeiling } from "scope-ceiling";
import { OAuthError, invalidGrant, optionalParameter, requiredParameter, scopeParameter, type Parameters } from "./oauth.js";
import type { Application, Clock, Store } from "./store.js";

/** Lifetimes in seconds. */
export interface Lifetimes {
  readonly authorizationCode: number;
  readonly accessToken: number;
  readonly refreshToken: number;
}

export const DEFAULT_LIFETIMES: Lifetimes = { authorizationCode: 600, accessToken: 3600, refreshToken: 30 * 24 * 3600 };

/** RFC 6749 section 5.1. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: "Bearer";
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly scope: string;
}

export interface IssuanceContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly lifetimes: Lifetimes;
}

/** 256 random bits, URL-safe: codes, access tokens and refresh tokens. */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

export interface ConsentRequest {
  readonly application: Application;
  readonly userId: string;
  /** The redirect URI the client sent, already compared with the registered one; `undefined` when it sent none. */
  readonly redirectUri: string | undefined;
  readonly parameters: Parameters;
}

/**
 * Consent: the requested scope is checked against the application's ceiling before any code is
 * stored. Returns the new code, or throws `ScopeError` / `OAuthError` (nothing written).
 */
export function issueAuthorizationCode({ store, clock, lifetimes }: IssuanceContext, request: ConsentRequest): string {
  const responseType = requiredParameter(request.parameters, "response_type");
  if (responseType !== "code") throw new OAuthError("unsupported_response_type", "Only response_type=code is supported");
  const scope = withinCeiling(scopeParameter(request.parameters), { ceiling: request.application.allowedScopes });
  const code = newSecret();
  store.authorizationCodes.create({
    code,
    clientId: request.application.id,
    userId: request.userId,
    redirectUri: request.redirectUri ?? null,
    scope,
    expiresAt: clock() + lifetimes.authorizationCode,
  });
  return code;
}

/**
 * Direct mint: exchanges a code for an access token and a refresh token. The code is looked up, its
 * scope re-checked against the application's current ceiling, the code consumed and the tokens written
 * in one transaction; any refusal rolls it back, so a refused request writes nothing.
 */
export function exchangeAuthorizationCode({ store, clock, lifetimes }: IssuanceContext, client: Application, parameters: Parameters): TokenResponse {
  const presented = requiredParameter(parameters, "code");
  const redirectUri = optionalParameter(parameters, "redirect_uri");
  return store.transaction(() => {
    const now = clock();
    const code = store.authorizationCodes.find(presented);
    if (code?.clientId !== client.id) throw invalidGrant("The authorization code is not valid for this client");
    if (code.usedAt !== null) throw invalidGrant("The authorization code has already been used");
    if (code.expiresAt <= now) throw invalidGrant("The authorization code has expired");
    if (code.redirectUri !== null && code.redirectUri !== redirectUri) throw invalidGrant("redirect_uri does not match the authorization request");
    const application = store.applications.find(client.id);
    if (application === undefined) throw new OAuthError("invalid_client", "The client no longer exists", 401);

    // The ceiling may have shrunk since consent, and the stored scope is data, not proof.
    const scope = withinCeiling(code.scope, { ceiling: application.allowedScopes });

    // Single use, atomically: only one transaction can flip used_at from NULL.
    if (!store.authorizationCodes.consume(code.id, now)) throw invalidGrant("The authorization code has already been used");
    const accessToken = newSecret();
    const refreshToken = newSecret();
    const refreshTokenId = store.refreshTokens.create({
      token: refreshToken,
      clientId: client.id,
      userId: code.userId,
      scope,
      expiresAt: now + lifetimes.refreshToken,
      authorizationCodeId: code.id,
    });
    store.OAuthAccessToken.create({
      token: accessToken,
      clientId: client.id,
      userId: code.userId,
      scope,
      expiresAt: now + lifetimes.accessToken,
      authorizationCodeId: code.id,
      refreshTokenId,
    });
    return { access_token: accessToken, token_type: "Bearer", expires_in: lifetimes.accessToken, refresh_token: refreshToken, scope };
  });
}

/**
 * Refresh (RFC 6749 section 6): the new access token's scope narrows from the refresh token's original
 * grant and is cut to the application's current ceiling. The decision comes before any row is touched:
 * a refusal, including `invalid_grant` when nothing is left, leaves the caller's refresh token valid.
 * On success the refresh token is rotated: the old one is revoked and the new one keeps the original
 * grant's scope, so a later refresh can widen back up to it if the ceiling grows again.
 */
export function refreshAccessToken({ store, clock, lifetimes }: IssuanceContext, client: Application, parameters: Parameters): TokenResponse {
  const presented = requiredParameter(parameters, "refresh_token");
  const requested = scopeParameter(parameters);
  return store.transaction(() => {
    const now = clock();
    const previous = store.refreshTokens.find(presented);
    if (previous?.clientId !== client.id) throw invalidGrant("The refresh token is not valid for this client");
    if (previous.revokedAt !== null) throw invalidGrant("The refresh token has already been used or was revoked");
    if (previous.expiresAt <= now) throw invalidGrant("The refresh token has expired");
    const application = store.applications.find(client.id);
    if (application === undefined) throw new OAuthError("invalid_client", "The client no longer exists", 401);

    const scope = withinCeiling(requested, { ceiling: application.allowedScopes, original: previous.scope });

    // Single use, atomically: only one transaction can flip revoked_at from NULL.
    if (!store.refreshTokens.revoke(previous.id, now)) throw invalidGrant("The refresh token has already been used or was revoked");
    const accessToken = newSecret();
    const refreshToken = newSecret();
    const refreshTokenId = store.refreshTokens.create({
      token: refreshToken,
      clientId: client.id,
      userId: previous.userId,
      scope: previous.scope,
      expiresAt: previous.expiresAt,
      parentId: previous.id,
    });
    store.OAuthAccessToken.create({
      token: accessToken,
      clientId: client.id,
      userId: previous.userId,
      scope,
      expiresAt: now + lifetimes.accessToken,
      refreshTokenId,
    });
    return { access_token: accessToken, token_type: "Bearer", expires_in: lifetimes.accessToken, refresh_token: refreshToken, scope };
  });
}
