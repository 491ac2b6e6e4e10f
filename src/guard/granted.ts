import { isScopeString } from "./scope-token.js";

declare const grantedBrand: unique symbol;

/**
 * A scope string that `withinCeiling` produced: scope-tokens separated by single spaces,
 * each admitted by the client's ceiling or the carve-out. Only this package creates one;
 * a type assertion to it is what the `no-forged-grant` rule reports.
 */
export type GrantedScope = string & { readonly [grantedBrand]: "GrantedScope" };

/** The same grant as a list, for stores that keep one scope per entry. */
export type GrantedScopeList = readonly string[] & { readonly [grantedBrand]: "GrantedScopeList" };

/** The one place a `GrantedScope` is made. Callers must have checked every scope. */
export function brandGranted(scopes: readonly string[]): GrantedScope {
  return scopes.join(" ") as GrantedScope;
}

/** Splits a granted scope into a frozen, branded list. */
export function toScopeList(granted: GrantedScope): GrantedScopeList {
  // The type already says it is a grant; a forged or corrupted value should still fail loudly.
  if (typeof granted !== "string" || !isScopeString(granted)) {
    throw new TypeError("scope-ceiling: toScopeList expects a scope returned by withinCeiling");
  }
  return Object.freeze(granted.split(" ")) as unknown as GrantedScopeList;
}
