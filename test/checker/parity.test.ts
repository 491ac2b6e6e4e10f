import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { check } from "../../src/checker/index.js";
import { expectedFindings, FIXTURES, fixtureFiles, readFixture, sortFindings, type LineFinding } from "../harness/expectations.js";

/*
 * Parity: on every single-file case, the checker's findings equal the marks, which the ESLint rule
 * is held to by test/rules/fixtures.test.ts. Cases that configure the rule inline
 * (`/* eslint scope-ceiling/require-within-ceiling: ["error", {...}] *\/`) get the same options as
 * a checker config file.
 */

const INLINE_OPTIONS = /\/\*\s*eslint\s+scope-ceiling\/require-within-ceiling:\s*\["error",\s*(\{.*\})\]\s*\*\//;
const scratch = mkdtempSync(join(tmpdir(), "scope-ceiling-parity-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const MESSAGE_IDS: Record<string, string> = {
  "scope-ceiling/no-forged-grant": "forgedGrant",
};

function checkerFindings(tsconfig: string, files: readonly string[], options: string | null): Map<string, LineFinding[]> {
  let config: string | undefined;
  if (options !== null) {
    config = join(scratch, `config-${String(Math.abs(hash(options)))}.json`);
    writeFileSync(config, options);
  }
  const result = check({ cwd: FIXTURES, project: tsconfig, paths: files.map((file) => join(FIXTURES, file)), ...(config ? { config } : {}) });
  const byFile = new Map<string, LineFinding[]>();
  for (const finding of result.findings) {
    const list = byFile.get(finding.file) ?? [];
    list.push({ line: finding.line, messageId: MESSAGE_IDS[finding.ruleId] ?? finding.messageId });
    byFile.set(finding.file, list);
  }
  return byFile;
}

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (value * 31 + char.charCodeAt(0)) | 0;
  return value;
}

describe("parity: scope-ceiling check on fixtures/cases equals the marks (and so the ESLint rule)", () => {
  const cases = fixtureFiles("cases");
  const groups = new Map<string | null, string[]>();
  for (const file of cases) {
    const options = INLINE_OPTIONS.exec(readFixture(file))?.[1] ?? null;
    groups.set(options, [...(groups.get(options) ?? []), file]);
  }
  let actual: Map<string, LineFinding[]> | undefined;
  const run = () => {
    if (!actual) {
      actual = new Map();
      for (const [options, files] of groups) {
        for (const [file, findings] of checkerFindings(join(FIXTURES, "cases/tsconfig.json"), files, options)) actual.set(file, findings);
      }
    }
    return actual;
  };

  it.each(cases)("%s", (file) => {
    expect(sortFindings(run().get(file) ?? [])).toEqual(sortFindings(expectedFindings(readFixture(file))));
  });
});

describe("parity on fixtures/provisioning (one program)", () => {
  const files = fixtureFiles("provisioning");
  let actual: Map<string, LineFinding[]> | undefined;
  it.each(files)("%s", (file) => {
    actual ??= checkerFindings(join(FIXTURES, "provisioning/tsconfig.json"), [], null);
    expect(sortFindings(actual.get(file) ?? [])).toEqual(sortFindings(expectedFindings(readFixture(file))));
  });
});
