// Prints vitest's JSON results as the plain closing line CI reads:
// `N passed, N failed, N skipped`. Exits non-zero when nothing ran.
import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const passed = results.numPassedTests;
const failed = results.numFailedTests;
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(passed > 0 ? 0 : 1);
