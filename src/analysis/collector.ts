import type { Rule } from "eslint";
import { AST_NODE_TYPES, type TSESTree } from "@typescript-eslint/utils";
import { variableOf, type FileContext } from "./bindings.js";
import type { Catalog, PathStep, SinkMatch } from "./catalog.js";
import { solve, type FlowEvent, type PathRecord, type FlowState, type Segment, type Solution, type Variable } from "./flow.js";
import { isFunctionNode, isInside, staticKey, unwrapValue, type FunctionNode, type Node } from "./syntax.js";

/*
 * Records, while ESLint walks one file, what the proof needs: per code path (function), the
 * definitions, checks and queries of each segment. Nothing is judged here; `finish` solves
 * every path and hands the records to the evaluator.
 */

export type FlowOwner = FunctionNode | TSESTree.Program | Node;

/** Where a definition's value comes from. */
export type DefSource =
  | { readonly kind: "value"; readonly expression: Node; readonly steps: readonly PathStep[] }
  | { readonly kind: "logical-assign"; readonly node: TSESTree.AssignmentExpression }
  | { readonly kind: "parameter"; readonly index: number; readonly steps: readonly PathStep[]; readonly defaultValue: Node | null }
  | { readonly kind: "element"; readonly of: Node }
  | { readonly kind: "unknown"; readonly reason: string };

export interface Def {
  readonly variable: Variable;
  /** The identifier written. */
  readonly node: Node;
  readonly source: DefSource;
  readonly flow: Flow;
}

export interface SinkQuery {
  readonly kind: "sink";
  readonly match: SinkMatch;
  readonly flow: Flow;
}
export interface ReturnQuery {
  readonly kind: "return";
  readonly node: Node;
  readonly argument: Node | null;
  readonly flow: Flow;
}
export interface CallQuery {
  readonly kind: "call";
  readonly call: TSESTree.CallExpression | TSESTree.NewExpression;
  readonly flow: Flow;
}
export type Query = Def | SinkQuery | ReturnQuery | CallQuery;

/** One code path: a function, the program, a class field initializer or static block. */
export class Flow {
  readonly owner: FlowOwner;
  readonly parent: Flow | null;
  readonly segments: Segment[] = [];
  readonly events = new Map<Segment, FlowEvent<Def, Query>[]>();
  readonly edgeChecks = new Map<Segment, Map<Segment, readonly Variable[]>>();
  readonly current = new Set<Segment>();
  readonly params: Def[] = [];
  readonly returns: ReturnQuery[] = [];
  readonly sinks: SinkQuery[] = [];
  readonly calls: CallQuery[] = [];
  readonly explicitReturns = new Set<Segment>();
  initial: Segment | null = null;
  returnedSegments: readonly Segment[] = [];
  /** Set when the path ends; solved on first use, since most functions are never asked about. */
  path: PathRecord<Def, Query> | null = null;
  #solution: Solution<Def, Query> | null = null;

