import path from 'node:path';
import { defineConfig } from 'vitest/config';

// CI sets SGAUDIT_TEST_REPORT to a file name: vitest then also writes its JSON report there, and
// scripts/test-summary.mjs prints the "N passed, N failed, N skipped" line from it.
const jsonReport = process.env['SGAUDIT_TEST_REPORT'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'providers/**/*.test.ts', 'rules/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Live tiers (moto, Keystone/Neutron, PostgreSQL, network namespaces) share machine-wide
    // resources, so files run one worker at a time per tier via their own setup; default pool is fine.
    pool: 'forks',
    ...(jsonReport ? { reporters: ['default', 'json'], outputFile: { json: path.resolve(jsonReport) } } : {}),
  },
});
