import * as parser from "@typescript-eslint/parser";
import { RuleTester, type InvalidTestCase, type ValidTestCase } from "@typescript-eslint/rule-tester";
import { RuleTester as RuleTester9 } from "eslint9";
import { afterAll, describe, it } from "vitest";
import { noForgedGrant } from "../../rules/no-forged-grant.js";
import { requireWithinCeiling, type MESSAGES } from "../../rules/require-within-ceiling.js";
import type { ScopeCeilingOptions } from "../../src/config/schema.js";

type Options = [ScopeCeilingOptions];

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const header = 'import { withinCeiling } from "scope-ceiling";\n';

const valid: ValidTestCase<Options>[] = [
  { name: "guarded inline", code: `${header}export async function f(b, c) { await OAuthAccessToken.create({ scope: withinCeiling(b.scope, { ceiling: c }) }); }` },
  { name: "no options means the default preset", code: `export async function f(b) { await User.create({ scope: b.scope }); }` },
  {
    name: "a configured returns guard",
    code: `import { clamp } from "@app/scopes";\nexport async function f(b) { await OAuthAccessToken.create({ scope: clamp(b.scope) }); }`,
    options: [{ guards: [{ name: "clamp", from: "@app/scopes", kind: "returns" }] }],
  },
  {
    name: "a configured sink with where, for another model",
    code: `export async function f(b) { await db.adapter.create({ model: "session", data: { scopes: b.scope } }); }`,
    options: [{ sinks: [{ callee: "**.adapter.create", where: { "0.model": "oauthAccessToken" }, scope: "0.data.scopes" }] }],
  },
  {
    name: "presets: [] turns the built-in sinks off",
    code: `export async function f(b) { await OAuthAccessToken.create({ scope: b.scope }); }`,
    options: [{ presets: [] }],
  },
  { name: "a grant typed through import()", code: `export async function f(s: import("scope-ceiling").GrantedScope) { await OAuthAccessToken.create({ scope: s }); }` },
];

const invalid: InvalidTestCase<keyof typeof MESSAGES, Options>[] = [
  {
    name: "raw request scope",
    code: `export async function f(req) {\n  await OAuthAccessToken.create({ scope: req.body.scope });\n}`,
    errors: [{ messageId: "unguardedScope", line: 2, column: 42, data: { sink: "OAuthAccessToken.create", reason: "the scope comes from inside parameter `req`, which is client input" } }],
  },
  {
    name: "a configured sink with where, for the token model",
    code: `export async function f(b) { await db.adapter.create({ model: "oauthAccessToken", data: { scopes: b.scope } }); }`,
    options: [{ sinks: [{ callee: "**.adapter.create", where: { "0.model": "oauthAccessToken" }, scope: "0.data.scopes" }] }],
    errors: [{ messageId: "unguardedScope" }],
  },
  {
    name: "where matches a member expression ending in the name",
    code: `export async function f(b) { await db.adapter.create({ model: Models.oauthAccessToken, data: { scopes: b.scope } }); }`,
    options: [{ sinks: [{ callee: "**.adapter.create", where: { "0.model": "oauthAccessToken" }, scope: "0.data.scopes" }] }],
    errors: [{ messageId: "unguardedScope" }],
  },
  {
    name: "a configured guard from a relative module does not match a different module",
    code: `import { clamp } from "./elsewhere";\nexport async function f(b) { await OAuthAccessToken.create({ scope: clamp(b.scope) }); }`,
    options: [{ guards: [{ name: "clamp", from: "@app/scopes", kind: "returns" }] }],
    errors: [{ messageId: "unguardedScope", data: { sink: "OAuthAccessToken.create", reason: "`clamp(...)` is not a guard" } }],
  },
  {
    name: "missing scope is reported at the callee",
    code: `export async function f() {\n  await OAuthAccessToken.create({ userId: 1 });\n}`,
    errors: [{ messageId: "missingScope", line: 2, column: 33 }],
  },
  {
    name: "a missing first argument",
    code: `export async function f() { await OAuthAccessToken.create(); }`,
    errors: [{ messageId: "missingScope" }],
  },
  {
    name: "discarded guard result",
    code: `${header}export function f(b, c) { withinCeiling(b.scope, { ceiling: c }); }`,
    errors: [{ messageId: "unusedGuardResult", data: { guard: "withinCeiling" } }],
  },
  {
    name: "the definition that breaks the proof is named with its line",
    code: `${header}export async function f(b, c) {\n  let s = withinCeiling(b.scope, { ceiling: c });\n  if (c.length) s = b.scope;\n  await OAuthAccessToken.create({ scope: s });\n}`,
    errors: [{ messageId: "unguardedScope", line: 5, data: { sink: "OAuthAccessToken.create", reason: "the scope comes from inside parameter `b`, which is client input (line 4)" } }],
  },
];

