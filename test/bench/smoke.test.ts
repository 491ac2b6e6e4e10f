import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../../bench/generate.js";
import { check } from "../../src/checker/index.js";
import { ROOT } from "../harness/expectations.js";

interface Manifest {
  readonly files: number;
  readonly planted: readonly { readonly file: string; readonly line: number; readonly messageId: string }[];
}

/*
 * The benchmark's smoke run (the full run is `npm run bench`): the 500-file generated project, once,
 * and only the check that the checker finds every planted unguarded mint and nothing else.
 */
describe("bench smoke: the 500-file project", () => {
  mkdirSync(join(ROOT, ".test-tmp"), { recursive: true });
  const out = mkdtempSync(join(ROOT, ".test-tmp", "bench-"));
  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it("finds every planted mint, and nothing else", () => {
    const manifest = (generate as unknown as (options: { files: number; seed: number; out: string }) => Manifest)({ files: 500, seed: 1, out });
    expect(manifest.planted.length).toBeGreaterThan(0);
    const result = check({ cwd: out, project: "tsconfig.json" });
    const found = result.findings.map((finding) => `${finding.file}:${String(finding.line)}:${finding.messageId}`).sort();
    const planted = manifest.planted.map((mint) => `${mint.file}:${String(mint.line)}:${mint.messageId}`).sort();
    expect(found).toEqual(planted);
  }, 120_000);
});
