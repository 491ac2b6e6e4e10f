import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, relative, sep } from "node:path";
import * as tsParser from "@typescript-eslint/parser";
import { AST_NODE_TYPES, type TSESTree } from "@typescript-eslint/utils";
import { Linter } from "eslint";
import { Node as MorphNode, ts, type Project, type SourceFile } from "ts-morph";
import { analyzeFile, type Catalog, type Evaluator, type FileContext, type GrantedTypeOracle } from "../analysis/index.js";
import { callShape } from "../analysis/catalog.js";
import { unwrapCallee } from "../analysis/callee.js";
import type { Flow } from "../analysis/collector.js";
import type { CallSite, FunctionRef, ProgramView } from "../analysis/compose.js";
import { FileView } from "../analysis/file-view.js";
import { GRANTED_TYPE_NAMES } from "../analysis/granted-type.js";
import { findSuppressions, type Suppressions } from "../analysis/suppressions.js";
import { isFunctionNode, type Node } from "../analysis/syntax.js";
import { noForgedGrant } from "../../rules/no-forged-grant.js";

/** One file as the checker saw it: its evaluator, or why it could not be read. */
export interface AnalyzedFile {
  readonly path: string;
  readonly evaluator: Evaluator | null;
  readonly syntaxError: { readonly line: number; readonly column: number; readonly message: string } | null;
  readonly forgedGrants: readonly { readonly line: number; readonly column: number; readonly endLine: number; readonly endColumn: number; readonly message: string }[];
  readonly suppressions: Suppressions;
}

const SOURCE_EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"]);

/**
 * The program as the checker sees it: each file is walked once by ESLint's code path analysis
 * (the same core as the rule), on demand, and calls and callers are resolved across files with
 * the TypeScript program's symbols.
 */
export class ProgramAnalysis implements ProgramView {
  readonly #project: Project;
  readonly #catalog: Catalog;
  readonly #baseDir: string;
  // Rooted at "/" so that every file of the program is inside the linter's working directory.
  readonly #linter = new Linter({ configType: "flat", cwd: "/" });
  readonly #files = new Map<string, AnalyzedFile>();
  readonly #fileViews = new Map<Evaluator, FileView>();
  readonly #evaluatorPaths = new Map<Evaluator, string>();
  readonly #callers = new Map<Flow, readonly CallSite[] | "entry">();
  readonly #flowsByEnd = new Map<Evaluator, Map<number, Flow[]>>();

  constructor(project: Project, catalog: Catalog, baseDir: string) {
    this.#project = project;
    this.#catalog = catalog;
    this.#baseDir = baseDir;
  }

  get analyzedFiles(): number {
    return this.#files.size;
  }

