import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The fixture harness: every expected finding is marked on its line with `// expect: <messageId>`
 * (several separated by commas). Both engines (the ESLint rule, the checker) are compared with
 * these marks, line by line: no extra finding, no missing one.
 */

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES = join(ROOT, "fixtures");

export interface LineFinding {
  readonly line: number;
  readonly messageId: string;
}

const MARK = /\/\/\s*expect:\s*([\w\s,]+)$/;

export function expectedFindings(source: string): LineFinding[] {
  const expected: LineFinding[] = [];
  source.split("\n").forEach((text, index) => {
    const mark = MARK.exec(text);
    if (!mark?.[1]) return;
    for (const messageId of mark[1].split(",").map((id) => id.trim()).filter(Boolean)) expected.push({ line: index + 1, messageId });
  });
  return expected;
}

export function sortFindings(findings: readonly LineFinding[]): string[] {
  return findings.map((finding) => `${String(finding.line)}:${finding.messageId}`).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/** Every `.ts` file under a folder, relative to the fixtures root, sorted. */
export function fixtureFiles(folder: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith(".ts")) files.push(relative(FIXTURES, path));
    }
  };
  walk(join(FIXTURES, folder));
  return files;
}

export function readFixture(file: string): string {
  return readFileSync(join(FIXTURES, file), "utf8");
}