describe("require-within-ceiling (ESLint 10, typescript-eslint RuleTester)", () => {
  const tester = new RuleTester({ languageOptions: { parser } });
  tester.run("require-within-ceiling", requireWithinCeiling, { valid, invalid });
});

describe("require-within-ceiling (ESLint 9 RuleTester)", () => {
  it("holds the same cases", () => {
    const tester = new RuleTester9({ languageOptions: { parser } });
    tester.run("require-within-ceiling", requireWithinCeiling as never, { valid, invalid } as never);
  });
});

describe("options are validated by the schema", () => {
  it.each([
    ["an unknown key", { sink: [] }],
    ["an unknown preset", { presets: ["sequelize"] }],
    ["a guard without a kind", { guards: [{ name: "check" }] }],
    ["a bad scope path", { sinks: [{ callee: "x.create", scope: "data.scope" }] }],
    ["a bad callee", { sinks: [{ callee: "x..create", scope: "0.scope" }] }],
  ])("rejects %s", (_, options) => {
    const tester = new RuleTester9({ languageOptions: { parser } });
    let error: unknown;
    try {
      tester.run("require-within-ceiling", requireWithinCeiling as never, { valid: [{ code: "x", options: [options] }], invalid: [] });
    } catch (caught) {
      error = caught;
    }
    if (!(error instanceof Error) || !/Value|schema|Options|options/i.test(error.message)) throw new Error(`expected a schema error, got ${String(error)}`);
  });
});

describe("no-forged-grant", () => {
  const tester = new RuleTester({ languageOptions: { parser } });
  tester.run("no-forged-grant", noForgedGrant, {
    valid: [
      { code: `import type { GrantedScope } from "scope-ceiling";\nconst s: GrantedScope = withinCeiling("a", { ceiling: "a" });` },
      { code: `type GrantedScope = string & { brand: true };\nexport const s = "a" as GrantedScope;` },
      { code: `import type { GrantedScope } from "./my-types";\nexport const s = "a" as GrantedScope;` },
    ],
    invalid: [
      { code: `import type { GrantedScope } from "scope-ceiling";\nexport const s = "admin" as GrantedScope;`, errors: [{ messageId: "forgedGrant", data: { type: "GrantedScope" } }] },
      { code: `import type { GrantedScope as G } from "scope-ceiling";\nexport const s = <G>"admin";`, errors: [{ messageId: "forgedGrant" }] },
      { code: `import type * as sc from "scope-ceiling";\nexport const s = "admin" as unknown as sc.GrantedScopeList;`, errors: [{ messageId: "forgedGrant" }] },
      { code: `export const s = "admin" as import("scope-ceiling").GrantedScope;`, errors: [{ messageId: "forgedGrant" }] },
      { code: `type GrantedScope = import("scope-ceiling").GrantedScope;\nexport const s = "admin" as GrantedScope;`, errors: [{ messageId: "forgedGrant" }] },
      { code: `import type { GrantedScope } from "scope-ceiling";\ntype Grant = GrantedScope;\nexport const s = "admin" as Grant;`, errors: [{ messageId: "forgedGrant" }] },
    ],
  });
});
