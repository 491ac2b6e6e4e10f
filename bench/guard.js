// Guard micro-benchmark: withinCeiling against a naive Set intersection, side by side in one run.
// Run with `npm run bench:guard` (builds first). Prints a table and the ratio per ceiling size;
// `bench/run.js` imports `guardBenchmark` for the full report.
import { pathToFileURL } from "node:url";
import { Bench } from "tinybench";
import { withinCeiling } from "../dist/src/index.js";

export const TARGET_RATIO = 2;

function naiveIntersection(requested, ceiling) {
  const allowed = new Set(typeof ceiling === "string" ? ceiling.split(" ") : ceiling);
  return requested
    .split(" ")
    .filter((scope) => allowed.has(scope))
    .join(" ");
}

/** Times both for ceilings of 5, 50 and 500 scopes in three shapes; returns one row per case. */
export async function guardBenchmark({ time = 300 } = {}) {
  const rows = [];
  for (const size of [5, 50, 500]) {
    const scopes = Array.from({ length: size }, (_, i) => `service${String(i % 17)}:resource${String(i)}:read`);
    // A typical request: a handful of scopes spread over the ceiling, plus one from the carve-out.
    const requested = [0, Math.floor(size / 3), Math.floor(size / 2), size - 1].map((i) => scopes[i]).join(" ") + " openid";
    const ceilingString = scopes.join(" ");
    const ceilingJson = JSON.stringify(scopes);
    const shapes = [
      // the same string each call, as held in memory by an application registry
      ["string", () => ceilingString],
      // a fresh mutable array of the same strings each call
      ["array", () => [...scopes]],
      // fresh strings in a fresh array each call, as decoded from a database row
      ["decoded row", () => JSON.parse(ceilingJson)],
    ];
    for (const [shape, ceilingOf] of shapes) {
      const bench = new Bench({ time, warmupTime: 100 });
      // Both sides receive the ceiling in the same shape, at the same cost.
      bench
        .add("naive", () => naiveIntersection(requested, ceilingOf()))
        .add("withinCeiling", () => withinCeiling(requested, { ceiling: ceilingOf(), onExcess: "narrow" }));
      await bench.run();
      const [naive, guard] = bench.tasks.map((task) => task.result.latency.mean);
      rows.push({ ceiling: size, shape, naiveNs: Math.round(naive * 1e6), guardNs: Math.round(guard * 1e6), ratio: +(guard / naive).toFixed(2) });
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = await guardBenchmark();
  console.table(rows);
  const worst = Math.max(...rows.map((row) => row.ratio));
  console.log(`worst ratio ${worst.toFixed(2)}x (target: at most ${String(TARGET_RATIO)}x)`);
  if (worst > TARGET_RATIO) process.exitCode = 1;
}
