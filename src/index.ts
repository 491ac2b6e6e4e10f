/**
 * The runtime guard. Zero dependencies: issuance code imports this entry, and it must never
 * load the analysis (ESLint, TypeScript, ts-morph). A test checks that.
 */
export { withinCeiling } from "./guard/within-ceiling.js";
export { toScopeList, type GrantedScope, type GrantedScopeList } from "./guard/granted.js";
export { ScopeError, ScopeConfigError, type ScopeErrorCode, type ScopeErrorReason } from "./guard/errors.js";
export {
  DEFAULT_CARVE_OUT,
  OIDC_SCOPES,
  type ExcessPolicy,
  type ScopeDecision,
  type ScopeInput,
  type WithinCeilingOptions,
} from "./guard/config.js";
export type { MatchFunction, MatchStrategy, MatchStrategyName } from "./guard/match.js";