  get solution(): Solution<Def, Query> | null {
    if (!this.#solution && this.path) this.#solution = solve(this.path);
    return this.#solution;
  }

  constructor(owner: FlowOwner, parent: Flow | null) {
    this.owner = owner;
    this.parent = parent;
  }

  get fn(): FunctionNode | null {
    return isFunctionNode(this.owner) ? this.owner : null;
  }

  record(event: FlowEvent<Def, Query>): void {
    for (const segment of this.current) this.events.get(segment)?.push(event);
  }

  stateAt(query: Query): FlowState<Def> | undefined {
    return this.solution?.atQuery.get(query);
  }

  /** Does this variable belong to this code path (not to an enclosing or nested function)? */
  owns(variable: Variable): boolean {
    return variable.scope.variableScope.block === this.owner;
  }
}

export interface FileRecords {
  readonly flows: readonly Flow[];
  /** The code path of a function (or program) node. */
  readonly flowOf: ReadonlyMap<Node, Flow>;
  readonly calls: ReadonlyMap<Node, CallQuery>;
  readonly defsByNode: ReadonlyMap<Node, Def>;
  readonly unusedGuards: readonly TSESTree.CallExpression[];
}

interface IfRecord {
  readonly node: TSESTree.IfStatement;
  readonly testSegments: Set<Segment>;
}

/** The variables a condition proves checked when it is true, and when it is false. */
interface ConditionFacts {
  readonly whenTrue: readonly Variable[];
  readonly whenFalse: readonly Variable[];
}
const NO_FACTS: ConditionFacts = { whenTrue: [], whenFalse: [] };

type Listeners = Record<string, ((...args: never[]) => void) | undefined>;

export class Collector {
  readonly #file: FileContext;
  readonly #catalog: Catalog;
  readonly #flows: Flow[] = [];
  readonly #stack: Flow[] = [];
  readonly #defsByNode = new Map<Node, Def>();
  readonly #unusedGuards: TSESTree.CallExpression[] = [];
  readonly #openIfs: IfRecord[] = [];
  readonly #ifRecords = new Map<TSESTree.IfStatement, IfRecord>();

  constructor(file: FileContext, catalog: Catalog) {
    this.#file = file;
    this.#catalog = catalog;
  }

  get #flow(): Flow | undefined {
    return this.#stack.at(-1);
  }

