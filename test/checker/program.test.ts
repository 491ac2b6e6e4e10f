import { existsSync, readdirSync } from "node:fs";
import { join, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { check, type CheckFinding, type CheckResult } from "../../src/checker/index.js";
import { expectedFindings, FIXTURES, fixtureFiles, readFixture, sortFindings, type LineFinding } from "../harness/expectations.js";

/*
 * Whole-program fixtures: each folder of fixtures/program is a small project (its own tsconfig.json
 * and, where it needs one, a scope-ceiling.config.json next to it) that exercises what only the
 * checker can see: helpers, guards and models across files, barrels, default exports, path aliases,
 * class methods, callbacks, cycles, a file that does not parse. Every file's findings must equal its
 * `// expect: <messageId>` marks, line by line; `*-correct` projects must be silent.
 */

const PROGRAM = join(FIXTURES, "program");
const projects = readdirSync(PROGRAM)
  .filter((entry) => existsSync(join(PROGRAM, entry, "tsconfig.json")))
  .sort();

/** The harness marks a forged grant as `forgedGrant`, whatever the rule's own message ID is. */
const MESSAGE_IDS: Readonly<Record<string, string>> = {
  "scope-ceiling/no-forged-grant": "forgedGrant",
};

/** The rule each message belongs to. */
const RULE_OF: Readonly<Record<string, CheckFinding["ruleId"]>> = {
  unguardedScope: "scope-ceiling/require-within-ceiling",
  missingScope: "scope-ceiling/require-within-ceiling",
  unusedGuardResult: "scope-ceiling/require-within-ceiling",
  forgedGrant: "scope-ceiling/no-forged-grant",
  suppressionWithoutReason: "scope-ceiling/suppression",
  syntaxError: "scope-ceiling/syntax",
};

const messageIdOf = (finding: CheckFinding): string => MESSAGE_IDS[finding.ruleId] ?? finding.messageId;

/** Fixture paths as the checker reports them: relative to the fixtures root, `/`-separated. */
const reported = (file: string): string => file.split(sep).join("/");

it("finds the program fixtures", () => {
  expect(projects.length).toBeGreaterThanOrEqual(20);
});

describe.each(projects)("fixtures/program/%s", (project) => {
  const files = fixtureFiles(join("program", project)).map(reported);
  let result: CheckResult | undefined;
  const run = (): CheckResult => (result ??= check({ cwd: FIXTURES, project: join(PROGRAM, project, "tsconfig.json") }));
  const findingsIn = (file: string): LineFinding[] =>
    run()
      .findings.filter((finding) => finding.file === file)
      .map((finding) => ({ line: finding.line, messageId: messageIdOf(finding) }));

  it("marks: a correct project has none, an incorrect one has some", () => {
    const marks = files.flatMap((file) => expectedFindings(readFixture(file)));
    if (project.endsWith("-correct")) expect(marks).toEqual([]);
    else expect(marks.length).toBeGreaterThan(0);
  });

  it("reports only files of this project, each finding under its rule", () => {
    for (const finding of run().findings) {
      expect(files).toContain(finding.file);
      expect(finding.ruleId).toBe(RULE_OF[messageIdOf(finding)]);
      for (const hop of finding.trace) expect(files).toContain(hop.file);
    }
  });

  it.each(files)("%s", (file) => {
    expect(sortFindings(findingsIn(file))).toEqual(sortFindings(expectedFindings(readFixture(file))));
  });
});
