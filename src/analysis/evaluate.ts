import { AST_NODE_TYPES, TSESLint, type TSESTree } from "@typescript-eslint/utils";
import { bindingOf, constInitializer, variableOf, type FileContext } from "./bindings.js";
import { EACH, hasKey, type Catalog, type PathStep, type SinkMatch } from "./catalog.js";
import { UNKNOWN_STEP, type CallQuery, type Def, type FileRecords, type Flow, type SinkQuery } from "./collector.js";
import type { FlowState, Variable } from "./flow.js";
import { allOf, nullish, PROVEN, unproven, withoutNullish, type Obligation, type Proof } from "./proof.js";
import { isGrantedScopeAnnotation } from "./granted-type.js";
import { memberName, staticString, unwrapValue, type Node } from "./syntax.js";

const { DefinitionType } = TSESLint.Scope;

/** What one scope value at a sink turned out to be. */
export type ScopeValue =
  /** `throughParameter`: the value is a property of a parameter (an update-like sink then cannot see whether it is written). */
  | { readonly kind: "proof"; readonly node: Node; readonly proof: Proof; readonly throughParameter?: boolean }
  /** The sink writes no scope there. */
  | { readonly kind: "missing"; readonly node: Node }
  /** A spread, or an object the analysis cannot look into, may or may not supply it. */
  | { readonly kind: "unseen"; readonly node: Node; readonly why: "spread" | "opaque"; readonly reason: string };

/** Where an expression is evaluated: a code path, and the state of its variables there. */
interface At {
  readonly flow: Flow;
  readonly state: FlowState<Def> | undefined;
}

/** Optional knowledge from type information: is this expression typed `GrantedScope`/`GrantedScopeList`? */
export type GrantedTypeOracle = (node: Node) => boolean;

/**
 * Turns the records of one file into proofs: of each sink's scope, of each function's return
 * value and checked parameters, of each call's arguments. The judgement of what is proven lives
 * here and only here; rule and checker both read its results.
 */
export class Evaluator {
  readonly #file: FileContext;
  readonly #catalog: Catalog;
  readonly #records: FileRecords;
  readonly #typedGranted: GrantedTypeOracle | undefined;
  readonly #defProofs = new Map<Def, Proof>();
  readonly #inProgress: Def[] = [];
  #lowest = Infinity;

  constructor(file: FileContext, catalog: Catalog, records: FileRecords, typedGranted?: GrantedTypeOracle) {
    this.#file = file;
    this.#catalog = catalog;
    this.#records = records;
    this.#typedGranted = typedGranted;
  }

  get records(): FileRecords {
    return this.#records;
  }

  get file(): FileContext {
    return this.#file;
  }

  /** The recorded call at this node, if the call was seen in a reachable place. */
  callSite(call: Node): CallQuery | undefined {
    return this.#records.calls.get(call);
  }

  /** Source text for messages, shortened. */
  text(node: Node): string {
    const text = this.#file.sourceCode.getText(node).replace(/\s+/g, " ");
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
  }

  /** Each scope value a sink writes (several for `[]` paths and for several scope paths). */
  sinkValues(flow: Flow, query: SinkQuery): { readonly required: boolean; readonly values: ScopeValue[] } {
    const { match } = query;
    const at = { flow, state: flow.stateAt(query) };
    const values: ScopeValue[] = [];
    for (const path of match.spec.scopes) values.push(...this.#argumentValues(match, path.argument, path.steps, at));
    return { required: match.spec.scopeRequired, values };
  }

  #argumentValues(match: SinkMatch, argument: number, steps: readonly PathStep[], at: At): ScopeValue[] {
    const { args } = match.shape;
    const callee = match.call.callee;
    if (args === "unknown") return [{ kind: "unseen", node: callee, why: "opaque", reason: "its arguments are passed as an array the analysis cannot see" }];
    const node = args[argument];
    if (!node) return [{ kind: "missing", node: callee }];
    if (node.type === AST_NODE_TYPES.SpreadElement) return [{ kind: "unseen", node, why: "opaque", reason: "its arguments are spread" }];
    return this.#valuesAt(node, steps, at, match.call);
  }

