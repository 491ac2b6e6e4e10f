import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { analyzeFile, Catalog, findingsInFile, GRANTED_TYPE_NAMES, type GrantedTypeOracle } from "../src/analysis/index.js";
import { optionsJsonSchema, parseOptions, type ScopeCeilingOptions } from "../src/config/schema.js";
import { createRule } from "./create-rule.js";

export const MESSAGES = {
  unguardedScope: "The scope written by {{sink}} is not proven to come from withinCeiling: {{reason}}.",
  missingScope: "{{sink}} writes no visible scope: {{reason}}.",
  unusedGuardResult: "The scope returned by {{guard}} is discarded: write the token's scope from its return value, not from the raw request.",
} as const;

const catalogs = new Map<string, Catalog>();

/** Compiling the configuration once per distinct options, not once per file (ESLint hands each file a fresh object). */
function catalogFor(options: ScopeCeilingOptions): Catalog {
  const key = JSON.stringify(options);
  let catalog = catalogs.get(key);
  if (!catalog) {
    catalog = new Catalog(parseOptions(options, "scope-ceiling/require-within-ceiling"));
    catalogs.set(key, catalog);
  }
  return catalog;
}

/** With type information: an expression whose type is the package's GrantedScope or GrantedScopeList. */
function typeOracle(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): GrantedTypeOracle | undefined {
  const services = context.sourceCode.parserServices;
  if (!services?.program || !services.esTreeNodeToTSNodeMap) return undefined;
  const checker = services.program.getTypeChecker();
  const toTs = services.esTreeNodeToTSNodeMap;
  return (node) => {
    const type = checker.getTypeAtLocation(toTs.get(node));
    const alias = type.aliasSymbol;
    if (!alias || !GRANTED_TYPE_NAMES.has(alias.getName())) return false;
    return (alias.declarations ?? []).some((declaration) => /[\\/]scope-ceiling[\\/]|[\\/]src[\\/]guard[\\/]granted\.(?:d\.)?ts$/.test(declaration.getSourceFile().fileName));
  };
}

export const requireWithinCeiling = createRule<[ScopeCeilingOptions], keyof typeof MESSAGES>({
  name: "require-within-ceiling",
  meta: {
    type: "problem",
    docs: {
      description: "Require every token-creating call to take its scope from withinCeiling on every path",
    },
    messages: MESSAGES,
    schema: [optionsJsonSchema() as never],
    defaultOptions: [{}],
  },
  create(context, [options]) {
    const catalog = catalogFor(options);
    return analyzeFile({
      file: { sourceCode: context.sourceCode, filename: context.filename, baseDir: context.cwd },
      catalog,
      typedGranted: typeOracle(context),
      onEvaluated: (evaluator) => {
        for (const finding of findingsInFile(evaluator)) {
          if (finding.messageId === "unusedGuardResult") {
            const call = finding.node as TSESTree.CallExpression;
            context.report({ node: call, messageId: "unusedGuardResult", data: { guard: evaluator.text(call.callee) } });
          } else {
            // Say where the proof breaks when that is elsewhere: the definition, the helper, the caller.
            const origin = finding.trace.find((hop) => hop.kind !== "parameter" && hop.kind !== "sink" && hop.evaluator === evaluator && hop.node.loc.start.line !== finding.node.loc.start.line);
            const where = origin ? ` (line ${String(origin.node.loc.start.line)})` : "";
            context.report({ node: finding.node, messageId: finding.messageId, data: { sink: finding.sink, reason: finding.reason + where } });
          }
        }
      },
    });
  },
});
