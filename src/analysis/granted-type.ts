import { AST_NODE_TYPES, type TSESTree } from "@typescript-eslint/utils";
import { bindingOf, isSameModule, variableOf, type FileContext } from "./bindings.js";
import type { Node } from "./syntax.js";

export const GRANTED_TYPE_NAMES: ReadonlySet<string> = new Set(["GrantedScope", "GrantedScopeList"]);
/** The name of the unique symbol that brands both types (src/guard/granted.ts), as it appears in property names. */
export const GRANTED_BRAND = "grantedBrand";
const PACKAGE = "scope-ceiling";

/**
 * Is this type node the package's `GrantedScope` or `GrantedScopeList`: a (renamed) named import,
 * `ns.GrantedScope` through a namespace import, `import("scope-ceiling").GrantedScope`, or a local
 * alias of one of those? A type merely named `GrantedScope` proves nothing.
 */
export function isGrantedTypeNode(file: FileContext, type: Node, depth = 0): boolean {
  if (depth > 4) return false;
  if (type.type === AST_NODE_TYPES.TSImportType) {
    const name = type.qualifier?.type === AST_NODE_TYPES.Identifier ? type.qualifier.name : null;
    return name !== null && GRANTED_TYPE_NAMES.has(name) && isSameModule(file, type.source.value, PACKAGE);
  }
  if (type.type !== AST_NODE_TYPES.TSTypeReference || type.typeArguments) return false;
  const name = type.typeName;
  if (name.type === AST_NODE_TYPES.TSQualifiedName) {
    if (name.left.type !== AST_NODE_TYPES.Identifier || !GRANTED_TYPE_NAMES.has(name.right.name)) return false;
    const binding = bindingOf(file, name.left);
    return binding.kind === "import" && binding.imported === "*" && isSameModule(file, binding.module, PACKAGE);
  }
  if (name.type !== AST_NODE_TYPES.Identifier) return false;
  const binding = bindingOf(file, name);
  if (binding.kind === "import") return GRANTED_TYPE_NAMES.has(binding.imported) && isSameModule(file, binding.module, PACKAGE);
  // type Grant = GrantedScope;
  const variable = variableOf(file, name);
  const declaration = variable?.defs[0]?.node;
  if (declaration?.type === AST_NODE_TYPES.TSTypeAliasDeclaration && !declaration.typeParameters) return isGrantedTypeNode(file, declaration.typeAnnotation, depth + 1);
  return false;
}

/** A parameter declared `scope: GrantedScope` (not optional: an absent scope lets the store's default apply). */
export function isGrantedScopeAnnotation(file: FileContext, param: TSESTree.Identifier): boolean {
  const annotation = param.typeAnnotation?.typeAnnotation;
  return !param.optional && annotation !== undefined && isGrantedTypeNode(file, annotation);
}
