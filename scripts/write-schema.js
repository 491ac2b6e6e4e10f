// Writes schema.json (the configuration's JSON Schema, for editors) from the one zod schema.
// Run with `npm run schema` (builds first); a test fails when the committed file is stale.
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../dist/src/config/schema.js";

writeFileSync(new URL("../schema.json", import.meta.url), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log("wrote schema.json");
