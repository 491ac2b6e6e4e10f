// Dogfooding: the package's own ESLint plugin over the example service (run by .ci/run after the build).
//   npx eslint --config eslint.dogfood.config.js examples
import tsParser from "@typescript-eslint/parser";
import scopeCeiling from "scope-ceiling/eslint-plugin";

export default [
  { ignores: ["**/node_modules/", "dist/"] },
  { files: ["**/*.ts"], languageOptions: { parser: tsParser } },
  scopeCeiling.configs.recommended,
];
