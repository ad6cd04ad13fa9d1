#!/usr/bin/env node
// Prints "N passed, N failed, N skipped" from a vitest JSON report (reporter `json`).
// Usage: node scripts/test-summary.mjs <report.json>
// Always exits 0 and always prints the line: a missing or unreadable report gives all zeros,
// with the reason on stderr (e.g. `npm ci` or the typecheck failed before vitest ran).
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let report;
try {
  if (!file) throw new Error('no report file named (usage: node scripts/test-summary.mjs <report.json>)');
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  const reason = err && err.code === 'ENOENT' ? `${file} does not exist (vitest did not run?)` : String(err && err.message ? err.message : err);
  process.stderr.write(`test-summary: no test report: ${reason}\n`);
  report = {};
}

const count = (key) => (Number.isInteger(report[key]) ? report[key] : 0);
const passed = count('numPassedTests');
const failed = count('numFailedTests');
const skipped = count('numPendingTests') + count('numTodoTests');

// A test file that fails to load (syntax error, failing import, failing beforeAll) contributes no
// failed tests; say so, since the counts alone would not show it.
const brokenFiles = Array.isArray(report.testResults)
  ? report.testResults.filter((r) => r && r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'))
  : [];
for (const r of brokenFiles) process.stderr.write(`test-summary: test file failed outside any test: ${r.name}\n`);

process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
