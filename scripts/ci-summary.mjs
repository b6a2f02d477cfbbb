// Reads vitest's JSON report and prints the closing line CI reads: `N passed, N failed`.
// A missing or unreadable report means the run never got to the tests: that is one failure, not zero.
import { readFileSync } from 'node:fs';

const [file, exitCode] = process.argv.slice(2);
let passed;
let failed;
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  if (report.numTotalTests === 0) failed += 1;
  if (!report.success && failed === 0) failed = 1;
} catch {
  passed = 0;
  failed = 1;
}
if (Number(exitCode) !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