  /** Walks a file once; later calls return the same analysis. */
  analyze(path: string): AnalyzedFile {
    const known = this.#files.get(path);
    if (known) return known;
    const sourceFile = this.#project.getSourceFile(path);
    const text = sourceFile?.getFullText() ?? readFileSync(path, "utf8");
    let evaluator: Evaluator | null = null;
    let suppressions: Suppressions = { lines: new Set(), withoutReason: [] };
    const context = (sourceCode: FileContext["sourceCode"]): FileContext => ({
      sourceCode,
      filename: path,
      baseDir: this.#baseDir,
      canonicalImport: sourceFile ? (local, module, imported) => this.#canonicalImport(sourceFile, local, module, imported) : undefined,
      typeTextOf: sourceFile ? (node) => typeText(sourceFile, node) : undefined,
    });
    const collect = {
      create: (ruleContext: { sourceCode: FileContext["sourceCode"] }) => {
        suppressions = findSuppressions(ruleContext.sourceCode);
        return analyzeFile({
          file: context(ruleContext.sourceCode),
          catalog: this.#catalog,
          typedGranted: sourceFile ? this.#typeOracle(sourceFile) : undefined,
          onEvaluated: (result) => {
            evaluator = result;
          },
        });
      },
    };
    const messages = this.#linter.verify(
      text,
      [
        {
          files: ["**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}"],
          languageOptions: { parser: tsParser, parserOptions: { ecmaFeatures: { jsx: path.endsWith("x") } } },
          plugins: { checker: { rules: { collect: collect as never, "no-forged-grant": noForgedGrant as never } } },
          rules: { "checker/collect": "error", "checker/no-forged-grant": "error" },
        },
      ],
      path,
    );
    const fatal = messages.find((message) => message.fatal);
    const analyzed: AnalyzedFile = {
      path,
      evaluator,
      syntaxError: fatal ? { line: fatal.line, column: fatal.column, message: fatal.message } : null,
      forgedGrants: messages
        .filter((message) => message.ruleId === "checker/no-forged-grant" && !suppressions.lines.has(message.line))
        .map((message) => ({ line: message.line, column: message.column, endLine: message.endLine ?? message.line, endColumn: message.endColumn ?? message.column, message: message.message })),
      suppressions,
    };
    if (analyzed.evaluator) this.#evaluatorPaths.set(analyzed.evaluator, path);
    this.#files.set(path, analyzed);
    return analyzed;
  }

  pathOf(evaluator: Evaluator): string {
    return this.#evaluatorPaths.get(evaluator) ?? evaluator.file.filename;
  }

  #fileView(evaluator: Evaluator): FileView {
    let view = this.#fileViews.get(evaluator);
    if (!view) {
      view = new FileView(evaluator);
      this.#fileViews.set(evaluator, view);
    }
    return view;
  }

  resolveCall(call: TSESTree.CallExpression | TSESTree.NewExpression, evaluator: Evaluator): FunctionRef | null {
    const local = this.#fileView(evaluator).resolveCall(call);
    if (local) return local;
    const declaration = this.#declarationOfCallee(call, evaluator);
    return declaration ? this.#functionAt(declaration) : null;
  }

  callersOf(fn: FunctionRef): readonly CallSite[] | "entry" {
    let callers = this.#callers.get(fn.flow);
    if (!callers) {
      callers = this.#findCallers(fn);
      this.#callers.set(fn.flow, callers);
    }
    return callers;
  }

  /** The declaration (function node) a call's callee resolves to, through imports and re-exports. */
  #declarationOfCallee(call: TSESTree.CallExpression | TSESTree.NewExpression, evaluator: Evaluator): MorphNode | null {
    const target = unwrapCallee(callShape(evaluator.file, call).target);
    let name: Node | null = null;
    if (target.type === AST_NODE_TYPES.Identifier) name = target;
    else if (target.type === AST_NODE_TYPES.MemberExpression && !target.computed) name = target.property;
    if (!name) return null;
    const sourceFile = this.#project.getSourceFile(this.pathOf(evaluator));
    const identifier = sourceFile?.getDescendantAtPos(name.range[0]);
    if (!identifier || !MorphNode.isIdentifier(identifier) && !MorphNode.isPrivateIdentifier(identifier)) return null;
    return functionDeclarationOf(identifier);
  }

  /** The analyzed function whose node is this declaration. */
  #functionAt(declaration: MorphNode): FunctionRef | null {
    const file = declaration.getSourceFile();
    if (file.isDeclarationFile() || file.isInNodeModules()) return null;
    const analyzed = this.analyze(file.getFilePath());
    if (!analyzed.evaluator) return null;
    const flow = this.#flowEndingAt(analyzed.evaluator, declaration.getEnd());
    return flow ? { flow, evaluator: analyzed.evaluator } : null;
  }

  #flowEndingAt(evaluator: Evaluator, end: number): Flow | null {
    let byEnd = this.#flowsByEnd.get(evaluator);
    if (!byEnd) {
      byEnd = new Map();
      for (const flow of evaluator.records.flows) {
        if (!isFunctionNode(flow.owner)) continue;
        const list = byEnd.get(flow.owner.range[1]) ?? [];
        list.push(flow);
        byEnd.set(flow.owner.range[1], list);
      }
      this.#flowsByEnd.set(evaluator, byEnd);
    }
    // `const f = () => () => x`: the outermost function is the declared one.
    const candidates = byEnd.get(end) ?? [];
    return candidates.reduce<Flow | null>((outer, flow) => (!outer || flow.owner.range[0] < outer.owner.range[0] ? flow : outer), null);
  }

  /**
   * Every call of a function in the program. Files are filtered by text first (a caller must
   * name the function), then identifiers with that name are resolved by symbol. Any other use
   * (passed as a value, assigned) makes the function an entry point.
   */
  #findCallers(fn: FunctionRef): readonly CallSite[] | "entry" {
    const declarationFile = this.#project.getSourceFile(this.pathOf(fn.evaluator));
    const owner = fn.flow.owner;
    if (!declarationFile || !isFunctionNode(owner)) return "entry";
    const declaration = declarationFile.getDescendantAtPos(owner.range[0]);
    const fnNode = declaration?.getFirstAncestor((node) => node.getEnd() === owner.range[1] && isMorphFunction(node)) ?? (declaration && isMorphFunction(declaration) ? declaration : undefined);
    const name = fnNode ? declaredName(fnNode) : null;
    if (!fnNode || !name) return "entry";
    const callers: CallSite[] = [];
    for (const sourceFile of this.#project.getSourceFiles()) {
      if (sourceFile.isDeclarationFile() || sourceFile.isInNodeModules() || !sourceFile.getFullText().includes(name.getText())) continue;
      const uses = usesOf(sourceFile, name.getText(), fnNode);
      if (uses === "escapes") return "entry";
      if (uses.length === 0) continue;
      const analyzed = this.analyze(sourceFile.getFilePath());
      if (!analyzed.evaluator) continue;
      for (const query of analyzed.evaluator.records.calls.values()) {
        if (!uses.includes(calleeNameStart(query.call, analyzed.evaluator))) continue;
        if (this.resolveCall(query.call, analyzed.evaluator)?.flow === fn.flow) callers.push({ query, evaluator: analyzed.evaluator });
      }
    }
    return callers.length === 0 ? "entry" : callers;
  }

  #canonicalImport(sourceFile: SourceFile, local: TSESTree.Identifier, module: string, imported: string): { module: string; imported: string } | null {
    const identifier = sourceFile.getDescendantAtPos(local.range[0]);
    if (!identifier || !MorphNode.isIdentifier(identifier)) return null;
    const symbol = identifier.getSymbol();
    if (!symbol) return null;
    const target = symbol.isAlias() ? symbol.getAliasedSymbol() : symbol;
    const declaration = target?.getDeclarations()[0];
    if (!target || !declaration) return null;
    const file = declaration.getSourceFile();
    // A package's own declaration files name the package; the program's files name themselves.
    const bare = !module.startsWith(".") && !module.startsWith("/");
    let canonical = stripExtension(file.getFilePath());
    if (file.isDeclarationFile() || file.isInNodeModules()) canonical = packageNameOf(file.getFilePath()) ?? (bare ? module : canonical);
    // Namespace and default imports stay what they are; a named import takes the name it was declared with.
    return { module: canonical, imported: imported === "*" || imported === "default" ? imported : target.getName() };
  }

  /** With the program's types: is an expression of the package's GrantedScope / GrantedScopeList type? */
  #typeOracle(sourceFile: SourceFile): GrantedTypeOracle {
    return (node) => {
      const found = sourceFile.getDescendantAtStartWithWidth(node.range[0], node.range[1] - node.range[0]);
      const alias = found?.getType().getAliasSymbol();
      if (!alias || !GRANTED_TYPE_NAMES.has(alias.getName())) return false;
      return alias.getDeclarations().some((declaration) => packageNameOf(declaration.getSourceFile().getFilePath()) === "scope-ceiling");
    };
  }
}

