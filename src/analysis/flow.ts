import type { Rule } from "eslint";
import type { TSESLint } from "@typescript-eslint/utils";

/**
 * The must-analysis over one code path's segments: which definitions of each local variable
 * reach a point (may, union at joins), and whether the variable was checked by an asserting
 * guard since its definition on every path (must, intersection at joins). Events are recorded
 * per segment while ESLint walks the code; `solve` runs once the whole path is known, so loops
 * (back edges) are handled by iterating to a fixpoint rather than by deciding on first sight.
 */

export type Variable = TSESLint.Scope.Variable;
export type Segment = Rule.CodePathSegment;

/** A condition under which a check counts: a call whose callee must turn out to assert its argument. */
export interface CheckCondition {
  readonly call: unknown;
  readonly argument: number;
}

/** `null`: not checked on some path. An array: checked on every path, given all these conditions ([] = unconditionally). */
export type Checked = readonly CheckCondition[] | null;

export interface VariableState<Def> {
  readonly defs: ReadonlySet<Def>;
  readonly checked: Checked;
}

export type FlowState<Def> = ReadonlyMap<Variable, VariableState<Def>>;

export type FlowEvent<Def, Query> =
  | { readonly kind: "def"; readonly variable: Variable; readonly def: Def }
  | { readonly kind: "check"; readonly variable: Variable; readonly condition: CheckCondition | null }
  | { readonly kind: "query"; readonly query: Query };

const UNCHECKED: Checked = null;
const CHECKED: Checked = Object.freeze([]);

function joinChecked(a: Checked, b: Checked): Checked {
  if (a === null || b === null) return UNCHECKED;
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return [...new Set([...a, ...b])];
}

function sameChecked(a: Checked, b: Checked): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((condition, index) => condition === b[index]);
}

function sameState<Def>(a: FlowState<Def>, b: FlowState<Def>): boolean {
  if (a.size !== b.size) return false;
  for (const [variable, state] of a) {
    const other = b.get(variable);
    if (other?.defs.size !== state.defs.size || !sameChecked(other.checked, state.checked)) return false;
    for (const def of state.defs) if (!other.defs.has(def)) return false;
  }
  return true;
}

function join<Def>(states: readonly FlowState<Def>[]): FlowState<Def> {
  const [first, ...rest] = states;
  if (!first) return new Map();
  if (rest.length === 0) return first;
  const variables = new Set<Variable>();
  for (const state of states) for (const variable of state.keys()) variables.add(variable);
  const joined = new Map<Variable, VariableState<Def>>();
  for (const variable of variables) {
    const defs = new Set<Def>();
    let checked: Checked = CHECKED;
    for (const state of states) {
      const entry = state.get(variable);
      // A variable absent from a state has no definition there yet (declared later, or hoisted).
      if (entry) for (const def of entry.defs) defs.add(def);
      checked = joinChecked(checked, entry ? entry.checked : UNCHECKED);
    }
    joined.set(variable, { defs, checked });
  }
  return joined;
}

function apply<Def, Query>(state: FlowState<Def>, event: FlowEvent<Def, Query>): FlowState<Def> {
  if (event.kind === "query") return state;
  const next = new Map(state);
  if (event.kind === "def") {
    next.set(event.variable, { defs: new Set([event.def]), checked: UNCHECKED });
    return next;
  }
  const current = state.get(event.variable);
  if (!current) return state;
  // An unconditional check beats a conditional one; of two conditional ones keep the first.
  if (event.condition === null) next.set(event.variable, { defs: current.defs, checked: CHECKED });
  else if (current.checked === null) next.set(event.variable, { defs: current.defs, checked: [event.condition] });
  else return state;
  return next;
}

/** Variables checked on an edge: the branch of a predicate guard's condition that the edge takes. */
export type EdgeChecks = ReadonlyMap<Segment, readonly Variable[]>;

export interface PathRecord<Def, Query> {
  readonly initial: Segment;
  readonly segments: readonly Segment[];
  readonly events: ReadonlyMap<Segment, readonly FlowEvent<Def, Query>[]>;
  /** For a segment, the checks on its incoming edges, by previous segment. */
  readonly edgeChecks: ReadonlyMap<Segment, EdgeChecks>;
  readonly entryState: FlowState<Def>;
}

export interface Solution<Def, Query> {
  /** The state right before each query, in recording order. */
  readonly atQuery: ReadonlyMap<Query, FlowState<Def>>;
  /** The state at the end of each segment. */
  readonly atEnd: ReadonlyMap<Segment, FlowState<Def>>;
}

function withChecks<Def>(state: FlowState<Def>, variables: readonly Variable[] | undefined): FlowState<Def> {
  if (!variables || variables.length === 0) return state;
  const next = new Map(state);
  for (const variable of variables) {
    const current = state.get(variable);
    if (current) next.set(variable, { defs: current.defs, checked: CHECKED });
  }
  return next;
}

/** Worklist fixpoint over the segments, then one replay to read the state at each query. */
export function solve<Def, Query>(record: PathRecord<Def, Query>): Solution<Def, Query> {
  const outStates = new Map<Segment, FlowState<Def>>();
  const inState = (segment: Segment): FlowState<Def> => {
    if (segment === record.initial) return record.entryState;
    const incoming: FlowState<Def>[] = [];
    const checks = record.edgeChecks.get(segment);
    for (const previous of segment.prevSegments) {
      const out = outStates.get(previous);
      // Not yet visited: optimistic, as a must-analysis needs; iteration corrects it.
      if (out) incoming.push(withChecks(out, checks?.get(previous)));
    }
    return join(incoming);
  };
  const run = (segment: Segment, onQuery?: (query: Query, state: FlowState<Def>) => void): FlowState<Def> => {
    let state = inState(segment);
    for (const event of record.events.get(segment) ?? []) {
      if (event.kind === "query") onQuery?.(event.query, state);
      else state = apply(state, event);
    }
    return state;
  };

  const queue: Segment[] = [...record.segments];
  const queued = new Set(queue);
  // The lattice is finite, so this converges; the budget only guards against a bug becoming a hang.
  let budget = Math.max(1000, record.segments.length * 200);
  // A worklist: the array iterator also visits what is pushed while iterating.
  for (const segment of queue) {
    // Out of budget: no state is trusted, so every variable reads as unproven (a finding, never a miss).
    if (--budget < 0) return { atQuery: new Map(), atEnd: new Map() };
    queued.delete(segment);
    // Not reached yet (a loop's update clause comes before its body): nothing is known, so nothing
    // is decided; a predecessor's first visit queues it again. Deciding from an empty state would
    // mark every variable unchecked and then undo it, forever.
    if (segment !== record.initial && !segment.prevSegments.some((previous) => outStates.has(previous))) continue;
    const out = run(segment);
    const previous = outStates.get(segment);
    if (previous && sameState(previous, out)) continue;
    outStates.set(segment, out);
    for (const next of segment.nextSegments) {
      if (!queued.has(next)) {
        queued.add(next);
        queue.push(next);
      }
    }
  }

  // The fixpoint states already cover every loop iteration, so one replay reads each query.
  // A query recorded in several current segments at once gets the join of their states.
  const seen = new Map<Query, FlowState<Def>[]>();
  for (const segment of record.segments) {
    run(segment, (query, state) => {
      const states = seen.get(query);
      if (states) states.push(state);
      else seen.set(query, [state]);
    });
  }
  const atQuery = new Map<Query, FlowState<Def>>();
  for (const [query, states] of seen) atQuery.set(query, join(states));
  return { atQuery, atEnd: outStates };
}
