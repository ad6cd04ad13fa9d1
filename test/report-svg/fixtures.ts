/** Golden scenarios and generated clusters as audit inputs, for the matrix and SVG tests. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDocuments } from '../../src/inputs/read-files.js';
import { emptyInputs, type AuditInputs } from '../../src/model/documents.js';
import { generateAwsCluster } from '../bench/generate-aws-cluster.js';

const GOLDEN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

export const GOLDEN_SCENARIOS = [
  'custom-vxlan-port',
  'group-references',
  'healthy',
  'incident',
  'missing-egress',
  'network-acls',
  'port-security-off',
  'unbound-node',
  'wireguard',
];

export async function goldenInputs(name: string): Promise<AuditInputs> {
  const dir = join(GOLDEN_DIR, name);
  const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as { inputs: Partial<Record<'nodes' | 'flannel' | 'aws' | 'openstack', string[]>> };
  const inputs = emptyInputs();
  for (const flag of ['nodes', 'flannel', 'aws', 'openstack'] as const) {
    inputs[flag] = await readDocuments((scenario.inputs[flag] ?? []).map((p) => resolve(dir, p)), `--${flag}`);
  }
  return inputs;
}

export function generatedInputs(...args: Parameters<typeof generateAwsCluster>): AuditInputs {
  const c = generateAwsCluster(...args);
  const inputs = emptyInputs();
  inputs.nodes = [{ name: 'nodes.json', body: c.nodes }];
  inputs.flannel = [{ name: 'flannel.json', body: c.flannel }];
  inputs.aws = c.aws;
  return inputs;
}
