import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const builtEntry = join(root, "dist/src/index.js");
const scratch = mkdtempSync(join(tmpdir(), "scope-ceiling-isolation-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * Imports the built entry in a fresh Node process with a module hook that logs every
 * module it resolves, and returns that log.
 */
function modulesLoadedBy(specifier: string): string[] {
  const log = join(scratch, "loaded.txt");
  const hooks = `
    import { appendFileSync } from "node:fs";
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      appendFileSync(${JSON.stringify(log)}, resolved.url + "\\n");
      return resolved;
    }`;
  const script = `
    import { register } from "node:module";
    register("data:text/javascript,${encodeURIComponent(hooks)}");
    const guard = await import(${JSON.stringify(specifier)});
    if (typeof guard.withinCeiling !== "function") process.exit(3);
    guard.withinCeiling("a", { ceiling: "a" });`;
  rmSync(log, { force: true });
  execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, stdio: "pipe" });
  return readFileSync(log, "utf8").trim().split("\n");
}

describe("the runtime entry", () => {
  it("is built (run `npm run build` first)", () => {
    expect(existsSync(builtEntry)).toBe(true);
  });

  it("loads only its own files and nothing from node_modules", () => {
    const loaded = modulesLoadedBy(pathToFileURL(builtEntry).href);
    expect(loaded).toContain(pathToFileURL(builtEntry).href);
    const guardFolder = pathToFileURL(join(root, "dist/src/")).href;
    const foreign = loaded.filter((url) => !url.startsWith(guardFolder) || url.includes("/node_modules/"));
    expect(foreign).toEqual([]);
    for (const analysis of ["eslint", "typescript", "ts-morph", "@typescript-eslint"]) {
      expect(loaded.filter((url) => url.includes(`/node_modules/${analysis}/`))).toEqual([]);
    }
  });

  it("is what the package name resolves to", () => {
    const loaded = modulesLoadedBy("scope-ceiling");
    expect(loaded[0]).toBe(pathToFileURL(builtEntry).href);
  });
});
