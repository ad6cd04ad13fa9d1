/**
 * Live test tiers (moto, Keystone/Neutron, PostgreSQL, network namespaces) depend on
 * services that .ci/run installs. Locally a missing service skips the tier loudly;
 * under SGAUDIT_REQUIRE_ALL=1 (set by .ci/run) it fails, so a green CI run can never
 * hide a tier that did not run.
 */
export function requireTier(name: string, available: boolean, reason: string): boolean {
  if (available) return true;
  if (process.env.SGAUDIT_REQUIRE_ALL === '1') {
    throw new Error(`tier "${name}" is required (SGAUDIT_REQUIRE_ALL=1) but unavailable: ${reason}`);
  }
  console.warn(`\n!!! SKIPPING tier "${name}": ${reason}\n!!! (set SGAUDIT_REQUIRE_ALL=1 to make this a failure)\n`);
  return false;
}
