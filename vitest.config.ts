import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'providers/**/*.test.ts', 'rules/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Live tiers (moto, Keystone/Neutron, PostgreSQL, network namespaces) share machine-wide
    // resources, so files run one worker at a time per tier via their own setup; default pool is fine.
    pool: 'forks',
  },
});
