import { dirname, extname, isAbsolute, resolve } from "node:path";
import { AST_NODE_TYPES, ASTUtils, TSESLint, type TSESTree } from "@typescript-eslint/utils";
import type { Node } from "./syntax.js";

type Variable = TSESLint.Scope.Variable;
const { DefinitionType } = TSESLint.Scope;

/** Where a name comes from, as far as one file can tell. */
export type Binding =
  /** `module`: where the name is declared, when a program can tell (else as written); `written`: the specifier as written. */
  | { readonly kind: "import"; readonly module: string; readonly written: string; readonly imported: string; readonly variable: Variable }
  | { readonly kind: "local"; readonly variable: Variable }
  | { readonly kind: "global"; readonly name: string };

/** What the analysis needs to know about the file it is in. */
export interface FileContext {
  readonly sourceCode: Readonly<TSESLint.SourceCode>;
  readonly filename: string;
  /** The folder relative `from` paths in the configuration are resolved against. */
  readonly baseDir: string;
  /**
   * With a whole program: where an imported name is really declared, through re-exports, barrels,
   * `export *` and path aliases. `module` is a package name or an absolute path without extension.
   */
  /** With type information: the type of an expression as TypeScript prints it (`Repository<OAuthAccessToken>`). */
  readonly typeTextOf?: ((node: TSESTree.Node) => string | null) | undefined;
  readonly canonicalImport?: ((local: TSESTree.Identifier, module: string, imported: string) => { readonly module: string; readonly imported: string } | null) | undefined;
}

export function variableOf(file: FileContext, identifier: TSESTree.Identifier | TSESTree.JSXIdentifier): Variable | null {
  return ASTUtils.findVariable(file.sourceCode.getScope(identifier), identifier.name);
}

export function bindingOf(file: FileContext, identifier: TSESTree.Identifier): Binding {
  const variable = variableOf(file, identifier);
  if (!variable || variable.defs.length === 0) return { kind: "global", name: identifier.name };
  const def = variable.defs[0];
  if (def?.type === DefinitionType.ImportBinding) {
    const declaration = def.parent;
    if (declaration.type !== AST_NODE_TYPES.ImportDeclaration) return { kind: "local", variable };
    const specifier = def.node;
    let imported = "default";
    if (specifier.type === AST_NODE_TYPES.ImportNamespaceSpecifier) imported = "*";
    else if (specifier.type === AST_NODE_TYPES.ImportSpecifier) {
      imported = specifier.imported.type === AST_NODE_TYPES.Identifier ? specifier.imported.name : specifier.imported.value;
    }
    const canonical = file.canonicalImport?.(def.name, declaration.source.value, imported);
    return { kind: "import", module: canonical?.module ?? declaration.source.value, written: declaration.source.value, imported: canonical?.imported ?? imported, variable };
  }
  return { kind: "local", variable };
}

const SOURCE_EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"]);

function normalizeModulePath(path: string): string {
  let normalized = path;
  if (SOURCE_EXTENSIONS.has(extname(normalized))) normalized = normalized.slice(0, -extname(normalized).length);
  return normalized.replace(/[\\/]index$/, "");
}

/**
 * Does an import specifier, written in `file`, name the configured module `from`?
 * Packages compare as written; relative `from` paths are resolved against the config's folder
 * and relative specifiers against the importing file's folder, ignoring extensions and `/index`.
 */
export function isSameModule(file: FileContext, specifier: string, from: string): boolean {
  const relative = (path: string) => path.startsWith("./") || path.startsWith("../") || path === "." || path === "..";
  if (!relative(from) && !isAbsolute(from)) return specifier === from;
  if (!relative(specifier) && !isAbsolute(specifier)) return false;
  const imported = resolve(dirname(file.filename), specifier);
  const configured = resolve(file.baseDir, from);
  return normalizeModulePath(imported) === normalizeModulePath(configured);
}

/** The single definition's initializer of a `const` (or never reassigned `let`), else null. */
export function constInitializer(variable: Variable): { readonly init: TSESTree.Expression; readonly id: Node } | null {
  if (variable.defs.length !== 1) return null;
  const def = variable.defs[0];
  if (def?.type !== DefinitionType.Variable || !def.node.init) return null;
  const isConst = def.parent.kind === "const";
  const neverReassigned = variable.references.every((reference) => !reference.isWrite() || reference.init === true);
  if (!isConst && !neverReassigned) return null;
  return { init: def.node.init, id: def.node.id };
}
