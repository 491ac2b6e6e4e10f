import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { GRANTED_BRAND, GRANTED_TYPE_NAMES, type GrantedTypeOracle } from "../src/analysis/index.js";

type Context = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** With type information: an expression whose type is the package's GrantedScope or GrantedScopeList. */
export function typeOracle(context: Context): GrantedTypeOracle | undefined {
  const services = context.sourceCode.parserServices;
  if (!services?.program || !services.esTreeNodeToTSNodeMap) return undefined;
  const checker = services.program.getTypeChecker();
  const toTs = services.esTreeNodeToTSNodeMap;
  const fromPackage = (declaration: { getSourceFile(): { fileName: string } }) => /[\\/]scope-ceiling[\\/]|[\\/]src[\\/]guard[\\/]granted\.(?:d\.)?ts$/.test(declaration.getSourceFile().fileName);
  return (node) => {
    const type = checker.getTypeAtLocation(toTs.get(node));
    const alias = type.aliasSymbol;
    if (alias && GRANTED_TYPE_NAMES.has(alias.getName()) && (alias.declarations ?? []).some(fromPackage)) return true;
    // Under another alias (`type Granted = GrantedScope`): the package's brand property gives it away.
    return type.getProperties().some((property) => property.getName().includes(GRANTED_BRAND) && (property.declarations ?? []).some(fromPackage));
  };
}

/** With type information: an expression's type as TypeScript prints it, for sinks named by receiver type. */
export function typeText(context: Context): ((node: TSESTree.Node) => string | null) | undefined {
  const services = context.sourceCode.parserServices;
  if (!services?.program || !services.esTreeNodeToTSNodeMap) return undefined;
  const checker = services.program.getTypeChecker();
  const toTs = services.esTreeNodeToTSNodeMap;
  return (node) => checker.typeToString(checker.getTypeAtLocation(toTs.get(node)));
}