  finish(): FileRecords {
    const calls = new Map<Node, CallQuery>();
    for (const flow of this.#flows) for (const query of flow.calls) calls.set(query.call, query);
    const flowOf = new Map(this.#flows.map((flow) => [flow.owner, flow] as const));
    return { flows: this.#flows, flowOf, calls, defsByNode: this.#defsByNode, unusedGuards: this.#unusedGuards };
  }

  listeners(): Listeners {
    return {
      onCodePathStart: (_codePath: Rule.CodePath, node: Node) => {
        const flow = new Flow(node, this.#flow ?? null);
        this.#flows.push(flow);
        this.#stack.push(flow);
        if (isFunctionNode(node)) this.#defineParameters(flow, node);
      },
      onCodePathEnd: (codePath: Rule.CodePath) => {
        const flow = this.#stack.pop();
        if (!flow?.initial) return;
        flow.returnedSegments = codePath.returnedSegments;
        flow.path = {
          initial: flow.initial,
          segments: flow.segments,
          events: flow.events,
          edgeChecks: flow.edgeChecks,
          entryState: entryState(flow),
        };
      },
      onCodePathSegmentStart: (segment: Segment, node: Node) => {
        const flow = this.#flow;
        if (!flow) return;
        flow.initial ??= segment;
        flow.segments.push(segment);
        flow.events.set(segment, []);
        flow.current.add(segment);
        this.#recordEdgeChecks(flow, segment, node);
      },
      onCodePathSegmentEnd: (segment: Segment) => {
        this.#flow?.current.delete(segment);
      },
      IfStatement: (node: TSESTree.IfStatement) => {
        const record = { node, testSegments: new Set(this.#flow?.current) };
        this.#openIfs.push(record);
        this.#ifRecords.set(node, record);
      },
      "IfStatement:exit": () => {
        this.#openIfs.pop();
      },
      "VariableDeclarator:exit": (node: TSESTree.VariableDeclarator) => {
        const loop = node.parent.parent;
        if ((loop.type === AST_NODE_TYPES.ForOfStatement || loop.type === AST_NODE_TYPES.ForInStatement) && loop.left === node.parent) {
          this.#definePattern(node.id, loop.type === AST_NODE_TYPES.ForOfStatement ? { kind: "element", of: loop.right } : unknownSource("a property name"));
          return;
        }
        if (node.init) this.#definePattern(node.id, { kind: "value", expression: node.init, steps: [] });
        else this.#definePattern(node.id, unknownSource("declared without a value"));
      },
      "AssignmentExpression:exit": (node: TSESTree.AssignmentExpression) => {
        if (node.operator === "=") this.#definePattern(node.left, { kind: "value", expression: node.right, steps: [] });
        else if (node.operator === "??=" || node.operator === "||=" || node.operator === "&&=") this.#definePattern(node.left, { kind: "logical-assign", node });
        else this.#definePattern(node.left, unknownSource(`changed with ${node.operator}`));
      },
      "UpdateExpression:exit": (node: TSESTree.UpdateExpression) => {
        this.#definePattern(node.argument, unknownSource(`changed with ${node.operator}`));
      },
      "ForOfStatement > :not(VariableDeclaration).left": (node: Node) => {
        const loop = node.parent as TSESTree.ForOfStatement;
        this.#definePattern(node, { kind: "element", of: loop.right });
      },
      "CatchClause > .param": (node: Node) => {
        this.#definePattern(node, unknownSource("a caught error"));
      },
      "CallExpression:exit": (node: TSESTree.CallExpression) => {
        this.#call(node);
      },
      "NewExpression:exit": (node: TSESTree.NewExpression) => {
        this.#call(node);
      },
      "ReturnStatement:exit": (node: TSESTree.ReturnStatement) => {
        this.#return(node, node.argument);
      },
      "ArrowFunctionExpression:exit": (node: TSESTree.ArrowFunctionExpression) => {
        if (node.expression) this.#return(node.body, node.body);
      },
      ExpressionStatement: (node: TSESTree.ExpressionStatement) => {
        let expression: Node = unwrapValue(node.expression);
        while (expression.type === AST_NODE_TYPES.AwaitExpression || (expression.type === AST_NODE_TYPES.UnaryExpression && expression.operator === "void")) {
          expression = unwrapValue(expression.argument);
        }
        if (expression.type !== AST_NODE_TYPES.CallExpression) return;
        if (this.#catalog.matchGuard(this.#file, expression)?.spec.kind === "returns") this.#unusedGuards.push(expression);
      },
    };
  }

  #defineParameters(flow: Flow, fn: FunctionNode): void {
    fn.params.forEach((param, index) => {
      let pattern: Node = param;
      let defaultValue: Node | null = null;
      if (pattern.type === AST_NODE_TYPES.TSParameterProperty) pattern = pattern.parameter;
      if (pattern.type === AST_NODE_TYPES.AssignmentPattern) {
        defaultValue = pattern.right;
        pattern = pattern.left;
      }
      if (pattern.type === AST_NODE_TYPES.RestElement) {
        this.#eachBinding(pattern, [], (identifier) => {
          this.#addParameter(flow, identifier, unknownSource("a rest parameter"));
        });
        return;
      }
      this.#eachBinding(pattern, [], (identifier, steps) => {
        this.#addParameter(flow, identifier, { kind: "parameter", index, steps, defaultValue });
      });
    });
  }

  #addParameter(flow: Flow, identifier: TSESTree.Identifier, source: DefSource): void {
    const variable = variableOf(this.#file, identifier);
    if (!variable) return;
    const def: Def = { variable, node: identifier, source, flow };
    this.#defsByNode.set(identifier, def);
    flow.params.push(def);
  }

  /** Defines every identifier bound by a pattern, with the property path that leads to it. */
  #definePattern(pattern: Node, source: DefSource): void {
    const flow = this.#flow;
    if (!flow) return;
    this.#eachBinding(pattern, [], (identifier, steps) => {
      const variable = variableOf(this.#file, identifier);
      if (!variable || !flow.owns(variable)) return;
      let sourceHere = source;
      if (steps.length > 0) {
        if (source.kind === "value") sourceHere = { ...source, steps: [...source.steps, ...steps] };
        else if (source.kind !== "unknown") sourceHere = unknownSource("destructured");
      }
      const def: Def = { variable, node: identifier, source: sourceHere, flow };
      this.#defsByNode.set(identifier, def);
      // The def is its own query: its value is evaluated in the state just before it.
      flow.record({ kind: "query", query: def });
      flow.record({ kind: "def", variable, def });
    });
  }

