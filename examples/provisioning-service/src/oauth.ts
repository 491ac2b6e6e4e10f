/**
 * OAuth protocol plumbing that is not about scope: the errors the service answers with besides the
 * guard's `ScopeError`, request parameters, and client authentication at the token endpoint.
 */
import { ScopeError } from "scope-ceiling";
import type { Application, Store } from "./store.js";

export type OAuthErrorCode = "invalid_request" | "invalid_client" | "invalid_grant" | "unauthorized_client" | "unsupported_grant_type" | "unsupported_response_type";

/** An RFC 6749 error other than a scope refusal (those are the guard's `ScopeError`). */
export class OAuthError extends Error {
  override readonly name = "OAuthError";
  readonly error: OAuthErrorCode;
  readonly status: 400 | 401;

  constructor(error: OAuthErrorCode, description: string, status: 400 | 401 = 400) {
    super(description);
    this.error = error;
    this.status = status;
  }

  /** The JSON body of an RFC 6749 section 5.2 error response. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}

export function invalidGrant(description: string): OAuthError {
  return new OAuthError("invalid_grant", description);
}

/** Request parameters: a parsed query string, form body or JSON object. */
export type Parameters = Readonly<Record<string, unknown>>;

export function asParameters(value: unknown): Parameters {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new OAuthError("invalid_request", "The request body must be a form or a JSON object");
  }
  return value as Parameters;
}

/** A parameter that may be sent at most once, as a string (RFC 6749 section 3.1: no repeated parameters). */
export function optionalParameter(parameters: Parameters, name: string): string | undefined {
  const value = parameters[name];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw new OAuthError("invalid_request", `The ${name} parameter must be given once, as a string`);
  return value;
}

export function requiredParameter(parameters: Parameters, name: string): string {
  const value = optionalParameter(parameters, name);
  if (value === undefined) throw new OAuthError("invalid_request", `The ${name} parameter is missing`);
  return value;
}

/**
 * The scope parameter as the client sent it, for the guard. RFC 6749 section 3.3 makes it one
 * space-delimited string: a repeated parameter, or a JSON array, number, object, boolean or null, is
 * refused as malformed, like a malformed string (which the guard refuses itself).
 */
export function scopeParameter(parameters: Parameters): string | undefined {
  const value = parameters.scope;
  if (value === undefined || typeof value === "string") return value;
  throw new ScopeError("invalid_scope", "malformed");
}

/** `application/x-www-form-urlencoded` decoding of one HTTP Basic credential (RFC 6749 section 2.3.1). */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

function basicCredentials(header: string): { id: string; secret: string } {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  const decoded = match?.[1] === undefined ? "" : Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) throw new OAuthError("invalid_client", "The Authorization header is not valid HTTP Basic client authentication", 401);
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new OAuthError("invalid_client", "The Authorization header is not valid HTTP Basic client authentication", 401);
  }
}

/**
 * Client authentication at the token endpoint (RFC 6749 section 2.3.1): HTTP Basic, or `client_id` and
 * `client_secret` in the body, never both. Every client of this service is confidential.
 */
export function authenticateClient(store: Store, authorization: string | undefined, parameters: Parameters): Application {
  const bodySecret = optionalParameter(parameters, "client_secret");
  const bodyId = optionalParameter(parameters, "client_id");
  let credentials: { id: string; secret: string };
  if (authorization !== undefined) {
    if (bodySecret !== undefined) throw new OAuthError("invalid_request", "Use one client authentication method, not two");
    credentials = basicCredentials(authorization);
    if (bodyId !== undefined && bodyId !== credentials.id) throw new OAuthError("invalid_request", "client_id does not match the authenticated client");
  } else {
    if (bodyId === undefined || bodySecret === undefined) throw new OAuthError("invalid_client", "Client authentication is required", 401);
    credentials = { id: bodyId, secret: bodySecret };
  }
  const application = store.applications.authenticate(credentials.id, credentials.secret);
  if (application === undefined) throw new OAuthError("invalid_client", "Client authentication failed", 401);
  return application;
}
