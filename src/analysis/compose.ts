import type { TSESTree } from "@typescript-eslint/utils";
import type { CallQuery, Flow } from "./collector.js";
import type { Evaluator, ScopeValue } from "./evaluate.js";
import type { Obligation, Proof } from "./proof.js";
import { unwrapCallee } from "./callee.js";
import { isInside, type FunctionNode, type Node } from "./syntax.js";

/*
 * The composer: discharges the obligations the evaluator leaves (calls, parameters, asserting
 * helpers) against what a front end can see. The rule sees one file, the checker the program;
 * both hand their view to the same composer, so "proven" means the same thing in both.
 */

/** A function and the evaluator of the file it is in. */
export interface FunctionRef {
  readonly flow: Flow;
  readonly evaluator: Evaluator;
}

/** A call and the evaluator of the file it is in. */
export interface CallSite {
  readonly query: CallQuery;
  readonly evaluator: Evaluator;
}

/** What a front end knows about the program around the code. */
export interface ProgramView {
  /** The function a call invokes, when the program defines it. */
  resolveCall(call: TSESTree.CallExpression | TSESTree.NewExpression, evaluator: Evaluator): FunctionRef | null;
  /** Every call of the function, or "entry" when it has none or may be called from where the view cannot see. */
  callersOf(fn: FunctionRef): readonly CallSite[] | "entry";
}

export type MessageId = "unguardedScope" | "missingScope" | "unusedGuardResult";

export interface TraceHop {
  readonly node: Node;
  readonly evaluator: Evaluator;
  readonly note: string;
  /** origin: where the unproven value is made; parameter/call/return: how it travels; sink: where it is written. */
  readonly kind: "origin" | "parameter" | "call" | "return" | "sink";
}

export interface Finding {
  readonly messageId: MessageId;
  readonly node: Node;
  readonly evaluator: Evaluator;
  /** The sink, as written. */
  readonly sink: string;
  readonly reason: string;
  readonly trace: readonly TraceHop[];
}

interface Failure {
  /** Where the proof fails; `null`: not yet placed, the nearest caller (or the sink) reports it. */
  readonly node: Node | null;
  /** The value came from an entry point's parameter: reported at the sink's scope value, never at a caller. */
  readonly fromEntry?: boolean;
  readonly evaluator: Evaluator | null;
  readonly reason: string;
  readonly trace: readonly TraceHop[];
}

/** While checking a callee's return value: its parameters stand for the arguments of this call. */
interface Binding {
  readonly fn: FunctionNode;
  readonly call: CallSite;
  readonly outer: Binding | null;
}

const MAX_DEPTH = 40;
/** Enough failures to report one value's problems; more only cost (they multiply along call chains). */
const MAX_FAILURES = 32;

export class Composer {
  readonly #view: ProgramView;
  readonly #returns = new Map<Flow, Proof>();
  readonly #checked = new Map<Flow, Map<number, Proof>>();
  readonly #parameterFailures = new Map<string, readonly Failure[]>();
  /** Parameters being checked, outermost first; a cycle back to one is cut there. */
  readonly #inProgress: string[] = [];
  /** The outermost in-progress parameter a result leaned on: such a result is not final, so not cached. */
  #lowest = Infinity;
  readonly #returnStack = new Set<Flow>();

  constructor(view: ProgramView) {
    this.#view = view;
  }