  /** The proof of the value of `node` followed along `steps`. */
  #valuesAt(node: Node, steps: readonly PathStep[], at: At, sinkCall: Node): ScopeValue[] {
    const value = unwrapValue(node);
    const [step, ...rest] = steps;
    if (step === undefined) return [{ kind: "proof", node, proof: this.#expression(value, at) }];
    switch (value.type) {
      case AST_NODE_TYPES.AwaitExpression:
        return this.#valuesAt(value.argument, steps, at, sinkCall);
      case AST_NODE_TYPES.ObjectExpression:
        if (step === EACH) break;
        return this.#objectValues(value, step, rest, at, sinkCall);
      case AST_NODE_TYPES.ArrayExpression: {
        if (step !== EACH) break;
        const values: ScopeValue[] = [];
        for (const element of value.elements) {
          if (!element) continue;
          if (element.type === AST_NODE_TYPES.SpreadElement) {
            values.push({ kind: "unseen", node: element, why: "opaque", reason: "rows are spread from an array the analysis cannot see" });
          } else values.push(...this.#valuesAt(element, rest, at, sinkCall));
        }
        return values;
      }
      case AST_NODE_TYPES.CallExpression: {
        // rows.map((row) => ({ ...row, scope: granted })): the callback's returned value, per row.
        if (step !== EACH || value.callee.type !== AST_NODE_TYPES.MemberExpression || memberName(value.callee) !== "map") break;
        const callback = value.arguments[0];
        const flow = callback && this.#records.flowOf.get(callback);
        if (!flow || flow.returns.length === 0) break;
        return flow.returns.flatMap((ret) =>
          ret.argument ? this.#valuesAt(ret.argument, rest, { flow, state: flow.stateAt(ret) }, sinkCall) : [{ kind: "missing" as const, node: ret.node }],
        );
      }
      case AST_NODE_TYPES.Identifier:
        return this.#identifierValues(value, steps, at, sinkCall);
      case AST_NODE_TYPES.ConditionalExpression:
        return [...this.#valuesAt(value.consequent, steps, at, sinkCall), ...this.#valuesAt(value.alternate, steps, at, sinkCall)];
      case AST_NODE_TYPES.MemberExpression: {
        const name = memberName(value);
        if (name !== null) return this.#valuesAt(value.object, [name, ...steps], at, sinkCall);
        break;
      }
      default:
        break;
    }
    return [{ kind: "unseen", node, why: "opaque", reason: `the scope inside \`${this.text(node)}\` cannot be seen` }];
  }

  #objectValues(object: TSESTree.ObjectExpression, key: string, rest: readonly PathStep[], at: At, sinkCall: Node): ScopeValue[] {
    // Later properties win: walk back from the end until the key or a spread that may hold it.
    for (let index = object.properties.length - 1; index >= 0; index--) {
      const property = object.properties[index];
      if (!property) continue;
      if (property.type === AST_NODE_TYPES.SpreadElement) {
        const spread = this.#valuesAt(property.argument, [key, ...rest], at, sinkCall);
        if (spread.every((value) => value.kind === "missing")) continue;
        // A spread of anything but a visible object literal may hold any scope (or none).
        return spread.map((value) =>
          value.kind === "unseen" || (value.kind === "proof" && value.throughParameter)
            ? { kind: "unseen", node: property, why: "spread", reason: `\`...${this.text(property.argument)}\` may overwrite it` }
            : value,
        );
      }
      if (hasKey(property, key)) return this.#valuesAt(property.value, rest, at, sinkCall);
    }
    return [{ kind: "missing", node: object }];
  }

  #identifierValues(identifier: TSESTree.Identifier, steps: readonly PathStep[], at: At, sinkCall: Node): ScopeValue[] {
    const variable = variableOf(this.#file, identifier);
    if (!variable) return [{ kind: "unseen", node: identifier, why: "opaque", reason: `\`${identifier.name}\` is not defined in this file` }];
    const mutation = this.#mutation(variable, sinkCall);
    if (mutation) return [{ kind: "proof", node: identifier, proof: unproven(mutation, `\`${identifier.name}\` may be modified before the token is written`) }];
    const defs = this.#reachingDefs(variable, at);
    if (defs === "captured") {
      return [{ kind: "proof", node: identifier, proof: capturedMayChange(identifier) }];
    }
    if (defs.length === 0) return [{ kind: "proof", node: identifier, proof: usedBeforeAssigned(identifier) }];
    return defs.flatMap((def) => this.#defValues(def, steps, sinkCall, identifier));
  }

  #defValues(def: Def, steps: readonly PathStep[], sinkCall: Node, use: Node): ScopeValue[] {
    const { source } = def;
    const at = { flow: def.flow, state: def.flow.stateAt(def) };
    switch (source.kind) {
      case "value":
        return this.#valuesAt(source.expression, [...source.steps, ...steps], at, sinkCall);
      case "parameter": {
        // A property of a parameter: the callers' arguments decide, along the same path.
        const fn = def.flow.fn;
        if (!fn || source.steps.includes(UNKNOWN_STEP)) break;
        const obligation: Obligation = { kind: "parameter", fn, index: source.index, steps: [...source.steps, ...steps], node: def.node, read: use, name: nameOf(def.node) };
        return [{ kind: "proof", node: use, proof: [obligation], throughParameter: true }];
      }
      default:
        break;
    }
    return [{ kind: "unseen", node: use, why: "opaque", reason: `the scope inside \`${nameOf(def.node)}\` cannot be seen` }];
  }

  /** The proof of a whole value. */
  #expression(node: Node, at: At): Proof {
    const value = unwrapValue(node);
    switch (value.type) {
      case AST_NODE_TYPES.Identifier:
        return this.#identifier(value, at);
      case AST_NODE_TYPES.AwaitExpression:
        return this.#expression(value.argument, at);
      case AST_NODE_TYPES.CallExpression:
        return this.#callResult(value, at);
      case AST_NODE_TYPES.TemplateLiteral:
        if (value.expressions.length === 1 && value.quasis.every((quasi) => quasi.value.cooked === "")) return this.#expression(value.expressions[0] as Node, at);
        return unproven(value, "a scope built from text is not proven: pass it through withinCeiling");
      case AST_NODE_TYPES.ConditionalExpression:
        return allOf([this.#expression(value.consequent, at), this.#expression(value.alternate, at)]);
      case AST_NODE_TYPES.LogicalExpression: {
        // `a ?? b` and `a || b`: a nullish `a` is replaced by `b`, so it needs no proof of its own.
        const left = this.#expression(value.left, at);
        return allOf([value.operator === "&&" ? left : withoutNullish(left), this.#expression(value.right, at)]);
      }
      case AST_NODE_TYPES.UnaryExpression:
        if (value.operator === "void") return nullish(value);
        return unproven(value, `\`${this.text(value)}\` is not a scope`);
      case AST_NODE_TYPES.MemberExpression: {
        const name = memberName(value);
        if (name === null) return this.#typed(value, unproven(value, `\`${this.text(value)}\` is not proven`));
        const parts = this.#valuesAt(value.object, [name], at, value);
        return this.#typed(value, this.#proofOfAll(parts));
      }
      case AST_NODE_TYPES.Literal:
        if (value.value === null) return nullish(value);
        return unproven(value, "a literal scope is not proven: pass defaults through withinCeiling too");
      case AST_NODE_TYPES.ArrayExpression:
        return unproven(value, "a literal scope is not proven: pass defaults through withinCeiling too");
      default:
        return this.#typed(value, unproven(value, `\`${this.text(value)}\` is not proven to come from withinCeiling`));
    }
  }

  /** A value turned into a proof: what is missing or unseen is not proven. */
  #proofOf(value: ScopeValue): Proof {
    if (value.kind === "proof") return value.proof;
    if (value.kind === "missing") return unproven(value.node, "the value is missing (undefined)");
    return unproven(value.node, value.reason);
  }

  #proofOfAll(values: readonly ScopeValue[]): Proof {
    return allOf(values.map((value) => this.#proofOf(value)));
  }

  /** With type information, an expression typed GrantedScope (not by a cast) is proven. */
  #typed(node: Node, proof: Proof): Proof {
    if (proof.length === 0 || !this.#typedGranted) return proof;
    return this.#typedGranted(node) ? PROVEN : proof;
  }

  #callResult(call: TSESTree.CallExpression, at: At): Proof {
    const guard = this.#catalog.matchGuard(this.#file, call);
    if (guard) {
      if (guard.spec.kind === "returns") return PROVEN;
      return unproven(call, `${guard.spec.name} is a ${guard.spec.kind} guard: its result is not the scope`);
    }
    if (this.#catalog.isToScopeList(this.#file, call)) return call.arguments[0] ? this.#expression(call.arguments[0], at) : unproven(call, "toScopeList() without a value");
    const callee = unwrapValue(call.callee);
    // Known-safe steps that keep a proof: g.split(" "), list.join(" "), String(g).
    if (callee.type === AST_NODE_TYPES.MemberExpression && call.arguments.length === 1) {
      const method = memberName(callee);
      const argument = call.arguments[0];
      if ((method === "split" || method === "join") && argument && staticString(argument) === " ") return this.#expression(callee.object, at);
    }
    if (callee.type === AST_NODE_TYPES.Identifier && callee.name === "String" && call.arguments.length === 1) {
      const binding = bindingOf(this.#file, callee);
      if (binding.kind === "global" && call.arguments[0]) return this.#expression(call.arguments[0], at);
    }
    return [{ kind: "returns", call, node: call, typedGranted: this.#typedGranted?.(call) ?? false }];
  }

  #identifier(identifier: TSESTree.Identifier, at: At): Proof {
    const variable = variableOf(this.#file, identifier);
    if (!variable || variable.defs.length === 0) {
      if (identifier.name === "undefined") return nullish(identifier);
      return this.#typed(identifier, unproven(identifier, `\`${identifier.name}\` is not proven`));
    }
    const defs = this.#reachingDefs(variable, at);
    if (defs === "captured") return this.#typed(identifier, capturedMayChange(identifier));
    const checked = at.flow.owns(variable) ? at.state?.get(variable)?.checked : null;
    if (checked?.length === 0) return PROVEN;
    if (defs.length === 0) return usedBeforeAssigned(identifier);
    const fromDefs = allOf(defs.map((def) => this.defProof(def)));
    if (fromDefs.length === 0 || !checked) return fromDefs;
    // Checked by calls that may turn out to assert it: the composer decides.
    return checked.map(
      (condition): Obligation => ({ kind: "asserts", call: condition.call as TSESTree.CallExpression, argument: condition.argument, node: identifier, otherwise: fromDefs }),
    );
  }

  /** The definitions of a variable that reach a point; a captured variable only if it never changes. */
  #reachingDefs(variable: Variable, at: At): Def[] | "captured" {
    if (at.flow.owns(variable)) return [...(at.state?.get(variable)?.defs ?? [])];
    const constant = constInitializer(variable);
    if (constant) {
      const def = this.#records.defsByNode.get(variable.defs[0]?.name as Node);
      return def ? [def] : "captured";
    }
    // A parameter of an enclosing function that is never reassigned is as good as a const.
    const writes = variable.references.filter((reference) => reference.isWrite());
    const [onlyDef] = variable.defs;
    const parameterDef = variable.defs.length === 1 && onlyDef?.type === DefinitionType.Parameter ? this.#records.defsByNode.get(onlyDef.name) : undefined;
    if (parameterDef && writes.length === 0) return [parameterDef];
    return "captured";
  }

  /** The proof of a definition's value, memoized. Cycles (loops) assume the best and are re-checked. */
  defProof(def: Def): Proof {
    const known = this.#defProofs.get(def);
    if (known) return known;
    const depth = this.#inProgress.indexOf(def);
    if (depth >= 0) {
      this.#lowest = Math.min(this.#lowest, depth);
      return PROVEN;
    }
    const outerLowest = this.#lowest;
    this.#lowest = Infinity;
    this.#inProgress.push(def);
    const proof = this.#evaluateDef(def);
    this.#inProgress.pop();
    const ownDepth = this.#inProgress.length;
    // Memoize only what did not lean on an assumption about a definition still being evaluated.
    if (this.#lowest >= ownDepth) this.#defProofs.set(def, proof);
    this.#lowest = Math.min(outerLowest, this.#lowest >= ownDepth ? Infinity : this.#lowest);
    return proof;
  }

  #evaluateDef(def: Def): Proof {
    const { source } = def;
    const at = { flow: def.flow, state: def.flow.stateAt(def) };
    switch (source.kind) {
      case "value": {
        if (source.steps.length === 0) return this.#expression(source.expression, at);
        if (source.steps.includes(UNKNOWN_STEP)) return unproven(def.node, `\`${nameOf(def.node)}\` is destructured in a way that cannot be followed`);
        return this.#proofOfAll(this.#valuesAt(source.expression, source.steps, at, def.node));
      }
      case "logical-assign":
        return allOf([this.#identifier(source.node.left as TSESTree.Identifier, at), this.#expression(source.node.right, at)]);
      case "parameter": {
        const fn = def.flow.fn;
        if (!fn) return unproven(def.node, "not a parameter");
        const param = def.node as TSESTree.Identifier;
        if (source.steps.includes(UNKNOWN_STEP)) return unproven(def.node, `\`${param.name}\` is destructured from a parameter in a way that cannot be followed`);
        const annotated = source.steps.length === 0 && isGrantedScopeAnnotation(this.#file, param);
        const fromCaller: Proof = annotated ? PROVEN : [{ kind: "parameter", fn, index: source.index, steps: source.steps, node: def.node, read: def.node, name: param.name }];
        return source.defaultValue ? allOf([fromCaller, this.#expression(source.defaultValue, at)]) : fromCaller;
      }
      case "element":
        // An element of a granted list is a granted scope.
        return this.#expression(source.of, at);
      case "unknown":
        return unproven(def.node, `\`${nameOf(def.node)}\` is ${source.reason}`);
    }
  }

  /** The proof of what a function returns, on every path. */
  returnProof(flow: Flow): Proof {
    const proofs = flow.returns.map((ret) =>
      ret.argument ? this.#expression(ret.argument, { flow, state: flow.stateAt(ret) }) : unproven(ret.node, "returns nothing"),
    );
    if (flow.returnedSegments.some((segment) => !flow.explicitReturns.has(segment))) proofs.push(unproven(flow.owner, "may end without returning a scope"));
    return allOf(proofs);
  }

  /** For each parameter checked on every path that returns: the conditions under which it is. */
  checkedParameters(flow: Flow): Map<number, Proof> {
    const checked = new Map<number, Proof>();
    flow.params.forEach((def) => {
      if (def.source.kind !== "parameter" || def.source.steps.length > 0) return;
      const index = def.source.index;
      let conditions: Obligation[] = [];
      for (const segment of flow.returnedSegments) {
        const state = flow.solution?.atEnd.get(segment)?.get(def.variable);
        if (!state?.checked || state.defs.size !== 1 || !state.defs.has(def)) return;
        conditions = [
          ...conditions,
          ...state.checked.map(
            (condition): Obligation => ({
              kind: "asserts",
              call: condition.call as TSESTree.CallExpression,
              argument: condition.argument,
              node: def.node,
              otherwise: unproven(def.node, "not checked on every path"),
            }),
          ),
        ];
      }
      checked.set(index, allOf([conditions]));
    });
    return checked;
  }

  /** The proof of the argument a call passes at `index`. */
  argumentProof(query: CallQuery, index: number, steps: readonly PathStep[] = []): { readonly proof: Proof; readonly node: Node } | null {
    const argument = query.call.arguments[index];
    if (!argument) return null;
    if (argument.type === AST_NODE_TYPES.SpreadElement) return { proof: unproven(argument, "the arguments are spread"), node: argument };
    const at = { flow: query.flow, state: query.flow.stateAt(query) };
    if (steps.length === 0) return { proof: this.#expression(argument, at), node: argument };
    const values = this.#valuesAt(argument, steps, at, query.call);
    const node = values.length === 1 && values[0] ? values[0].node : argument;
    return { proof: this.#proofOfAll(values), node };
  }

  /** A write to the object held by `variable`: `data.scope = x`, `data.n++`, `delete data.scope`, `Object.assign(data, ...)`. */
  #mutation(variable: Variable, sinkCall: Node): Node | null {
    for (const reference of variable.references) {
      const identifier = reference.identifier as Node;
      const parent = identifier.parent;
      if (!parent) continue;
      if (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === identifier) {
        const outer = parent.parent;
        const written =
          (outer.type === AST_NODE_TYPES.AssignmentExpression && outer.left === parent) ||
          outer.type === AST_NODE_TYPES.UpdateExpression ||
          (outer.type === AST_NODE_TYPES.UnaryExpression && outer.operator === "delete");
        if (written) return parent;
      }
      if ((parent.type === AST_NODE_TYPES.CallExpression || parent.type === AST_NODE_TYPES.NewExpression) && parent !== sinkCall && parent.arguments.includes(identifier as TSESTree.Expression)) {
        if (this.#isObjectAssignTarget(parent, identifier)) return parent;
      }
    }
    return null;
  }

  #isObjectAssignTarget(call: TSESTree.CallExpression | TSESTree.NewExpression, identifier: Node): boolean {
    const callee = unwrapValue(call.callee);
    return (
      call.arguments[0] === identifier &&
      callee.type === AST_NODE_TYPES.MemberExpression &&
      memberName(callee) === "assign" &&
      callee.object.type === AST_NODE_TYPES.Identifier &&
      callee.object.name === "Object"
    );
  }
}

function nameOf(node: Node): string {
  return node.type === AST_NODE_TYPES.Identifier ? node.name : "the value";
}

const capturedMayChange = (identifier: TSESTree.Identifier): Proof =>
  unproven(identifier, `\`${identifier.name}\` is a variable of an enclosing function that may change: copy it into a const`);
const usedBeforeAssigned = (identifier: TSESTree.Identifier): Proof => unproven(identifier, `\`${identifier.name}\` may be used before it is assigned`);
