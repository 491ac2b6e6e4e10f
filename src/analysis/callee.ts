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
  /** When the root is an import: the module as written, and whether it was a default or namespace import (then not in `segments`). */
  readonly module?: string;
  readonly moduleRoot?: boolean;
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
    if (binding.imported === "*" || binding.imported === "default") return { segments: [], module: binding.module, moduleRoot: true };
    return { segments: [binding.imported], module: binding.module };
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
