import { AST_NODE_TYPES, type TSESTree } from "@typescript-eslint/utils";
import { isGrantedTypeNode } from "../src/analysis/index.js";
import { findSuppressions } from "../src/analysis/suppressions.js";
import { createRule } from "./create-rule.js";

export const noForgedGrant = createRule({
  name: "no-forged-grant",
  meta: {
    type: "problem",
    docs: {
      description: "Disallow type assertions that forge a GrantedScope or GrantedScopeList",
    },
    messages: {
      forgedGrant: "This type assertion forges a {{type}}: only withinCeiling may produce one. Pass the value through withinCeiling instead.",
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    const file = { sourceCode: context.sourceCode, filename: context.filename, baseDir: context.cwd };
    let suppressed: ReadonlySet<number> | undefined;
    const check = (node: TSESTree.TSAsExpression | TSESTree.TSTypeAssertion) => {
      suppressed ??= findSuppressions(context.sourceCode).lines;
      if (suppressed.has(node.loc.start.line)) return;
      const type = node.typeAnnotation;
      if (!isGrantedTypeNode(file, type)) return;
      const name = type.type === AST_NODE_TYPES.TSTypeReference && type.typeName.type === AST_NODE_TYPES.Identifier ? type.typeName.name : "GrantedScope";
      context.report({ node, messageId: "forgedGrant", data: { type: name } });
    };
    return { TSAsExpression: check, TSTypeAssertion: check };
  },
});
