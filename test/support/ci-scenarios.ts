/**
 * The CLI arguments of the golden scenarios that CI formats are checked on: every what-if plan
 * in test/golden/whatif, and the incident and healthy audits. Paths are relative to the
 * repository root (the test's working directory), as a CI job would give them.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const GOLDEN = 'test/golden';
const WHATIF = `${GOLDEN}/whatif`;
const INCIDENT = 'examples/incident';

function openstack(groups: string): string[] {
  return ['--nodes', `${INCIDENT}/nodes.json`, '--flannel', `${INCIDENT}/kube-flannel-cfg.json`, '--openstack', `${INCIDENT}/ports.json`, `${INCIDENT}/subnets.json`, groups];
}

const HEALTHY_GROUPS = `${WHATIF}/openstack-healthy/security-groups.json`;
const INCIDENT_GROUPS = `${INCIDENT}/security-groups.json`;
const AWS = `${WHATIF}/aws-cluster`;
const AWS_ARGS = ['--nodes', `${AWS}/nodes.json`, '--flannel', `${AWS}/kube-flannel-cfg.json`, '--aws', ...['describe-network-interfaces', 'describe-security-groups', 'describe-subnets', 'describe-network-acls'].map((f) => `${AWS}/${f}.json`)];

export interface CliScenario {
  name: string;
  args: string[];
}

export const WHATIF_SCENARIOS: CliScenario[] = [
  { name: 'delete-vxlan-rule', args: openstack(HEALTHY_GROUPS) },
  { name: 'incident-add-rule', args: openstack(INCIDENT_GROUPS) },
  { name: 'unrelated-change', args: openstack(HEALTHY_GROUPS) },
  { name: 'incident-replace-rule', args: openstack(INCIDENT_GROUPS) },
  { name: 'unknown-values', args: openstack(HEALTHY_GROUPS) },
  { name: 'aws-mixed', args: AWS_ARGS },
].map((s) => ({ name: s.name, args: ['whatif', ...s.args, '--terraform-plan', `${WHATIF}/${s.name}/plan.json`] }));

/** An audit golden scenario's inputs, from its scenario.json (paths relative to the scenario). */
function auditScenario(name: string): CliScenario {
  const dir = join(ROOT, GOLDEN, name);
  const spec = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as { inputs: Record<string, string[]> };
  const args = ['audit'];
  for (const [flag, files] of Object.entries(spec.inputs)) args.push(`--${flag}`, ...files.map((f) => relative(ROOT, join(dir, f))));
  return { name, args };
}

export const AUDIT_SCENARIOS: CliScenario[] = ['incident', 'healthy'].map(auditScenario);