  #eachBinding(pattern: Node, steps: readonly PathStep[], visit: (identifier: TSESTree.Identifier, steps: readonly PathStep[]) => void): void {
    switch (pattern.type) {
      case AST_NODE_TYPES.Identifier:
        visit(pattern, steps);
        return;
      case AST_NODE_TYPES.AssignmentPattern:
        // A default may replace the value: the binding is no longer just the path.
        this.#eachBinding(pattern.left, steps, (identifier) => {
          visit(identifier, [...steps, UNKNOWN_STEP]);
        });
        return;
      case AST_NODE_TYPES.ObjectPattern:
        for (const property of pattern.properties) {
          if (property.type === AST_NODE_TYPES.RestElement) {
            this.#eachBinding(property.argument, [...steps, UNKNOWN_STEP], visit);
            continue;
          }
          const key = staticKey(property.key, property.computed);
          this.#eachBinding(property.value, [...steps, key ?? UNKNOWN_STEP], visit);
        }
        return;
      case AST_NODE_TYPES.ArrayPattern:
        for (const element of pattern.elements) if (element) this.#eachBinding(element, [...steps, UNKNOWN_STEP], visit);
        return;
      case AST_NODE_TYPES.RestElement:
        this.#eachBinding(pattern.argument, [...steps, UNKNOWN_STEP], visit);
        return;
      default:
        // Member targets (`obj.scope = x`) define no variable.
        return;
    }
  }

  #call(node: TSESTree.CallExpression | TSESTree.NewExpression): void {
    const flow = this.#flow;
    // Unreachable code writes no token and passes nothing on.
    if (!flow || flow.current.size === 0) return;
    for (const match of this.#catalog.matchSinks(this.#file, node)) {
      const query: SinkQuery = { kind: "sink", match, flow };
      flow.sinks.push(query);
      flow.record({ kind: "query", query });
    }
    if (node.type === AST_NODE_TYPES.CallExpression) {
      const guard = this.#catalog.matchGuard(this.#file, node);
      if (guard) {
        if (guard.spec.kind === "asserts" && guard.shape.args !== "unknown") {
          const variable = this.#localVariable(flow, guard.shape.args[guard.spec.argument]);
          if (variable) flow.record({ kind: "check", variable, condition: null });
        }
        return;
      }
    }
    const query: CallQuery = { kind: "call", call: node, flow };
    flow.calls.push(query);
    flow.record({ kind: "query", query });
    // Any other call may be a function that asserts its argument: the composer decides.
    if (node.type === AST_NODE_TYPES.CallExpression) {
      node.arguments.forEach((argument, index) => {
        const variable = this.#localVariable(flow, argument);
        if (variable) flow.record({ kind: "check", variable, condition: { call: node, argument: index } });
      });
    }
  }

  #return(node: Node, argument: Node | null): void {
    const flow = this.#flow;
    if (!flow || flow.current.size === 0) return;
    const query: ReturnQuery = { kind: "return", node, argument, flow };
    flow.returns.push(query);
    flow.record({ kind: "query", query });
    for (const segment of flow.current) flow.explicitReturns.add(segment);
  }

  #localVariable(flow: Flow, node: Node | undefined): Variable | null {
    if (!node) return null;
    const value = unwrapValue(node);
    if (value.type !== AST_NODE_TYPES.Identifier) return null;
    const variable = variableOf(this.#file, value);
    return variable && flow.owns(variable) ? variable : null;
  }

  #recordEdgeChecks(flow: Flow, segment: Segment, node: Node): void {
    for (const open of this.#openIfs) if (isInside(node, open.node.test)) open.testSegments.add(segment);
    const parent = node.parent;
    let checked: readonly Variable[] = [];
    let from: ReadonlySet<Segment> | null = null;
    if (parent && (parent.type === AST_NODE_TYPES.IfStatement || parent.type === AST_NODE_TYPES.ConditionalExpression)) {
      if (node === parent.consequent) checked = this.#facts(flow, parent.test).whenTrue;
      else if (node === parent.alternate) checked = this.#facts(flow, parent.test).whenFalse;
    } else if (parent?.type === AST_NODE_TYPES.LogicalExpression && node === parent.right) {
      if (parent.operator === "&&") checked = this.#facts(flow, parent.left).whenTrue;
      else if (parent.operator === "||") checked = this.#facts(flow, parent.left).whenFalse;
    } else if (node.type === AST_NODE_TYPES.IfStatement && !node.alternate) {
      // The segment after an `if` without `else`: its edges from the test are the false branch.
      const record = this.#ifRecords.get(node);
      if (record) {
        checked = this.#facts(flow, node.test).whenFalse;
        from = record.testSegments;
      }
    }
    if (checked.length === 0) return;
    const byPrevious = new Map<Segment, readonly Variable[]>();
    for (const previous of segment.prevSegments) if (!from || from.has(previous)) byPrevious.set(previous, checked);
    flow.edgeChecks.set(segment, byPrevious);
  }

  /** What a condition built from predicate guards, `!`, `&&` and `||` proves on each branch. */
  #facts(flow: Flow, test: Node): ConditionFacts {
    const node = unwrapValue(test);
    switch (node.type) {
      case AST_NODE_TYPES.AwaitExpression:
        return this.#facts(flow, node.argument);
      case AST_NODE_TYPES.UnaryExpression:
        if (node.operator !== "!") return NO_FACTS;
        return swap(this.#facts(flow, node.argument));
      case AST_NODE_TYPES.LogicalExpression: {
        const left = this.#facts(flow, node.left);
        const right = this.#facts(flow, node.right);
        if (node.operator === "&&") return { whenTrue: union(left.whenTrue, right.whenTrue), whenFalse: intersect(left.whenFalse, right.whenFalse) };
        if (node.operator === "||") return { whenTrue: intersect(left.whenTrue, right.whenTrue), whenFalse: union(left.whenFalse, right.whenFalse) };
        return NO_FACTS;
      }
      case AST_NODE_TYPES.BinaryExpression: {
        // `ok(s) === true`, `ok(s) !== false`, and the mirrored forms.
        if (!["===", "!==", "==", "!="].includes(node.operator)) return NO_FACTS;
        const [call, literal] = node.right.type === AST_NODE_TYPES.Literal ? [node.left, node.right] : [node.right, node.left];
        if (literal.type !== AST_NODE_TYPES.Literal || typeof literal.value !== "boolean") return NO_FACTS;
        const facts = this.#facts(flow, call);
        const negated = !literal.value !== (node.operator === "!==" || node.operator === "!=");
        return negated ? swap(facts) : facts;
      }
      case AST_NODE_TYPES.CallExpression: {
        const guard = this.#catalog.matchGuard(this.#file, node);
        if (guard?.spec.kind !== "predicate" || guard.shape.args === "unknown") return NO_FACTS;
        const variable = this.#localVariable(flow, guard.shape.args[guard.spec.argument]);
        return variable ? { whenTrue: [variable], whenFalse: [] } : NO_FACTS;
      }
      default:
        return NO_FACTS;
    }
  }
}

/** A step that no path can follow: the binding is not a plain property of the value. */
export const UNKNOWN_STEP = "\u0000unknown";

function unknownSource(reason: string): DefSource {
  return { kind: "unknown", reason };
}

function entryState(flow: Flow): FlowState<Def> {
  const state = new Map<Variable, { defs: ReadonlySet<Def>; checked: null }>();
  for (const def of flow.params) state.set(def.variable, { defs: new Set([def]), checked: null });
  return state;
}

const swap = (facts: ConditionFacts): ConditionFacts => ({ whenTrue: facts.whenFalse, whenFalse: facts.whenTrue });
const union = (a: readonly Variable[], b: readonly Variable[]) => [...new Set([...a, ...b])];
const intersect = (a: readonly Variable[], b: readonly Variable[]) => a.filter((variable) => b.includes(variable));
