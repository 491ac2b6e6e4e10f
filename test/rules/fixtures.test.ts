import { join } from "node:path";
import { ESLint as ESLint10 } from "eslint";
import { ESLint as ESLint9 } from "eslint9";
import { describe, expect, it } from "vitest";
import { lintWithRecommended, type ESLintConstructor } from "../harness/eslint.js";
import { expectedFindings, FIXTURES, fixtureFiles, readFixture, sortFindings } from "../harness/expectations.js";

const files = [...fixtureFiles("cases"), ...fixtureFiles("provisioning")];

describe.each([
  ["ESLint 10", ESLint10 as unknown as ESLintConstructor],
  ["ESLint 9", ESLint9 as unknown as ESLintConstructor],
])("%s with configs.recommended over fixtures/", (_, ESLint) => {
  let actual: Map<string, { line: number; messageId: string }[]> | undefined;
  const lint = async () => (actual ??= await lintWithRecommended(ESLint, files));

  it.each(files)("%s", async (file) => {
    const findings = (await lint()).get(join(FIXTURES, file)) ?? [];
    expect(sortFindings(findings)).toEqual(sortFindings(expectedFindings(readFixture(file))));
  });
});

describe("fixture counts", () => {
  it("has at least 40 incorrect and 40 correct cases, and every incorrect case marks a finding", () => {
    const incorrect = fixtureFiles("cases/incorrect");
    const correct = fixtureFiles("cases/correct");
    expect(incorrect.length).toBeGreaterThanOrEqual(40);
    expect(correct.length).toBeGreaterThanOrEqual(40);
    for (const file of incorrect) expect(expectedFindings(readFixture(file)), file).not.toEqual([]);
    for (const file of correct) expect(expectedFindings(readFixture(file)), file).toEqual([]);
  });
});
