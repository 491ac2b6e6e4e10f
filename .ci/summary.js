// Prints "N passed, N failed" from a vitest JSON report; exits 1 if the report is missing or empty.
import { readFileSync } from "node:fs";

const [reportPath] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(reportPath, "utf8"));
} catch {
  console.error(`summary: no test report at ${reportPath}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const passed = report.numPassedTests;
const failed = report.numFailedTests + (report.numFailedTestSuites > 0 && report.numFailedTests === 0 ? report.numFailedTestSuites : 0);
if (report.numTotalTests === 0) {
  console.error("summary: the test runner ran no test");
  process.exitCode = 1;
}
console.log(`${String(passed)} passed, ${String(failed)} failed`);
