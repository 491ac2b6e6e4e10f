/**
 * The analysis core: the one implementation of "this scope is proven to come from the guard".
 * `analyzeFile` hooks it into an ESLint walk of one file; the ESLint rule reports its findings,
 * and the whole-program checker composes the same per-function results across files.
 */
import type { Rule } from "eslint";
import { AST_NODE_TYPES, type TSESTree } from "@typescript-eslint/utils";
import type { FileContext } from "./bindings.js";
import type { Catalog } from "./catalog.js";
import { Collector } from "./collector.js";
import { Composer, type Finding, type ProgramView } from "./compose.js";
import { Evaluator, type GrantedTypeOracle } from "./evaluate.js";
import { FileView } from "./file-view.js";

export { Catalog } from "./catalog.js";
export type { FileContext } from "./bindings.js";
export type { Finding, MessageId, TraceHop, ProgramView, FunctionRef, CallSite } from "./compose.js";
export { Composer } from "./compose.js";
export { Evaluator, type GrantedTypeOracle } from "./evaluate.js";
export { isGrantedTypeNode, GRANTED_BRAND, GRANTED_TYPE_NAMES } from "./granted-type.js";

type Listener = (...args: never[]) => void;

export interface FileAnalysisOptions {
  readonly file: FileContext;
  readonly catalog: Catalog;
  readonly typedGranted?: GrantedTypeOracle | undefined;
  /** Called once the file is walked, with its evaluator (for a front end that composes more files). */
  readonly onEvaluated: (evaluator: Evaluator) => void;
}

/** ESLint listeners that record one file and hand its evaluator over when the walk ends. */
export function analyzeFile(options: FileAnalysisOptions): Record<string, Listener> {
  const collector = new Collector(options.file, options.catalog);
  const listeners = collector.listeners();
  const endPath = listeners.onCodePathEnd as ((codePath: Rule.CodePath, node: TSESTree.Node) => void) | undefined;
  return {
    ...(listeners as Record<string, Listener>),
    // The program's code path ends last, after every function's (and after Program:exit).
    onCodePathEnd: (codePath: Rule.CodePath, node: TSESTree.Node) => {
      endPath?.(codePath, node);
      if (node.type !== AST_NODE_TYPES.Program) return;
      options.onEvaluated(new Evaluator(options.file, options.catalog, collector.finish(), options.typedGranted));
    },
  };
}

/** The findings of one file on its own: the ESLint rule's view. */
export function findingsInFile(evaluator: Evaluator, view: ProgramView = new FileView(evaluator)): Finding[] {
  return new Composer(view).findings([evaluator]);
}
