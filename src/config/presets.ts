import type { GuardConfig, PresetName, SinkConfig } from "./schema.js";

/** Methods of an ORM model that create a token row; the scope is in the first argument. */
const MODEL_CREATES: readonly SinkConfig[] = [
  { callee: ["**.OAuthAccessToken.create", "**.OAuthAccessToken.build", "new OAuthAccessToken"], scope: "0.scope" },
  { callee: "**.OAuthAccessToken.upsert", scope: "0.scope" },
  { callee: "**.OAuthAccessToken.findOrCreate", scope: "0.defaults.scope" },
  { callee: "**.OAuthAccessToken.bulkCreate", scope: "0[].scope" },
  // Sequelize's static update(values, options): checked where it writes a scope.
  { callee: "**.OAuthAccessToken.update", scope: "0.scope", scopeRequired: false },
  // The Django manager shape.
  { callee: "**.OAuthAccessToken.objects.create", scope: "0.scope" },
  { callee: ["**.OAuthAccessToken.objects.get_or_create", "**.OAuthAccessToken.objects.update_or_create"], scope: "0.defaults.scope" },
];

/** Prisma delegates, under any client (`prisma.x`, `tx.x`, `this.db.x`). */
const PRISMA_DELEGATES = ["**.oAuthAccessToken", "**.oauthAccessToken"];
const prisma = (method: string, scope: string, scopeRequired = true): SinkConfig => ({
  callee: PRISMA_DELEGATES.map((delegate) => `${delegate}.${method}`),
  scope,
  ...(scopeRequired ? {} : { scopeRequired }),
});

export const PRESETS: Readonly<Record<PresetName, readonly SinkConfig[]>> = {
  default: [
    ...MODEL_CREATES,
    prisma("create", "0.data.scope"),
    prisma("createMany", "0.data[].scope"),
    prisma("upsert", "0.create.scope"),
    // Update-like: checked only where they write a scope (a revocation writes none).
    prisma("upsert", "0.update.scope", false),
    prisma("update", "0.data.scope", false),
    prisma("updateMany", "0.data.scope", false),
  ],
  "better-auth": [{ callee: "**.adapter.create", where: { "0.model": "oauthAccessToken" }, scope: "0.data.scopes" }],
  // Checked only when the payload has a scope: most signed tokens are not access tokens.
  jwt: [
    { callee: "sign", from: "jsonwebtoken", scope: "0.scope", scopeRequired: false },
    { callee: "new SignJWT", from: "jose", scope: "0.scope", scopeRequired: false },
  ],
};


/** Always a guard, whatever the configuration says. */
export const BUILTIN_GUARDS: readonly GuardConfig[] = [{ name: "withinCeiling", from: "scope-ceiling", kind: "returns" }];
