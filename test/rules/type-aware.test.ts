import * as parser from "@typescript-eslint/parser";
import { RuleTester } from "@typescript-eslint/rule-tester";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { requireWithinCeiling } from "../../rules/require-within-ceiling.js";
import { FIXTURES } from "../harness/expectations.js";

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

// With type information (needs `npm run build`: "scope-ceiling" resolves to this package's types).
const tester = new RuleTester({
  languageOptions: { parser, parserOptions: { project: "./tsconfig.json", tsconfigRootDir: join(FIXTURES, "typed") } },
});
const header = `import type { GrantedScope } from "scope-ceiling";\ndeclare const OAuthAccessToken: { create(values: object): Promise<void> };\n`;

tester.run("require-within-ceiling with type information", requireWithinCeiling, {
  valid: [
    { name: "a call typed GrantedScope", filename: "file.ts", code: `${header}declare function grantFor(id: string): GrantedScope;\nexport async function f(id: string) { await OAuthAccessToken.create({ scope: grantFor(id) }); }` },
    { name: "a property typed GrantedScope", filename: "file.ts", code: `${header}export async function f(session: { grant: GrantedScope }) { await OAuthAccessToken.create({ scope: session.grant }); }` },
  ],
  invalid: [
    {
      name: "a cast is never trusted",
      filename: "file.ts",
      code: `${header}export async function f(body: { scope: string }) {\n  const scope = body.scope as GrantedScope;\n  await OAuthAccessToken.create({ scope });\n}`,
      errors: [{ messageId: "unguardedScope", line: 5 }],
    },
    {
      name: "a string-typed call is not proven",
      filename: "file.ts",
      code: `${header}declare function scopeFor(id: string): string;\nexport async function f(id: string) { await OAuthAccessToken.create({ scope: scopeFor(id) }); }`,
      errors: [{ messageId: "unguardedScope" }],
    },
    {
      name: "a type merely named GrantedScope proves nothing",
      filename: "file.ts",
      code: `declare const OAuthAccessToken: { create(values: object): Promise<void> };\ntype GrantedScope = string & { granted: true };\ndeclare function grantFor(id: string): GrantedScope;\nexport async function f(id: string) { await OAuthAccessToken.create({ scope: grantFor(id) }); }`,
      errors: [{ messageId: "unguardedScope" }],
    },
  ],
});
