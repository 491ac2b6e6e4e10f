import { AST_NODE_TYPES, TSESLint, type TSESTree } from "@typescript-eslint/utils";
import { variableOf } from "./bindings.js";
import { callShape } from "./catalog.js";
import { unwrapCallee } from "./callee.js";
import type { Flow } from "./collector.js";
import type { CallSite, FunctionRef, ProgramView } from "./compose.js";
import type { Evaluator } from "./evaluate.js";
import { isFunctionNode, memberName, type Node } from "./syntax.js";

const { DefinitionType } = TSESLint.Scope;

/**
 * The program as one file sees it: calls resolve to functions declared in the file, and a
 * function's callers are the calls in the file, unless it escapes (passed as a value, a public
 * method, an anonymous callback): then it is an entry point.
 */
export class FileView implements ProgramView {
  readonly #evaluator: Evaluator;
  #callers: Map<Flow, CallSite[]> | null = null;

  constructor(evaluator: Evaluator) {
    this.#evaluator = evaluator;
  }

  resolveCall(call: TSESTree.CallExpression | TSESTree.NewExpression): FunctionRef | null {
    const fn = this.#declaredFunction(call);
    const flow = fn && this.#evaluator.records.flowOf.get(fn);
    return flow ? { flow, evaluator: this.#evaluator } : null;
  }

  callersOf(fn: FunctionRef): readonly CallSite[] | "entry" {
    if (this.#escapes(fn.flow.owner)) return "entry";
    this.#callers ??= this.#indexCallers();
    const callers = this.#callers.get(fn.flow) ?? [];
    return callers.length === 0 ? "entry" : callers;
  }

  #indexCallers(): Map<Flow, CallSite[]> {
    const callers = new Map<Flow, CallSite[]>();
    for (const query of this.#evaluator.records.calls.values()) {
      const target = this.resolveCall(query.call);
      if (!target) continue;
      const list = callers.get(target.flow) ?? [];
      list.push({ query, evaluator: this.#evaluator });
      callers.set(target.flow, list);
    }
    return callers;
  }

  /** The function node a call invokes, when this file declares it. */
  #declaredFunction(call: TSESTree.CallExpression | TSESTree.NewExpression): Node | null {
    const target = unwrapCallee(callShape(this.#evaluator.file, call).target);
    if (target.type === AST_NODE_TYPES.Identifier) {
      const def = variableOf(this.#evaluator.file, target)?.defs[0];
      if (def?.type === DefinitionType.FunctionName) return def.node;
      if (def?.type === DefinitionType.Variable && def.parent.kind === "const" && def.node.init && isFunctionNode(def.node.init)) return def.node.init;
      return null;
    }
    if (target.type === AST_NODE_TYPES.MemberExpression && target.object.type === AST_NODE_TYPES.ThisExpression) {
      const name = target.property.type === AST_NODE_TYPES.PrivateIdentifier ? `#${target.property.name}` : memberName(target);
      const member = name === null ? null : classMember(target, name);
      const value = member?.value;
      return value && isFunctionNode(value) ? value : null;
    }
    return null;
  }

  /** May the function be called from where this file cannot see? */
  #escapes(owner: Node): boolean {
    const parent = owner.parent;
    if (!parent) return true;
    if (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.PropertyDefinition) {
      return !(parent.key.type === AST_NODE_TYPES.PrivateIdentifier || parent.accessibility === "private");
    }
    let identifier: TSESTree.Identifier | null = null;
    if (owner.type === AST_NODE_TYPES.FunctionDeclaration) identifier = owner.id;
    else if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) identifier = parent.id;
    if (!identifier) return true;
    const variable = variableOf(this.#evaluator.file, identifier);
    if (!variable) return true;
    return variable.references.some((reference) => {
      if (reference.init === true) return false;
      const node = reference.identifier as Node;
      const user = node.parent;
      if (!user) return true;
      if (user.type === AST_NODE_TYPES.ExportSpecifier || user.type === AST_NODE_TYPES.ExportDefaultDeclaration) return false;
      if ((user.type === AST_NODE_TYPES.CallExpression || user.type === AST_NODE_TYPES.NewExpression) && user.callee === node) return false;
      // f.call(this, x) and f.apply(this, [x]) are calls too.
      if (user.type === AST_NODE_TYPES.MemberExpression && user.object === node && ["call", "apply"].includes(memberName(user) ?? "")) return false;
      return true;
    });
  }
}

function classMember(node: Node, name: string): TSESTree.MethodDefinition | TSESTree.PropertyDefinition | null {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type !== AST_NODE_TYPES.ClassBody) continue;
    for (const member of current.body) {
      if (member.type !== AST_NODE_TYPES.MethodDefinition && member.type !== AST_NODE_TYPES.PropertyDefinition) continue;
      const key = member.key.type === AST_NODE_TYPES.PrivateIdentifier ? `#${member.key.name}` : member.computed ? null : member.key.type === AST_NODE_TYPES.Identifier ? member.key.name : null;
      if (key === name && !member.static) return member;
    }
    return null;
  }
  return null;
}
