import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, relative, sep } from "node:path";
import * as tsParser from "@typescript-eslint/parser";
import { AST_NODE_TYPES, type TSESTree } from "@typescript-eslint/utils";
import { Linter } from "eslint";
import { Node as MorphNode, ts, type SourceFile } from "ts-morph";
import type { ProgramFiles } from "./program-files.js";
import { analyzeFile, type Catalog, type Evaluator, type FileContext, type GrantedTypeOracle } from "../analysis/index.js";
import { callShape } from "../analysis/catalog.js";
import { unwrapCallee } from "../analysis/callee.js";
import type { Flow } from "../analysis/collector.js";
import type { CallSite, FunctionRef, ProgramView } from "../analysis/compose.js";
import { FileView } from "../analysis/file-view.js";
import { GRANTED_BRAND, GRANTED_TYPE_NAMES } from "../analysis/granted-type.js";
import { findSuppressions, type Suppressions } from "../analysis/suppressions.js";
import { isFunctionNode, type Node } from "../analysis/syntax.js";
import { FORGED_GRANT_MESSAGE, forgedGrantType } from "../analysis/forged-grant.js";

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
  readonly #program: ProgramFiles;
  readonly #catalog: Catalog;
  readonly #baseDir: string;
  // Rooted at "/" so that every file of the program is inside the linter's working directory.
  readonly #linter = new Linter({ configType: "flat", cwd: "/" });
  readonly #files = new Map<string, AnalyzedFile>();
  readonly #fileViews = new Map<Evaluator, FileView>();
  readonly #evaluatorPaths = new Map<Evaluator, string>();
  readonly #callers = new Map<Flow, readonly CallSite[] | "entry">();
  readonly #flowsByEnd = new Map<Evaluator, Map<number, Flow[]>>();

  constructor(files: ProgramFiles, catalog: Catalog, baseDir: string) {
    this.#program = files;
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
    const sourceFile = this.#program.sourceFile(path);
    const text = this.#program.text(path);
    let evaluator: Evaluator | null = null;
    let suppressions: Suppressions = { lines: new Set(), withoutReason: [] };
    const context = (sourceCode: FileContext["sourceCode"]): FileContext => ({
      sourceCode,
      filename: path,
      baseDir: this.#baseDir,
      canonicalImport: sourceFile ? (local, module, imported) => this.#canonicalImport(sourceFile, local, module, imported) : undefined,
      typeTextOf: sourceFile ? (node) => typeText(sourceFile, node) : undefined,
    });
    const forged: { node: TSESTree.Node; type: string }[] = [];
    const collect = {
      create: (ruleContext: { sourceCode: FileContext["sourceCode"] }) => {
        suppressions = findSuppressions(ruleContext.sourceCode);
        const file = context(ruleContext.sourceCode);
        const typedGranted = sourceFile ? this.#typeOracle(sourceFile) : undefined;
        // no-forged-grant, from the same shared judgement as the rule, with the program's types.
        const assertion = (node: TSESTree.TSAsExpression | TSESTree.TSTypeAssertion) => {
          const type = forgedGrantType(file, node, typedGranted);
          if (type !== null) forged.push({ node, type });
        };
        return {
          ...analyzeFile({
            file,
            catalog: this.#catalog,
            typedGranted,
            onEvaluated: (result) => {
              evaluator = result;
            },
          }),
          TSAsExpression: assertion,
          TSTypeAssertion: assertion,
        };
      },
    };
    const messages = this.#linter.verify(
      text,
      [
        {
          files: ["**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}"],
          languageOptions: { parser: tsParser, parserOptions: { ecmaFeatures: { jsx: path.endsWith("x") } } },
          plugins: { checker: { rules: { collect: collect as never } } },
          rules: { "checker/collect": "error" },
        },
      ],
      path,
    );
    const fatal = messages.find((message) => message.fatal);
    const analyzed: AnalyzedFile = {
      path,
      evaluator,
      syntaxError: fatal ? { line: fatal.line, column: fatal.column, message: fatal.message } : null,
      forgedGrants: forged
        .filter(({ node }) => !suppressions.lines.has(node.loc.start.line))
        .map(({ node, type }) => ({
          line: node.loc.start.line,
          column: node.loc.start.column + 1,
          endLine: node.loc.end.line,
          endColumn: node.loc.end.column + 1,
          message: FORGED_GRANT_MESSAGE.replace("{{type}}", type),
        })),
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
    const sourceFile = this.#program.sourceFile(this.pathOf(evaluator));
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
    const declarationFile = this.#program.sourceFile(this.pathOf(fn.evaluator));
    const owner = fn.flow.owner;
    if (!declarationFile || !isFunctionNode(owner)) return "entry";
    const declaration = declarationFile.getDescendantAtPos(owner.range[0]);
    const fnNode = declaration?.getFirstAncestor((node) => node.getEnd() === owner.range[1] && isMorphFunction(node)) ?? (declaration && isMorphFunction(declaration) ? declaration : undefined);
    const name = fnNode ? declaredName(fnNode) : null;
    if (!fnNode || !name) return "entry";
    const callers: CallSite[] = [];
    // The words a file must contain to use the function: its names (renamed imports and re-exports
    // add more) and the stems of the modules that export it (a default import may name it anything).
    const words = new Set([name.getText(), moduleStem(declarationFile.getFilePath())]);
    const scanned = new Set<string>();
    for (let grew = true; grew; ) {
      grew = false;
      // Filter by text first, then parse what passed in one go (one program rebuild, not one per file).
      const matching = this.#program.paths.filter((path) => !scanned.has(path) && [...words].some((word) => this.#program.text(path).includes(word)));
      this.#program.load(matching);
      for (const path of matching) {
        scanned.add(path);
        const sourceFile = this.#program.sourceFile(path);
        if (!sourceFile) continue;
        const uses = usesOf(sourceFile, name.getText(), fnNode);
        if (uses === "escapes") return "entry";
        for (const word of uses.exportedAs) {
          if (words.has(word)) continue;
          words.add(word);
          grew = true;
        }
        if (uses.exportedAs.length > 0 && !words.has(moduleStem(sourceFile.getFilePath()))) {
          words.add(moduleStem(sourceFile.getFilePath()));
          grew = true;
        }
        if (uses.calls.length === 0) continue;
        const analyzed = this.analyze(sourceFile.getFilePath());
        if (!analyzed.evaluator) continue;
        for (const query of analyzed.evaluator.records.calls.values()) {
          if (!uses.calls.includes(calleeNameStart(query.call, analyzed.evaluator))) continue;
          if (this.resolveCall(query.call, analyzed.evaluator)?.flow === fn.flow) callers.push({ query, evaluator: analyzed.evaluator });
        }
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
    if (imported === "*") return { module: canonical, imported };
    if (imported === "default") {
      // A default import of a whole module (`import jwt from "jsonwebtoken"`) stands for the module,
      // and so does a package's default export; a program's default export is its declaration.
      if (MorphNode.isSourceFile(declaration) || MorphNode.isModuleDeclaration(declaration)) return { module: canonical, imported };
      if (target.getName() !== "default") return { module: canonical, imported: target.getName() };
      const declared = declarationName(declaration);
      return { module: canonical, imported: file.isDeclarationFile() || file.isInNodeModules() || declared === null ? "default" : declared };
    }
    return { module: canonical, imported: target.getName() };
  }

  /** With the program's types: is an expression of the package's GrantedScope / GrantedScopeList type? */
  #typeOracle(sourceFile: SourceFile): GrantedTypeOracle {
    const fromPackage = (declaration: MorphNode) => packageNameOf(declaration.getSourceFile().getFilePath()) === "scope-ceiling";
    return (node) => {
      const type = sourceFile.getDescendantAtStartWithWidth(node.range[0], node.range[1] - node.range[0])?.getType();
      if (!type) return false;
      const alias = type.getAliasSymbol();
      if (alias && GRANTED_TYPE_NAMES.has(alias.getName()) && alias.getDeclarations().some(fromPackage)) return true;
      // Under another alias (`type Granted = GrantedScope`): the package's brand property gives it away.
      return type.getProperties().some((property) => property.getName().includes(GRANTED_BRAND) && property.getDeclarations().some(fromPackage));
    };
  }
}

