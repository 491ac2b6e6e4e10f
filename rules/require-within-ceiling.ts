import { analyzeFile, Catalog, findingsInFile } from "../src/analysis/index.js";
import { findSuppressions } from "../src/analysis/suppressions.js";
import { MESSAGES, messageData } from "../src/analysis/messages.js";
import { optionsJsonSchema, parseOptions, type ScopeCeilingOptions } from "../src/config/schema.js";
import { createRule } from "./create-rule.js";
import { typeOracle, typeText } from "./type-info.js";

export { MESSAGES };

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
    // Most files name no sink, guard or grant: nothing to record, nothing to solve.
    if (!catalog.mayConcern(context.sourceCode.text)) return {};
    return analyzeFile({
      file: { sourceCode: context.sourceCode, filename: context.filename, baseDir: context.cwd, typeTextOf: typeText(context) },
      catalog,
      typedGranted: typeOracle(context),
      onEvaluated: (evaluator) => {
        const suppressions = findSuppressions(context.sourceCode);
        for (const directive of suppressions.withoutReason) {
          context.report({
            loc: { start: { line: directive.line, column: directive.column - 1 }, end: { line: directive.endLine, column: directive.endColumn - 1 } },
            messageId: "suppressionWithoutReason",
          });
        }
        for (const finding of findingsInFile(evaluator)) {
          if (suppressions.lines.has(finding.node.loc.start.line)) continue;
          context.report({ node: finding.node, messageId: finding.messageId, data: messageData(finding) });
        }
      },
    });
  },
});
