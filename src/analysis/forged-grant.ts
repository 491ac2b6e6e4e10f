import { AST_NODE_TYPES, type TSESTree } from "@typescript-eslint/utils";
import type { FileContext } from "./bindings.js";
import type { GrantedTypeOracle } from "./evaluate.js";
import { variableOf } from "./bindings.js";
import { GRANTED_TYPE_NAMES, isGrantedTypeNode } from "./granted-type.js";

export const FORGED_GRANT_MESSAGE = "This type assertion forges a {{type}}: only withinCeiling may produce one. Pass the value through withinCeiling instead.";

/**
 * The grant type a type assertion forges, or null. Syntactically: the package's type, a namespace
 * or `import()` reference to it, or a local alias. With type information: any type that is the
 * package's brand, however it is named (an alias declared in another file, say).
 */
export function forgedGrantType(file: FileContext, node: TSESTree.TSAsExpression | TSESTree.TSTypeAssertion, typedGranted?: GrantedTypeOracle): string | null {
  const type = node.typeAnnotation;
  if (declaresGrantType(file, type)) return null;
  if (!isGrantedTypeNode(file, type) && !typedGranted?.(node)) return null;
  if (type.type === AST_NODE_TYPES.TSTypeReference && type.typeName.type === AST_NODE_TYPES.Identifier) return type.typeName.name;
  return "GrantedScope";
}

/** The module that declares `GrantedScope` itself (the package's own source) brands its values. */
function declaresGrantType(file: FileContext, type: TSESTree.TypeNode): boolean {
  if (type.type !== AST_NODE_TYPES.TSTypeReference || type.typeName.type !== AST_NODE_TYPES.Identifier) return false;
  const declaration = variableOf(file, type.typeName)?.defs[0]?.node;
  // A declaration of its own, not an alias of the package's (`type GrantedScope = sc.GrantedScope` is forged as usual).
  return declaration?.type === AST_NODE_TYPES.TSTypeAliasDeclaration && GRANTED_TYPE_NAMES.has(declaration.id.name) && !isGrantedTypeNode(file, declaration.typeAnnotation);
}
