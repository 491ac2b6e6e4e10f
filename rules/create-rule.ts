import { ESLintUtils } from "@typescript-eslint/utils";

export const createRule = ESLintUtils.RuleCreator((name) => `https://github.com/scope-ceiling/scope-ceiling/blob/main/docs/rules/${name}.md`);
