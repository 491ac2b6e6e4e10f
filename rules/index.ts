/**
 * The ESLint plugin (flat config, ESLint 9 and 10): `scope-ceiling/eslint-plugin`.
 *
 *   import scopeCeiling from "scope-ceiling/eslint-plugin";
 *   export default [scopeCeiling.configs.recommended];
 */
import type { TSESLint } from "@typescript-eslint/utils";
import { packageVersion } from "../src/package-version.js";
import { noForgedGrant } from "./no-forged-grant.js";
import { requireWithinCeiling } from "./require-within-ceiling.js";


const rules = {
  "require-within-ceiling": requireWithinCeiling,
  "no-forged-grant": noForgedGrant,
};

interface Plugin {
  readonly meta: { readonly name: string; readonly version: string };
  readonly rules: typeof rules;
  readonly configs: { readonly recommended: TSESLint.FlatConfig.Config };
}

const plugin: Plugin = {
  meta: { name: "scope-ceiling", version: packageVersion() },
  rules,
  configs: {} as Plugin["configs"],
};

Object.assign(plugin.configs, {
  recommended: {
    name: "scope-ceiling/recommended",
    plugins: { "scope-ceiling": plugin },
    rules: {
      "scope-ceiling/require-within-ceiling": "error",
      "scope-ceiling/no-forged-grant": "error",
    },
  } satisfies TSESLint.FlatConfig.Config,
});

export default plugin;
export { rules };
