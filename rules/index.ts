/**
 * The ESLint plugin (flat config, ESLint 9 and 10): `scope-ceiling/eslint-plugin`.
 *
 *   import scopeCeiling from "scope-ceiling/eslint-plugin";
 *   export default [scopeCeiling.configs.recommended];
 */
import { readFileSync } from "node:fs";
import type { TSESLint } from "@typescript-eslint/utils";
import { noForgedGrant } from "./no-forged-grant.js";
import { requireWithinCeiling } from "./require-within-ceiling.js";

function packageVersion(): string {
  // The same file from rules/ (source) and dist/rules/ (built): look upwards for our package.json.
  for (const relative of ["../package.json", "../../package.json"]) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (manifest.name === "scope-ceiling" && manifest.version) return manifest.version;
    } catch {
      // not there: try the next folder up
    }
  }
  return "0.0.0";
}

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