function typeText(sourceFile: SourceFile, node: Node): string | null {
  const found = sourceFile.getDescendantAtStartWithWidth(node.range[0], node.range[1] - node.range[0]);
  return found ? found.getType().getText(found, ts.TypeFormatFlags.NoTruncation) : null;
}

function isMorphFunction(node: MorphNode): boolean {
  return MorphNode.isFunctionDeclaration(node) || MorphNode.isArrowFunction(node) || MorphNode.isFunctionExpression(node) || MorphNode.isMethodDeclaration(node);
}

/** The name a function is called by: its own, its variable's, or its method's. */
function declaredName(fn: MorphNode): MorphNode | null {
  if (MorphNode.isFunctionDeclaration(fn) || MorphNode.isMethodDeclaration(fn)) return fn.getNameNode() ?? null;
  const parent = fn.getParent();
  if (parent && MorphNode.isVariableDeclaration(parent)) return parent.getNameNode();
  if (parent && (MorphNode.isPropertyAssignment(parent) || MorphNode.isPropertyDeclaration(parent))) return parent.getNameNode();
  return null;
}

function functionDeclarationOf(identifier: MorphNode): MorphNode | null {
  const symbol = identifier.getSymbol();
  if (!symbol) return null;
  const target = symbol.isAlias() ? symbol.getAliasedSymbol() : symbol;
  for (const declaration of target?.getDeclarations() ?? []) {
    if (isMorphFunction(declaration)) return declaration;
    if (MorphNode.isVariableDeclaration(declaration) || MorphNode.isPropertyAssignment(declaration) || MorphNode.isPropertyDeclaration(declaration)) {
      const initializer = declaration.getInitializer();
      if (initializer && isMorphFunction(initializer)) return initializer;
    }
  }
  return null;
}

