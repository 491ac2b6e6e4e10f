import type { TSESTree } from "@typescript-eslint/utils";
import { FORGED_GRANT_MESSAGE, forgedGrantType } from "../src/analysis/forged-grant.js";
import { findSuppressions } from "../src/analysis/suppressions.js";
import { createRule } from "./create-rule.js";
import { typeOracle } from "./type-info.js";

export const noForgedGrant = createRule({
  name: "no-forged-grant",
  meta: {
    type: "problem",
    docs: {
      description: "Disallow type assertions that forge a GrantedScope or GrantedScopeList",
    },
    messages: {
      forgedGrant: FORGED_GRANT_MESSAGE,
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    const file = { sourceCode: context.sourceCode, filename: context.filename, baseDir: context.cwd };
    const typed = typeOracle(context);
    let suppressed: ReadonlySet<number> | undefined;
    const check = (node: TSESTree.TSAsExpression | TSESTree.TSTypeAssertion) => {
      suppressed ??= findSuppressions(context.sourceCode).lines;
      if (suppressed.has(node.loc.start.line)) return;
      const type = forgedGrantType(file, node, typed);
      if (type !== null) context.report({ node, messageId: "forgedGrant", data: { type } });
    };
    return { TSAsExpression: check, TSTypeAssertion: check };
  },
});
