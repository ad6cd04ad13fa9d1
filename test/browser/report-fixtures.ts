/**
 * Reports for the HTML report tests, made by the real pipeline from the golden scenarios'
 * inputs (test/golden/<name>/scenario.json, test/golden/whatif/<name>/plan.json).
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { readDocuments } from '../../src/inputs/read-files.js';
import { emptyInputs, type AuditInputs, type RawDocument } from '../../src/model/documents.js';
import type { AuditReport } from '../../src/model/report.js';
import { runAudit } from '../../src/pipeline/audit.js';
import { whatifFromInputs } from '../../src/pipeline/whatif.js';
import type { WhatifReport } from '../../src/whatif/report.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const GOLDEN = join(ROOT, 'test', 'golden');

const repoPath = (abs: string): string => relative(ROOT, abs).split(sep).join('/');

export async function goldenInputs(name: string): Promise<AuditInputs> {
  const dir = join(GOLDEN, name);
  const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as { inputs: Partial<Record<'nodes' | 'flannel' | 'aws' | 'openstack', string[]>> };
  const inputs = emptyInputs();
  for (const flag of ['nodes', 'flannel', 'aws', 'openstack'] as const) {
    const docs = await readDocuments((scenario.inputs[flag] ?? []).map((p) => resolve(dir, p)), `--${flag}`);
    inputs[flag] = docs.map((d: RawDocument) => ({ ...d, name: repoPath(d.name) }));
  }
  return inputs;
}

export async function goldenAudit(name: string): Promise<AuditReport> {
  return runAudit(await goldenInputs(name)).report;
}

/** A what-if golden scenario (test/golden/whatif/<plan>) on the inputs its golden test uses. */
export async function goldenWhatif(plan: 'delete-vxlan-rule' | 'incident-add-rule' | 'unknown-values' | 'aws-mixed'): Promise<WhatifReport> {
  const doc = (path: string): RawDocument => ({ name: repoPath(path), body: JSON.parse(readFileSync(path, 'utf8')) as unknown });
  const incident = join(ROOT, 'examples', 'incident');
  const here = join(GOLDEN, 'whatif');
  let inputs: AuditInputs;
  if (plan === 'aws-mixed') {
    const dir = join(here, 'aws-cluster');
    inputs = {
      ...emptyInputs(),
      nodes: [doc(join(dir, 'nodes.json'))],
      flannel: [doc(join(dir, 'kube-flannel-cfg.json'))],
      aws: ['describe-network-interfaces', 'describe-security-groups', 'describe-subnets', 'describe-network-acls'].map((f) => doc(join(dir, `${f}.json`))),
    };
  } else {
    const groups = plan === 'delete-vxlan-rule' || plan === 'unknown-values' ? join(here, 'openstack-healthy', 'security-groups.json') : join(incident, 'security-groups.json');
    inputs = {
      ...emptyInputs(),
      nodes: [doc(join(incident, 'nodes.json'))],
      flannel: [doc(join(incident, 'kube-flannel-cfg.json'))],
      openstack: [doc(join(incident, 'ports.json')), doc(groups), doc(join(incident, 'subnets.json'))],
    };
  }
  return whatifFromInputs(inputs, { terraformPlan: doc(join(here, plan, 'plan.json')) }, { maxPairs: 1000 });
}
