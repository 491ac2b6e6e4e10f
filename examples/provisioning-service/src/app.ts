/** The HTTP front: Express 5 routes for `GET /authorize` and `POST /token`, and RFC 6749 error bodies. */
import express, { type ErrorRequestHandler, type Express } from "express";
import { ScopeError } from "scope-ceiling";
import { exchangeAuthorizationCode, issueAuthorizationCode, refreshAccessToken, type IssuanceContext } from "./issuance.js";
import { OAuthError, asParameters, authenticateClient, optionalParameter, requiredParameter } from "./oauth.js";

export interface AppOptions extends IssuanceContext {
  /**
   * The resource owner who consents at `/authorize`. This example has no login page or consent screen:
   * a real server authenticates the user and asks them here.
   */
  readonly userId: string;
  /** Errors that are bugs (anything but a refusal of the client's request). Default: `console.error`. */
  readonly onInternalError?: ((error: unknown) => void) | undefined;
}

/** The body parsers' refusals (malformed JSON, a body too large, an unknown charset): 4xx errors they mark as safe to expose. */
function isClientHttpError(error: unknown): error is { status: number } {
  return (
    typeof error === "object" && error !== null && "expose" in error && error.expose === true &&
    "status" in error && typeof error.status === "number" && error.status >= 400 && error.status < 500
  );
}

export function createApp(options: AppOptions): Express {
  const { store } = options;
  const app = express();
  app.disable("x-powered-by");
  app.disable("etag");
  // Repeated query or form parameters arrive as arrays, which the parameter helpers refuse.
  app.set("query parser", "simple");

  app.get("/authorize", (req, res) => {
    res.set("Cache-Control", "no-store");
    const parameters = asParameters(req.query);
    // Who is asking and where the answer goes. A problem here is answered with 400 and never redirected
    // (RFC 6749 section 4.1.2.1): the redirect URI cannot be trusted.
    const clientId = requiredParameter(parameters, "client_id");
    const application = store.applications.find(clientId);
    if (application === undefined) throw new OAuthError("invalid_request", "Unknown client_id");
    const redirectUri = optionalParameter(parameters, "redirect_uri");
    if (redirectUri !== undefined && redirectUri !== application.redirectUri) {
      throw new OAuthError("invalid_request", "redirect_uri is not registered for this client");
    }

    // From here on, the answer, success or error, goes back through the registered redirect URI.
    const callback = new URL(application.redirectUri);
    let state: string | undefined;
    try {
      state = optionalParameter(parameters, "state");
      const code = issueAuthorizationCode(options, { application, userId: options.userId, redirectUri, parameters });
      callback.searchParams.set("code", code);
    } catch (error) {
      if (!(error instanceof ScopeError || error instanceof OAuthError)) throw error;
      callback.searchParams.set("error", error.error);
      callback.searchParams.set("error_description", error.message);
    }
    if (state !== undefined) callback.searchParams.set("state", state);
    res.redirect(302, callback.href);
  });

  app.post("/token", express.urlencoded({ extended: false, limit: "16kb" }), express.json({ limit: "16kb" }), (req, res) => {
    res.set({ "Cache-Control": "no-store", Pragma: "no-cache" });
    const parameters = asParameters(req.body);
    const client = authenticateClient(store, req.get("authorization"), parameters);
    const grantType = requiredParameter(parameters, "grant_type");
    switch (grantType) {
      case "authorization_code":
        res.json(exchangeAuthorizationCode(options, client, parameters));
        return;
      case "refresh_token":
        res.json(refreshAccessToken(options, client, parameters));
        return;
      default:
        throw new OAuthError("unsupported_grant_type", "Supported grant types: authorization_code, refresh_token");
    }
  });

  const answerErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof ScopeError) {
      res.status(error.status).json(error.toJSON());
    } else if (error instanceof OAuthError) {
      if (error.status === 401) res.set("WWW-Authenticate", 'Basic realm="provisioning-service"');
      res.status(error.status).json(error.toJSON());
    } else if (isClientHttpError(error)) {
      res.status(error.status).json({ error: "invalid_request", error_description: "The request body could not be read" });
    } else {
      // A ScopeConfigError (a bad ceiling in the database) lands here too: a bug, not the client's fault.
      (options.onInternalError ?? console.error)(error);
      res.status(500).json({ error: "server_error", error_description: "The server could not handle the request" });
    }
  };
  app.use(answerErrors);
  return app;
}