  /** Every finding of the sinks and discarded guard results in these files. */
  findings(evaluators: readonly Evaluator[]): Finding[] {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    const add = (finding: Finding) => {
      const key = `${finding.messageId}:${finding.evaluator.file.filename}:${String(finding.node.range[0])}:${String(finding.node.range[1])}`;
      if (seen.has(key)) return;
      seen.add(key);
      findings.push(finding);
    };
    for (const evaluator of evaluators) {
      for (const call of evaluator.records.unusedGuards) {
        add({ messageId: "unusedGuardResult", node: call, evaluator, sink: evaluator.text(call.callee), reason: "", trace: [] });
      }
      for (const flow of evaluator.records.flows) {
        for (const query of flow.sinks) {
          const sink = evaluator.text(unwrapCallee(query.match.shape.target));
          const { required, values } = evaluator.sinkValues(flow, query);
          for (const value of values) for (const finding of this.#judge(value, required, sink, evaluator)) add(finding);
        }
      }
    }
    return findings;
  }

  #judge(value: ScopeValue, required: boolean, sink: string, evaluator: Evaluator): Finding[] {
    switch (value.kind) {
      case "missing":
        return required ? [{ messageId: "missingScope", node: value.node, evaluator, sink, reason: "it writes no scope, so the store's default would apply", trace: [] }] : [];
      case "unseen":
        if (!required) return [];
        if (value.why === "spread") return [{ messageId: "missingScope", node: value.node, evaluator, sink, reason: value.reason, trace: [] }];
        return [{ messageId: "unguardedScope", node: value.node, evaluator, sink, reason: value.reason, trace: [] }];
      case "proof": {
        // An update-like sink handed a parameter's object: whether it writes a scope is the caller's business.
        if (!required && value.throughParameter) return [];
        const written: TraceHop = { node: value.node, evaluator, note: `the token is written by ${sink}`, kind: "sink" };
        return this.#check(value.proof, evaluator, null, 0).map((failure) => ({
          messageId: "unguardedScope",
          node: failure.node ?? value.node,
          evaluator: failure.evaluator ?? evaluator,
          sink,
          reason: failure.reason,
          trace: failure.node === null ? [...failure.trace] : [...failure.trace, written],
        }));
      }
    }
  }

  /** The failures of a proof, evaluated in `evaluator`'s file, with `binding` standing for parameters. */
  #check(proof: Proof, evaluator: Evaluator, binding: Binding | null, depth: number): Failure[] {
    const failures: Failure[] = [];
    for (const obligation of proof) {
      failures.push(...this.#obligation(obligation, evaluator, binding, depth));
      if (failures.length >= MAX_FAILURES) return failures.slice(0, MAX_FAILURES);
    }
    return failures;
  }

  #obligation(obligation: Obligation, evaluator: Evaluator, binding: Binding | null, depth: number): Failure[] {
    if (depth > MAX_DEPTH) return [{ node: null, evaluator: null, reason: "the proof is too deep to follow", trace: [] }];
    switch (obligation.kind) {
      case "unproven":
        return [{ node: null, evaluator: null, reason: obligation.reason, trace: [{ node: obligation.node, evaluator, note: "not proven here", kind: "origin" }] }];
      case "returns":
        return this.#returnsFailures(obligation, evaluator, binding, depth);
      case "asserts": {
        const target = this.#view.resolveCall(obligation.call, evaluator);
        const conditions = target ? this.#checkedParameters(target).get(obligation.argument) : undefined;
        if (target && conditions) {
          const call = evaluator.callSite(obligation.call);
          const failures = call ? this.#check(conditions, target.evaluator, target.flow.fn ? { fn: target.flow.fn, call: { query: call, evaluator }, outer: binding } : null, depth + 1) : [];
          if (call && failures.length === 0) return [];
        }
        return this.#check(obligation.otherwise, evaluator, binding, depth + 1);
      }
      case "parameter": {
        if (binding?.fn === obligation.fn) {
          const argument = binding.call.evaluator.argumentProof(binding.call.query, obligation.index, obligation.steps);
          if (!argument) return [{ node: null, evaluator: null, reason: `no value is passed for \`${obligation.name}\``, trace: [] }];
          return this.#check(argument.proof, binding.call.evaluator, binding.outer, depth + 1);
        }
        return this.#parameter(obligation, evaluator, depth);
      }
    }
  }

  #returnsFailures(obligation: Obligation & { kind: "returns" }, evaluator: Evaluator, binding: Binding | null, depth: number): Failure[] {
    const target = this.#view.resolveCall(obligation.call, evaluator);
    const callee = evaluator.text(obligation.call.callee);
    // A function the program defines is judged by its body, whatever its declared type says;
    // only a function without one here (a library's, an ambient declaration) is taken at its type.
    if (!target && obligation.typedGranted) return [];
    if (!target) {
      return [{ node: null, evaluator: null, reason: `\`${callee}(...)\` is not a guard`, trace: [{ node: obligation.call, evaluator, note: "not proven here", kind: "origin" }] }];
    }
    // A recursive call returns what the function returns: the other paths decide (greatest fixpoint).
    if (this.#returnStack.has(target.flow)) return [];
    const call = evaluator.callSite(obligation.call);
    const fn = target.flow.fn;
    this.#returnStack.add(target.flow);
    try {
      const inner = this.#check(this.#returnProof(target), target.evaluator, fn && call ? { fn, call: { query: call, evaluator }, outer: binding } : null, depth + 1);
      return inner.map((failure) =>
        failure.node === null ? { ...failure, reason: failure.reason, trace: [{ node: obligation.call, evaluator, note: `returned by ${callee}`, kind: "return" }, ...failure.trace] } : failure,
      );
    } finally {
      this.#returnStack.delete(target.flow);
    }
  }

  /**
   * A parameter must be proven by every caller. With no visible caller (an entry point) the
   * failure is at the sink's scope value; otherwise at each caller that passes an unproven value.
   */
  #parameter(obligation: Obligation & { kind: "parameter" }, evaluator: Evaluator, depth: number): Failure[] {
    const flow = evaluator.records.flowOf.get(obligation.fn);
    const key = `${evaluator.file.filename}:${String(obligation.fn.range[0])}:${String(obligation.index)}:${obligation.steps.map(String).join(".")}:${String(obligation.read.range[0])}`;
    const cached = this.#parameterFailures.get(key);
    if (cached) return [...cached];
    // A cycle of calls passing the parameter along proves nothing new: it holds if the rest does.
    const open = this.#inProgress.indexOf(key);
    if (open >= 0) {
      this.#lowest = Math.min(this.#lowest, open);
      return [];
    }
    const received: TraceHop = { node: obligation.node, evaluator, note: `received as parameter \`${obligation.name}\``, kind: "parameter" };
    const read: TraceHop[] = obligation.read === obligation.node ? [] : [{ node: obligation.read, evaluator, note: "read from the parameter here", kind: "origin" }];
    const callers = flow ? this.#view.callersOf({ flow, evaluator }) : "entry";
    let failures: Failure[];
    if (callers === "entry") {
      failures = [
        {
          node: null,
          evaluator: null,
          fromEntry: true,
          reason:
            obligation.steps.length > 0
              ? `the scope comes from inside parameter \`${obligation.name}\`, which is client input`
              : `it comes from parameter \`${obligation.name}\`, which no visible caller proves: type it GrantedScope or check it with withinCeiling`,
          trace: [received, ...read],
        },
      ];
    } else {
      const outerLowest = this.#lowest;
      this.#lowest = Infinity;
      this.#inProgress.push(key);
      failures = [];
      for (const caller of callers) {
        const argument = caller.evaluator.argumentProof(caller.query, obligation.index, obligation.steps);
        const passes: TraceHop = { node: caller.query.call, evaluator: caller.evaluator, note: `passes it to ${caller.evaluator.text(caller.query.call.callee)}`, kind: "call" };
        if (!argument) {
          failures.push({ node: caller.query.call, evaluator: caller.evaluator, reason: `no value is passed for \`${obligation.name}\``, trace: [passes, received, ...read] });
          continue;
        }
        if (failures.length >= MAX_FAILURES) break;
        for (const failure of this.#check(argument.proof, caller.evaluator, null, depth + 1)) {
          // Failing in the caller itself: report there. Failing further up (an entry point): keep going up.
          if (failure.node === null && !failure.fromEntry) {
            failures.push({ node: argument.node, evaluator: caller.evaluator, reason: failure.reason, trace: [...failure.trace.filter((hop) => !isInside(hop.node, argument.node)), passes, received, ...read] });
          } else {
            failures.push({ ...failure, trace: [...failure.trace, passes, received, ...read] });
          }
        }
      }
      this.#inProgress.pop();
      const ownDepth = this.#inProgress.length;
      const final = this.#lowest >= ownDepth;
      this.#lowest = Math.min(outerLowest, final ? Infinity : this.#lowest);
      // Computed while an enclosing parameter was still open: correct here, but not on its own.
      if (!final) return failures;
    }
    this.#parameterFailures.set(key, failures);
    return failures;
  }

  #returnProof(fn: FunctionRef): Proof {
    let proof = this.#returns.get(fn.flow);
    if (!proof) {
      proof = fn.evaluator.returnProof(fn.flow);
      this.#returns.set(fn.flow, proof);
    }
    return proof;
  }

  #checkedParameters(fn: FunctionRef): Map<number, Proof> {
    let checked = this.#checked.get(fn.flow);
    if (!checked) {
      checked = fn.evaluator.checkedParameters(fn.flow);
      this.#checked.set(fn.flow, checked);
    }
    return checked;
  }
}
