import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { RULE_DESCRIPTIONS, type CheckFinding, type CheckResult } from "../../src/checker/findings.js";
import {
  isReporterName,
  REPORTER_NAMES,
  REPORTERS,
  type ReporterContext,
  SARIF_FINGERPRINT_KEY,
  SARIF_INFORMATION_URI,
  SARIF_SCHEMA_URI,
} from "../../src/checker/reporters/index.js";

const withTrace: CheckFinding = {
  ruleId: "scope-ceiling/require-within-ceiling",
  messageId: "unguardedScope",
  message: "The access token's scope is not proven to come from withinCeiling.",
  file: "src/oauth/issue-token.ts",
  line: 42,
  column: 5,
  endLine: 42,
  endColumn: 38,
  trace: [
    { file: "src/oauth/routes.ts", line: 17, column: 23, note: "scope read from the request body" },
    { file: "src/oauth/issue-token.ts", line: 40, column: 9, note: "passed to saveToken without withinCeiling" },
  ],
  fingerprint: "3f2a9c0d1e4b5a6f",
};

const withoutTrace: CheckFinding = {
  ruleId: "scope-ceiling/no-forged-grant",
  messageId: "forgedGrant",
  message: "A type assertion forges a GrantedScope.",
  file: "src/legacy/grant.ts",
  line: 8,
  column: 10,
  endLine: 9,
  endColumn: 2,
  trace: [],
  fingerprint: "9c1d77e0aa02b3c4",
};

const twoFindings: CheckResult = {
  findings: [withTrace, withoutTrace],
  summary: { files: 14, findings: 2, baselined: 1, suppressed: 0, durationMs: 87 },
};

const empty: CheckResult = {
  findings: [],
  summary: { files: 14, findings: 0, baselined: 0, suppressed: 0, durationMs: 12 },
};

const context: ReporterContext = { cwd: "/work/repo", toolVersion: "0.1.0" };

function only(finding: CheckFinding, overrides: Partial<CheckFinding> = {}): CheckResult {
  return { findings: [{ ...finding, ...overrides }], summary: { files: 1, findings: 1, baselined: 0, suppressed: 0, durationMs: 1 } };
}

describe("REPORTERS", () => {
  it("has exactly the text, json and sarif reporters", () => {
    expect(Object.keys(REPORTERS).sort()).toEqual(["json", "sarif", "text"]);
    expect([...REPORTER_NAMES].sort()).toEqual(["json", "sarif", "text"]);
  });

  it("recognizes reporter names but not inherited properties", () => {
    expect(REPORTER_NAMES.every(isReporterName)).toBe(true);
    for (const name of ["toString", "__proto__", "constructor", "hasOwnProperty", "TEXT", ""]) expect(isReporterName(name)).toBe(false);
  });

  it("ends every output with exactly one newline", () => {
    for (const name of REPORTER_NAMES) {
      for (const result of [twoFindings, empty]) {
        const output = REPORTERS[name](result, context);
        expect(output.endsWith("\n")).toBe(true);
        expect(output.endsWith("\n\n")).toBe(false);
      }
    }
  });
});

describe("the text reporter", () => {
  const text = REPORTERS.text;

  it("prints one line per finding, the trace indented under it, then the summary", () => {
    expect(text(twoFindings, context)).toBe(
      [
        "src/oauth/issue-token.ts:42:5  scope-ceiling/require-within-ceiling  The access token's scope is not proven to come from withinCeiling.",
        "    src/oauth/routes.ts:17  scope read from the request body",
        "    src/oauth/issue-token.ts:40  passed to saveToken without withinCeiling",
        "src/legacy/grant.ts:8:10  scope-ceiling/no-forged-grant  A type assertion forges a GrantedScope.",
        "",
        "2 findings in 14 files (1 baselined, 0 suppressed)",
        "",
      ].join("\n"),
    );
  });

  it("prints only the summary when nothing was found", () => {
    expect(text(empty, context)).toBe("no findings in 14 files\n");
  });

  it("still tells of baselined and suppressed findings when none is reported", () => {
    const quiet: CheckResult = { findings: [], summary: { files: 3, findings: 0, baselined: 2, suppressed: 1, durationMs: 5 } };
    expect(text(quiet, context)).toBe("no findings in 3 files (2 baselined, 1 suppressed)\n");
  });

  it("uses the singular for one finding in one file", () => {
    expect(text(only(withoutTrace), context)).toBe(
      "src/legacy/grant.ts:8:10  scope-ceiling/no-forged-grant  A type assertion forges a GrantedScope.\n\n1 finding in 1 file (0 baselined, 0 suppressed)\n",
    );
  });

  it("leaves out the separator of an empty trace note", () => {
    const output = text(only(withTrace, { trace: [{ file: "src/a.ts", line: 3, column: 1, note: "" }] }), context);
    expect(output.split("\n")[1]).toBe("    src/a.ts:3");
  });

  it("keeps a finding on one line and writes control characters escaped", () => {
    const output = text(only(withTrace, { file: "src/\u001b[31mred.ts", message: "first line\nsecond line\r\nthird", trace: [] }), context);
    expect(output.split("\n")[0]).toBe(
      "src/\\u001b[31mred.ts:42:5  scope-ceiling/require-within-ceiling  first line second line third",
    );
    expect(output).not.toContain("\u001b");
    const c1 = text(only(withTrace, { message: "a\tb\u009b2Jc\u007f", trace: [] }), context);
    expect(c1.split("\n")[0]).toBe("src/oauth/issue-token.ts:42:5  scope-ceiling/require-within-ceiling  a\tb\\u009b2Jc\\u007f");
  });
});

