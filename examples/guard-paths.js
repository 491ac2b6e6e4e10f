// The guard on the three issuance paths, against an in-memory client whose ceiling shrinks.
// Run after `npm run build`: node examples/guard-paths.js
import { ScopeError, withinCeiling } from "../dist/src/index.js";

const client = { id: "reports-app", allowedScopes: "read:reports write:reports read:users" };

function attempt(label, run) {
  try {
    console.log(`${label.padEnd(58)} granted  ${run()}`);
  } catch (error) {
    if (!(error instanceof ScopeError)) throw error;
    console.log(`${label.padEnd(58)} refused  ${JSON.stringify(error.toJSON())}`);
  }
}

console.log(`client ${client.id}, ceiling "${client.allowedScopes}"\n`);

attempt("consent: read:reports openid", () => withinCeiling("read:reports openid", { ceiling: client.allowedScopes }));
attempt("consent: read:reports admin", () => withinCeiling("read:reports admin", { ceiling: client.allowedScopes }));

const code = { scope: "read:reports write:reports admin" }; // a code row whose scope was never checked
attempt("direct mint: exchange a code holding admin (reject)", () => withinCeiling(code.scope, { ceiling: client.allowedScopes }));
attempt("direct mint: same code, onExcess narrow", () => withinCeiling(code.scope, { ceiling: client.allowedScopes, onExcess: "narrow" }));

const original = "read:reports write:reports";
client.allowedScopes = "read:reports"; // an administrator tightens the client
console.log(`\nceiling tightened to "${client.allowedScopes}"\n`);
attempt("refresh: no scope named", () => withinCeiling(undefined, { ceiling: client.allowedScopes, original }));
attempt("refresh: asks for read:users too", () => withinCeiling("read:reports read:users", { ceiling: client.allowedScopes, original }));
client.allowedScopes = "";
attempt("refresh after the ceiling was emptied", () => withinCeiling(undefined, { ceiling: client.allowedScopes, original }));
