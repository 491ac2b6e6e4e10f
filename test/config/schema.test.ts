import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configJsonSchema, ConfigError, parseOptions } from "../../src/config/schema.js";

describe("configuration schema", () => {
  it("schema.json is the zod schema, derived (run `npm run schema` when this fails)", () => {
    const shipped: unknown = JSON.parse(readFileSync(new URL("../../schema.json", import.meta.url), "utf8"));
    expect(shipped).toEqual(configJsonSchema());
  });

  it("accepts the documented example and a $schema key", () => {
    expect(
      parseOptions({
        $schema: "./node_modules/scope-ceiling/schema.json",
        presets: ["default"],
        sinks: [{ callee: "**.adapter.create", where: { "0.model": "oauthAccessToken" }, scope: "0.data.scopes" }],
        guards: [{ name: "validateClientScopes", from: "./utils", kind: "asserts", argument: 1 }],
      }).guards?.[0]?.argument,
    ).toBe(1);
  });

  it.each([
    [{ sinks: [{ callee: "X.create", scope: "0.scope", wher: {} }] }, 'options: sinks.0: unknown key "wher"'],
    [{ guards: [{ name: "f", kind: "maybe" }] }, "options: guards.0.kind:"],
    [{ presets: "default" }, "options: presets:"],
    [[], "options: (root):"],
  ])("names the offending key in one line: %j", (input, prefix) => {
    let error: unknown;
    try {
      parseOptions(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.startsWith(prefix)).toBe(true);
    expect((error as Error).message).not.toContain("\n");
  });
});