function typeText(sourceFile: SourceFile, node: Node): string | null {
  const found = sourceFile.getDescendantAtStartWithWidth(node.range[0], node.range[1] - node.range[0]);
  return found ? found.getType().getText(found, ts.TypeFormatFlags.NoTruncation) : null;
}

function declarationName(declaration: MorphNode): string | null {
  const named = declaration as MorphNode & { getName?: () => string | undefined };
  return typeof named.getName === "function" ? (named.getName() ?? null) : null;
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

interface Uses {
  /** Start offsets of the names of calls of the function. */
  readonly calls: number[];
  /** Names this file exports it under (re-exports), which other files may import. */
  readonly exportedAs: string[];
}

/**
 * How one file uses a function: where it calls it (under its own name or a local alias) and the
 * names it re-exports it under; "escapes" when it uses it in any other way, or calls a method of
 * the same name through an interface or abstract class (a call the program may route to it).
 */
function usesOf(sourceFile: SourceFile, declared: string, fn: MorphNode): Uses | "escapes" {
  const uses: Uses = { calls: [], exportedAs: [] };
  const names = new Set([declared]);
  const isMethod = MorphNode.isMethodDeclaration(fn);
  // Import and export specifiers first: they say which local names stand for the function here.
  for (const declaration of [...sourceFile.getImportDeclarations(), ...sourceFile.getExportDeclarations()]) {
    const specifiers = MorphNode.isImportDeclaration(declaration) ? declaration.getNamedImports() : declaration.getNamedExports();
    for (const specifier of specifiers) {
      const local = specifier.getAliasNode() ?? specifier.getNameNode();
      if (functionDeclarationOf(local) !== fn) continue;
      names.add(local.getText());
      if (MorphNode.isExportSpecifier(specifier)) uses.exportedAs.push(local.getText());
    }
    if (MorphNode.isImportDeclaration(declaration)) {
      const defaultImport = declaration.getDefaultImport();
      if (defaultImport && functionDeclarationOf(defaultImport) === fn) names.add(defaultImport.getText());
    }
  }
  const declaredNode = declaredName(fn);
  const state = { escapes: false };
  const visit = (node: ts.Node): void => {
    if (state.escapes) return;
    if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && names.has(node.text)) {
      const wrapped = sourceFile.getDescendantAtPos(node.getStart());
      if (wrapped && wrapped !== declaredNode) {
        const target = functionDeclarationOf(wrapped);
        const use = classifyUse(node);
        if (target === fn) {
          if (use === "call") uses.calls.push(node.getStart());
          else if (use === "other") state.escapes = true;
        } else if (isMethod && use === "call" && callsAbstractMethod(wrapped)) state.escapes = true;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile.compilerNode);
  return state.escapes ? "escapes" : uses;
}

/** A call through an interface or an abstract method: any implementation may receive it. */
function callsAbstractMethod(identifier: MorphNode): boolean {
  const symbol = identifier.getSymbol();
  return (symbol?.getDeclarations() ?? []).some((declaration) => MorphNode.isMethodSignature(declaration) || (MorphNode.isMethodDeclaration(declaration) && !declaration.hasBody()));
}

function moduleStem(path: string): string {
  const file = path.slice(path.lastIndexOf("/") + 1);
  const stem = stripExtension(file);
  return stem === "index" ? path.slice(0, path.lastIndexOf("/")).slice(path.slice(0, path.lastIndexOf("/")).lastIndexOf("/") + 1) : stem;
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
