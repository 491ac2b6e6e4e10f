import { readFileSync } from "node:fs";

/** This package's version, read from its package.json (one folder up from src/, two from dist/src/). */
export function packageVersion(): string {
  for (const relative of ["../package.json", "../../package.json"]) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (manifest.name === "scope-ceiling" && manifest.version) return manifest.version;
    } catch {
      // not there: try the next folder up
    }
  }
  return "0.0.0";
}