describe("the json reporter", () => {
  const json = REPORTERS.json;

  const expectedTwoFindings = {
    version: 1,
    findings: [
      {
        ruleId: "scope-ceiling/require-within-ceiling",
        messageId: "unguardedScope",
        message: "The access token's scope is not proven to come from withinCeiling.",
        file: "src/oauth/issue-token.ts",
        line: 42,
        column: 5,
        endLine: 42,
        endColumn: 38,
        trace: [
          { file: "src/oauth/routes.ts", line: 17, column: 23, note: "scope read from the request body" },
          { file: "src/oauth/issue-token.ts", line: 40, column: 9, note: "passed to saveToken without withinCeiling" },
        ],
      },
      {
        ruleId: "scope-ceiling/no-forged-grant",
        messageId: "forgedGrant",
        message: "A type assertion forges a GrantedScope.",
        file: "src/legacy/grant.ts",
        line: 8,
        column: 10,
        endLine: 9,
        endColumn: 2,
        trace: [],
      },
    ],
    summary: { files: 14, findings: 2, baselined: 1, suppressed: 0, durationMs: 87 },
  };

  it("writes the findings without fingerprints, and the summary, pretty-printed with two spaces", () => {
    const output = json(twoFindings, context);
    expect(JSON.parse(output)).toStrictEqual(expectedTwoFindings);
    // Same keys in the same order, indented by two spaces.
    expect(output).toBe(`${JSON.stringify(expectedTwoFindings, null, 2)}\n`);
    expect(output).toContain('\n  "findings": [\n    {\n      "ruleId": ');
    expect(output).not.toContain("fingerprint");
    expect(output).not.toContain(withTrace.fingerprint);
  });

  it("writes an empty findings array when nothing was found", () => {
    expect(json(empty, context)).toBe(
      [
        "{",
        '  "version": 1,',
        '  "findings": [],',
        '  "summary": {',
        '    "files": 14,',
        '    "findings": 0,',
        '    "baselined": 0,',
        '    "suppressed": 0,',
        '    "durationMs": 12',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("writes only the documented keys even if the finding object carries more", () => {
    const extra = { ...withoutTrace, internal: "do not leak" } as CheckFinding;
    const output = json(only(extra), context);
    expect(output).not.toContain("internal");
  });
});

/**
 * The SARIF 2.1.0 JSON schema in test/checker/data/sarif-2.1.0.schema.json is the file
 * `package/sarif-2.1.0.json` of the npm package @microsoft/sarif-multitool-linux@5.7.0 (the SARIF
 * SDK's copy of the schema, from github.com/microsoft/sarif-sdk), copied byte for byte.
 *
 * It is not byte-identical to the OASIS standard's file (sarif-schema-2.1.0.json, errata 01),
 * which no npm package ships: it declares JSON Schema 2020-12 instead of draft-04, checks GUIDs with
 * `format: "uuid"` instead of a pattern, allows three more artifact roles, and leaves out
 * `"type": "string"` next to the `version` enum and `null` as a type of `runs`. None of these
 * touches the properties this reporter writes.
 */
const schemaPath = new URL("data/sarif-2.1.0.schema.json", import.meta.url);
const SCHEMA_SHA256 = "1c49a0f2b60444c71bb14878e21e0d882198eff4c539861b133093ad89ed798c";

function sarifValidator(): (document: unknown) => readonly ErrorObject[] {
  const schemaText = readFileSync(schemaPath, "utf8");
  const schema: unknown = JSON.parse(schemaText);
  if (typeof schema !== "object" || schema === null) throw new Error("the SARIF schema is not an object");
  // strict: false because the schema has `required` lists naming properties defined elsewhere
  // (strictRequired); the schema itself is still checked against its meta-schema.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (document) => (validate(document) ? [] : (validate.errors ?? []));
}

describe("the sarif reporter", () => {
  const sarif = REPORTERS.sarif;
  const validate = sarifValidator();

  function ruleIndex(id: CheckFinding["ruleId"]): number {
    return RULE_DESCRIPTIONS.findIndex((rule) => rule.id === id);
  }

  const expectedRules = RULE_DESCRIPTIONS.map((rule) => ({
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.shortDescription },
    fullDescription: { text: rule.fullDescription },
    helpUri: rule.helpUri,
    help: { text: `${rule.help}\n\nSee ${rule.helpUri}`, markdown: `${rule.help}\n\nSee [${rule.id}](${rule.helpUri}).` },
    defaultConfiguration: { level: "error" },
    properties:
      rule.id === "scope-ceiling/require-within-ceiling" || rule.id === "scope-ceiling/no-forged-grant"
        ? { tags: ["security"], "security-severity": "8.0" }
        : { tags: ["security"] },
  }));

  function expectedLog(results: unknown[]) {
    return {
      $schema: "https://json.schemastore.org/sarif-2.1.0.json",
      version: "2.1.0",
      runs: [
        {
          tool: {
            driver: {
              name: "scope-ceiling",
              version: "0.1.0",
              semanticVersion: "0.1.0",
              informationUri: "https://github.com/scope-ceiling/scope-ceiling",
              rules: expectedRules,
            },
          },
          originalUriBaseIds: { "%SRCROOT%": { uri: "file:///work/repo/" } },
          columnKind: "utf16CodeUnits",
          results,
        },
      ],
    };
  }

  it("uses the schema shipped by @microsoft/sarif-multitool-linux@5.7.0, unchanged", () => {
    expect(createHash("sha256").update(readFileSync(schemaPath)).digest("hex")).toBe(SCHEMA_SHA256);
  });

  it("is valid SARIF 2.1.0, with and without findings", () => {
    expect(validate(JSON.parse(sarif(twoFindings, context)))).toEqual([]);
    expect(validate(JSON.parse(sarif(empty, context)))).toEqual([]);
  });

  it("rejects what breaks the schema (the validator is not vacuous)", () => {
    const log = JSON.parse(sarif(twoFindings, context)) as ReturnType<typeof expectedLog>;
    expect(validate({ ...log, version: "2.0.0" })).not.toEqual([]);
    const [run] = log.runs;
    if (run === undefined) throw new Error("no run");
    expect(validate({ ...log, runs: [{ ...run, columnKind: "bytes" }] })).not.toEqual([]);
    const badUri = { ...run, tool: { driver: { ...run.tool.driver, informationUri: "not a uri" } } };
    expect(validate({ ...log, runs: [badUri] })).toMatchObject([{ keyword: "format", instancePath: "/runs/0/tool/driver/informationUri" }]);
    expect(validate({ ...log, runs: [{ ...run, results: [{ ruleId: "x", level: "error" }] }] })).not.toEqual([]);
    expect(validate({ ...log, runs: [{ ...run, results: [{ message: { text: "m" }, level: "fatal" }] }] })).not.toEqual([]);
    expect(
      validate({ ...log, runs: [{ ...run, results: [{ message: { text: "m" }, locations: [{ physicalLocation: { region: { startLine: 0 } } }] }] }] }),
    ).not.toEqual([]);
  });

  it("writes the rules, the results with their locations and fingerprints, and a code flow for a trace", () => {
    const expected = expectedLog([
      {
        ruleId: "scope-ceiling/require-within-ceiling",
        ruleIndex: ruleIndex("scope-ceiling/require-within-ceiling"),
        level: "error",
        message: { text: "The access token's scope is not proven to come from withinCeiling." },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: "src/oauth/issue-token.ts", uriBaseId: "%SRCROOT%" },
              region: { startLine: 42, startColumn: 5, endLine: 42, endColumn: 38 },
            },
          },
        ],
        partialFingerprints: { "scopeCeiling/v1": "3f2a9c0d1e4b5a6f" },
        codeFlows: [
          {
            threadFlows: [
              {
                locations: [
                  {
                    location: {
                      physicalLocation: {
                        artifactLocation: { uri: "src/oauth/routes.ts", uriBaseId: "%SRCROOT%" },
                        region: { startLine: 17, startColumn: 23 },
                      },
                      message: { text: "scope read from the request body" },
                    },
                  },
                  {
                    location: {
                      physicalLocation: {
                        artifactLocation: { uri: "src/oauth/issue-token.ts", uriBaseId: "%SRCROOT%" },
                        region: { startLine: 40, startColumn: 9 },
                      },
                      message: { text: "passed to saveToken without withinCeiling" },
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
      {
        ruleId: "scope-ceiling/no-forged-grant",
        ruleIndex: ruleIndex("scope-ceiling/no-forged-grant"),
        level: "error",
        message: { text: "A type assertion forges a GrantedScope." },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: "src/legacy/grant.ts", uriBaseId: "%SRCROOT%" },
              region: { startLine: 8, startColumn: 10, endLine: 9, endColumn: 2 },
            },
          },
        ],
        partialFingerprints: { "scopeCeiling/v1": "9c1d77e0aa02b3c4" },
      },
    ]);
    const output = sarif(twoFindings, context);
    expect(JSON.parse(output)).toStrictEqual(expected);
    expect(output).toBe(`${JSON.stringify(JSON.parse(output), null, 2)}\n`);
  });

  it("writes the tool and its rules, and an empty results array, when nothing was found", () => {
    expect(JSON.parse(sarif(empty, context))).toStrictEqual(expectedLog([]));
  });

  it("lists every rule once, security-severity only on the two security rules", () => {
    const log = JSON.parse(sarif(empty, context)) as ReturnType<typeof expectedLog>;
    const rules = log.runs[0]?.tool.driver.rules ?? [];
    expect(rules.map((rule) => rule.id)).toEqual([
      "scope-ceiling/require-within-ceiling",
      "scope-ceiling/no-forged-grant",
      "scope-ceiling/suppression",
      "scope-ceiling/syntax",
    ]);
    expect(rules.filter((rule) => "security-severity" in rule.properties).map((rule) => rule.id)).toEqual([
      "scope-ceiling/require-within-ceiling",
      "scope-ceiling/no-forged-grant",
    ]);
  });

  it("points every result's ruleIndex at its rule", () => {
    const all: CheckResult = {
      findings: RULE_DESCRIPTIONS.map((rule, index) => ({ ...withoutTrace, ruleId: rule.id, fingerprint: `f${index}` })),
      summary: { files: 1, findings: RULE_DESCRIPTIONS.length, baselined: 0, suppressed: 0, durationMs: 1 },
    };
    const log = JSON.parse(sarif(all, context)) as { runs: [{ tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number }[] }] };
    const [run] = log.runs;
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
    expect(validate(log)).toEqual([]);
  });

  it("maps %SRCROOT% to the file URL of the working directory, ending with a slash", () => {
    const uriOf = (cwd: string): unknown => {
      const log = JSON.parse(sarif(empty, { ...context, cwd })) as ReturnType<typeof expectedLog>;
      return log.runs[0]?.originalUriBaseIds["%SRCROOT%"].uri;
    };
    expect(uriOf("/work/repo")).toBe("file:///work/repo/");
    expect(uriOf("/work/repo/")).toBe("file:///work/repo/");
    expect(uriOf("/")).toBe("file:///");
    expect(uriOf("/work/my repo#2")).toBe("file:///work/my%20repo%232/");
  });

  it("percent-encodes what a URI cannot hold in a path, and leaves ordinary paths as they are", () => {
    const uriOf = (file: string): unknown => {
      const log = JSON.parse(sarif(only(withoutTrace, { file }), context)) as ReturnType<typeof expectedLog>;
      return JSON.parse(JSON.stringify(log.runs[0]?.results[0])) as unknown;
    };
    expect(uriOf("packages/@acme/api/src/token-v2.ts")).toMatchObject({
      locations: [{ physicalLocation: { artifactLocation: { uri: "packages/@acme/api/src/token-v2.ts" } } }],
    });
    expect(uriOf("src/my file#1?.ts")).toMatchObject({
      locations: [{ physicalLocation: { artifactLocation: { uri: "src/my%20file%231%3F.ts" } } }],
    });
    expect(uriOf("src/c:d/100%.ts")).toMatchObject({
      locations: [{ physicalLocation: { artifactLocation: { uri: "src/c%3Ad/100%25.ts" } } }],
    });
    expect(uriOf("src/é.ts")).toMatchObject({ locations: [{ physicalLocation: { artifactLocation: { uri: "src/%C3%A9.ts" } } }] });
    const log = JSON.parse(sarif(only(withoutTrace, { file: "src/my file#1?.ts" }), context)) as unknown;
    expect(validate(log)).toEqual([]);
  });

  it("exports the constants it writes", () => {
    expect(SARIF_SCHEMA_URI).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    expect(SARIF_INFORMATION_URI).toBe("https://github.com/scope-ceiling/scope-ceiling");
    expect(SARIF_FINGERPRINT_KEY).toBe("scopeCeiling/v1");
  });
});
