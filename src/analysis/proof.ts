import type { TSESTree } from "@typescript-eslint/utils";
import type { PathStep } from "./catalog.js";
import type { FunctionNode, Node } from "./syntax.js";

/**
 * What must hold for a value to be proven to come from a guard. A proof is a conjunction of
 * obligations; the empty proof is "proven". One file can discharge `unproven` (never) by itself;
 * the others name functions and calls that the composer resolves, across the file (the rule)
 * or across the program (the checker).
 */
export type Obligation =
  /** Never holds: the value is client input, a literal, a call to something that is not a guard... */
  | { readonly kind: "unproven"; readonly node: Node; readonly reason: string; readonly nullish?: boolean }
  /** Holds when every caller of `fn` passes a proven value at `index` (or, with `steps`, at that path inside it). */
  | {
      readonly kind: "parameter";
      readonly fn: FunctionNode;
      readonly index: number;
      readonly steps: readonly PathStep[];
      /** The parameter's name in the function. */
      readonly node: Node;
      /** Where the value (or its property) is read. */
      readonly read: Node;
      readonly name: string;
    }
  /**
   * Holds when the called function returns a proven value on every path. `typedGranted`: the call
   * is typed GrantedScope, which decides only when the function's body cannot be seen.
   */
  | { readonly kind: "returns"; readonly call: TSESTree.CallExpression | TSESTree.NewExpression; readonly node: Node; readonly typedGranted: boolean }
  /**
   * Holds when the called function checks its parameter `argument` on every path that returns,
   * or else when `otherwise` (what the value's definitions prove) holds.
   */
  | { readonly kind: "asserts"; readonly call: TSESTree.CallExpression; readonly argument: number; readonly node: Node; readonly otherwise: Proof };

export type Proof = readonly Obligation[];

export const PROVEN: Proof = Object.freeze([]);

/** Enough to explain a failure; more obligations add nothing but cost. */
const MAX_OBLIGATIONS = 24;

export function unproven(node: Node, reason: string): Proof {
  return [{ kind: "unproven", node, reason }];
}

/** `null` or `undefined`: not a scope, but `a ?? b` and `a || b` replace it by `b`. */
export function nullish(node: Node): Proof {
  return [{ kind: "unproven", node, reason: "the scope may be undefined", nullish: true }];
}

/** What remains to prove of `left` when its nullish values are replaced (`left ?? right`). */
export function withoutNullish(proof: Proof): Proof {
  return proof.some((obligation) => obligation.kind === "unproven" && obligation.nullish) ? proof.filter((obligation) => !(obligation.kind === "unproven" && obligation.nullish)) : proof;
}

export function allOf(proofs: readonly Proof[]): Proof {
  const nonEmpty = proofs.filter((proof) => proof.length > 0);
  if (nonEmpty.length === 0) return PROVEN;
  if (nonEmpty.length === 1) return nonEmpty[0] ?? PROVEN;
  const merged = new Set<Obligation>();
  for (const proof of nonEmpty) for (const obligation of proof) if (merged.size < MAX_OBLIGATIONS) merged.add(obligation);
  return [...merged];
}

export function isProven(proof: Proof): boolean {
  return proof.length === 0;
}

export function failsLocally(proof: Proof): boolean {
  return proof.some((obligation) => obligation.kind === "unproven");
}
