import { AST_NODE_TYPES, type TSESTree } from "@typescript-eslint/utils";
import { bindingOf, constInitializer, type FileContext } from "./bindings.js";
import { memberName, staticKey, unwrapValue, type Node } from "./syntax.js";

/** A segment standing for a receiver the analysis cannot name (a call result, a computed member). */
export const UNKNOWN_SEGMENT = "?";

/**
 * A callee as a dotted path, after seeing through aliases: `T.create` with `const T = OAuthAccessToken`
 * is `OAuthAccessToken.create`; a renamed import is its imported name; a namespace import disappears.
 */
export interface CalleePath {
  readonly segments: readonly string[];
  /** When the root is an import: the module it is declared in (see Binding) and the module as written. */
  readonly module?: string;
  readonly writtenModule?: string;
  /**
   * The root stands for the module itself: a namespace import (not in `segments`) or a default
   * import (its local name is the first segment, and may also be read as the module: `jwt.sign`).
   */
  readonly moduleRoot?: "namespace" | "default";
}

const MAX_ALIAS_DEPTH = 8;

export function calleePath(file: FileContext, expression: Node, depth = 0): CalleePath {
  const node = unwrapCallee(expression);
  if (depth > MAX_ALIAS_DEPTH) return { segments: [UNKNOWN_SEGMENT] };
  switch (node.type) {
    case AST_NODE_TYPES.ThisExpression:
      return { segments: ["this"] };
    case AST_NODE_TYPES.Super:
      return { segments: ["super"] };
    case AST_NODE_TYPES.MemberExpression: {
      const object = calleePath(file, node.object, depth);
      // `ns.name` on a namespace import is an import of `name`: a program can say where it is declared.
      if (object.moduleRoot === "namespace" && object.segments.length === 0 && object.module !== undefined && !node.computed && node.property.type === AST_NODE_TYPES.Identifier) {
        const canonical = file.canonicalImport?.(node.property, object.writtenModule ?? object.module, node.property.name);
        if (canonical) return { segments: [canonical.imported], module: canonical.module, writtenModule: object.writtenModule ?? object.module };
      }
      return { ...object, segments: [...object.segments, memberName(node) ?? UNKNOWN_SEGMENT] };
    }
    case AST_NODE_TYPES.Identifier:
      return identifierPath(file, node, depth);
    default:
      return { segments: [UNKNOWN_SEGMENT] };
  }
}

/** `(0, f)`, `(await x)`, `f!`, `f as T`, `a?.b`: all call the same function. */
export function unwrapCallee(expression: Node): Node {
  let node = unwrapValue(expression);
  for (;;) {
    if (node.type === AST_NODE_TYPES.SequenceExpression) node = unwrapValue(node.expressions.at(-1) ?? node);
    else if (node.type === AST_NODE_TYPES.AwaitExpression) node = unwrapValue(node.argument);
    else return node;
  }
}

function identifierPath(file: FileContext, identifier: TSESTree.Identifier, depth: number): CalleePath {
  const binding = bindingOf(file, identifier);
  if (binding.kind === "global") return { segments: [identifier.name] };
  if (binding.kind === "import") {
    const modules = { module: binding.module, writtenModule: binding.written };
    if (binding.imported === "*") return { segments: [], ...modules, moduleRoot: "namespace" };
    if (binding.imported === "default") return { segments: [identifier.name], ...modules, moduleRoot: "default" };
    return { segments: [binding.imported], ...modules };
  }
  const constant = constInitializer(binding.variable);
  if (!constant) return { segments: [identifier.name] };
  // `const T = OAuthAccessToken` and `const { create } = OAuthAccessToken` are the same callee.
  if (constant.id.type === AST_NODE_TYPES.Identifier) {
    const init = unwrapCallee(constant.init);
    if (init.type === AST_NODE_TYPES.Identifier || init.type === AST_NODE_TYPES.MemberExpression) return calleePath(file, init, depth + 1);
    return { segments: [identifier.name] };
  }
  if (constant.id.type === AST_NODE_TYPES.ObjectPattern) {
    for (const property of constant.id.properties) {
      if (property.type !== AST_NODE_TYPES.Property) continue;
      const value = property.value.type === AST_NODE_TYPES.AssignmentPattern ? property.value.left : property.value;
      if (value.type === AST_NODE_TYPES.Identifier && value.name === identifier.name) {
        const key = staticKey(property.key, property.computed);
        if (key === null) break;
        const object = calleePath(file, constant.init, depth + 1);
        return { ...object, segments: [...object.segments, key] };
      }
    }
  }
  return { segments: [identifier.name] };
}

/** A compiled callee pattern: `**.` (any receivers, or none), `*` (one segment), names. */
export interface CalleePattern {
  readonly isNew: boolean;
  readonly anyReceiver: boolean;
  readonly segments: readonly string[];
}

export function compileCalleePattern(pattern: string): CalleePattern {
  const isNew = pattern.startsWith("new ");
  const body = isNew ? pattern.slice(4) : pattern;
  const anyReceiver = body.startsWith("**.");
  return { isNew, anyReceiver, segments: (anyReceiver ? body.slice(3) : body).split(".") };
}

export function matchesCalleePattern(pattern: CalleePattern, path: readonly string[]): boolean {
  const { segments } = pattern;
  if (pattern.anyReceiver ? path.length < segments.length : path.length !== segments.length) return false;
  const offset = path.length - segments.length;
  return segments.every((segment, index) => {
    const actual = path[offset + index];
    return actual !== UNKNOWN_SEGMENT && (segment === "*" || segment === actual);
  });
}
