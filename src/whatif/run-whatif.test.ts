import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawDocument } from '../model/documents.js';
import type { MatrixSection } from '../model/matrix.js';
import { whatifFromInputs } from '../pipeline/whatif.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const INCIDENT = join(ROOT, 'examples', 'incident');
const doc = (path: string): RawDocument => ({ name: path, body: JSON.parse(readFileSync(path, 'utf8')) });

function counts(m: MatrixSection) {
  return m.cells.reduce((t, c) => ({ allowed: t.allowed + c.allowed, blocked: t.blocked + c.blocked, unknown: t.unknown + c.unknown }), { allowed: 0, blocked: 0, unknown: 0 });
}

describe('runWhatif matrix', () => {
  it('carries the before and after matrices, on the same rows, each adding up to its summary (incident-add-rule)', () => {
    const report = whatifFromInputs(
      {
        nodes: [doc(join(INCIDENT, 'nodes.json'))],
        flannel: [doc(join(INCIDENT, 'kube-flannel-cfg.json'))],
        aws: [],
        openstack: ['ports.json', 'security-groups.json', 'subnets.json'].map((f) => doc(join(INCIDENT, f))),
        unavailable: [],
      },
      { terraformPlan: doc(join(ROOT, 'test', 'golden', 'whatif', 'incident-add-rule', 'plan.json')) },
    );
    const { before, after } = report.matrix!;
    expect(before.groups.map((g) => g.label)).toEqual(after.groups.map((g) => g.label));
    expect(counts(before)).toEqual({ allowed: report.before.allowed, blocked: report.before.blocked, unknown: report.before.unknown });
    expect(counts(after)).toEqual({ allowed: report.after.allowed, blocked: report.after.blocked, unknown: report.after.unknown });
    expect(before.cells.every((c) => c.verdict === 'blocked')).toBe(true);
    expect(after.cells.every((c) => c.verdict === 'allowed')).toBe(true);
    expect(before.cells).toHaveLength(12);
  });
});