/** Where identifiers naming this function are called (by start offset of the name), or "escapes". */
function usesOf(sourceFile: SourceFile, name: string, fn: MorphNode): number[] | "escapes" {
  const calls: number[] = [];
  const state = { escapes: false };
  const declared = declaredName(fn);
  const visit = (node: ts.Node): void => {
    if (state.escapes) return;
    if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && node.text === name) {
      const wrapped = sourceFile.getDescendantAtPos(node.getStart());
      if (wrapped && wrapped !== declared && functionDeclarationOf(wrapped) === fn) {
        const use = classifyUse(node);
        if (use === "call") calls.push(node.getStart());
        else if (use === "other") state.escapes = true;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile.compilerNode);
  return state.escapes ? "escapes" : calls;
}

function classifyUse(identifier: ts.Identifier | ts.PrivateIdentifier): "call" | "declaration" | "other" {
  let node: ts.Node = identifier;
  let parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) {
    node = parent;
    parent = parent.parent;
  }
  while (ts.isParenthesizedExpression(parent) || ts.isNonNullExpression(parent)) {
    node = parent;
    parent = parent.parent;
  }
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === node) return "call";
  // f.call(this, x) and f.apply(this, [x])
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node && ["call", "apply"].includes(parent.name.text) && ts.isCallExpression(parent.parent)) return "call";
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isExportAssignment(parent) || ts.isNamespaceImport(parent)) return "declaration";
  if ((ts.isFunctionDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isVariableDeclaration(parent)) && parent.name === identifier) return "declaration";
  return "other";
}

function calleeNameStart(call: TSESTree.CallExpression | TSESTree.NewExpression, evaluator: Evaluator): number {
  const target = unwrapCallee(callShape(evaluator.file, call).target);
  if (target.type === AST_NODE_TYPES.Identifier) return target.range[0];
  if (target.type === AST_NODE_TYPES.MemberExpression) return target.property.range[0];
  return -1;
}

function stripExtension(path: string): string {
  return SOURCE_EXTENSIONS.has(extname(path)) ? path.slice(0, -extname(path).length) : path;
}

/** The name of the package a file belongs to (its nearest package.json), for files of packages. */
export function packageNameOf(path: string): string | null {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        const name = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name;
        return typeof name === "string" ? name : null;
      } catch {
        return null;
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

export function toRelative(cwd: string, path: string): string {
  return relative(cwd, path).split(sep).join("/");
}
