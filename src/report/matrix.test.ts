import { describe, expect, it } from 'vitest';
import { runAudit } from '../pipeline/audit.js';
import { findFindings } from '../findings/find-findings.js';
import type { MatrixSection } from '../model/matrix.js';
import type { AuditReport } from '../model/report.js';
import { buildMatrix } from './matrix.js';
import { MATRIX_GROUP_CAP, MATRIX_NODE_LIMIT } from './matrix-grouping.js';
import { GOLDEN_SCENARIOS, generatedInputs, goldenInputs } from '../../test/report-svg/fixtures.js';

function totals(m: MatrixSection) {
  return m.cells.reduce(
    (t, c) => ({ pairs: t.pairs + c.pairs, allowed: t.allowed + c.allowed, blocked: t.blocked + c.blocked, unknown: t.unknown + c.unknown }),
    { pairs: 0, allowed: 0, blocked: 0, unknown: 0 },
  );
}

function expectConsistent(report: AuditReport): MatrixSection {
  const m = report.matrix!;
  expect(m).toBeDefined();
  expect(totals(m)).toEqual({ pairs: report.summary.directedPairs, allowed: report.summary.allowed, blocked: report.summary.blocked, unknown: report.summary.unknown });
  expect(m.groups.reduce((s, g) => s + g.nodes, 0)).toBe(report.summary.nodes);
  expect(m.groups.length).toBeLessThanOrEqual(MATRIX_GROUP_CAP);
  for (const c of m.cells) {
    expect(c.allowed + c.blocked + c.unknown).toBe(c.pairs);
    expect(c.verdict).toBe(c.blocked > 0 ? 'blocked' : c.unknown > 0 ? 'unknown' : 'allowed');
    if (c.verdict !== 'allowed') expect(c.reason).toBeTruthy();
  }
  const order = m.cells.map((c) => c.source * m.groups.length + c.destination);
  expect(order).toEqual([...order].sort((a, b) => a - b));
  return m;
}

describe('buildMatrix on the golden scenarios', () => {
  for (const name of GOLDEN_SCENARIOS) {
    it(`${name}: one row per node, counts add up to the summary, findings mapped to their cells`, async () => {
      const { report } = runAudit(await goldenInputs(name));
      const m = expectConsistent(report);
      expect(m.grouping).toBe('node');
      expect(m.groups.map((g) => g.label)).toEqual(report.nodes.map((n) => n.name).sort());
      const n = report.summary.nodes;
      expect(m.cells).toHaveLength(n * (n - 1));
      // Every listed pair of every finding lies in a cell naming that finding, and only such cells do.
      const row = new Map(m.groups.map((g) => [g.label, g.id]));
      for (const f of report.findings) {
        for (const p of f.pairs) {
          const cell = m.cells.find((c) => c.source === row.get(p.sourceNode) && c.destination === row.get(p.destinationNode))!;
          expect(cell.findingIds).toContain(f.id);
          expect(cell.verdict === 'blocked' || f.verdict === 'unknown').toBe(true);
        }
        const holding = m.cells.filter((c) => c.findingIds.includes(f.id)).length;
        expect(holding).toBe(f.pairCount);
      }
    });
  }

  it('names the deciding layer, requirement and the evidence reason of a blocked cell (incident)', async () => {
    const { report } = runAudit(await goldenInputs('incident'));
    const cell = report.matrix!.cells[0]!;
    expect(cell).toMatchObject({ verdict: 'blocked', layer: 'security-group', requirement: 'flannel-vxlan', findingIds: ['F1'] });
    expect(cell.reason).toContain('no ingress rule in 6a7d2c1e-9b3f-4e8a-b5c4-2f1e0d9c8b7a allows udp 8472');
  });

  it('marks pairs with an unbound node unknown at node-mapping (unbound-node)', async () => {
    const { report } = runAudit(await goldenInputs('unbound-node'));
    const m = report.matrix!;
    const worker = m.groups.find((g) => g.label === 'k8s-worker-1')!.id;
    const touching = m.cells.filter((c) => c.source === worker || c.destination === worker);
    expect(touching).toHaveLength(4);
    for (const c of touching) expect(c).toMatchObject({ verdict: 'unknown', layer: 'node-mapping' });
    expect(m.cells.filter((c) => c.verdict === 'allowed')).toHaveLength(2);
  });
});

describe('buildMatrix grouping', () => {
  it(`keeps one row per node up to ${MATRIX_NODE_LIMIT} nodes`, () => {
    const { report } = runAudit(generatedInputs(MATRIX_NODE_LIMIT, 20, 5));
    const m = expectConsistent(report);
    expect(m.grouping).toBe('node');
    expect(m.cells).toHaveLength(MATRIX_NODE_LIMIT * (MATRIX_NODE_LIMIT - 1));
  });

  it('groups by class above the node limit when the classes are few, each cell uniform', () => {
    const { report } = runAudit(generatedInputs(MATRIX_NODE_LIMIT + 1, 20, 5));
    const m = expectConsistent(report);
    expect(report.summary.classes).toBeLessThanOrEqual(MATRIX_GROUP_CAP);
    expect(m.grouping).toBe('class');
    expect(m.groups).toHaveLength(report.summary.classes);
    expect(m.groupingReason).toContain(`${MATRIX_NODE_LIMIT + 1} nodes in ${report.summary.classes} equivalence classes`);
    for (const c of m.cells) expect([c.allowed, c.blocked, c.unknown].filter((x) => x > 0)).toHaveLength(1);
  });

  it('falls back to a coarser key within the cap for 5,000 nodes in many classes', () => {
    const { report } = runAudit(generatedInputs(5000, 500, 1));
    expect(report.summary.classes).toBeGreaterThan(MATRIX_GROUP_CAP);
    const m = expectConsistent(report);
    expect(['subnet', 'security-groups', 'pool', 'class']).toContain(m.grouping);
    expect(m.groups.length).toBeGreaterThanOrEqual(2);
    expect(m.groupingReason).toMatch(/5000 nodes in \d+ equivalence classes/);
    expect(m.cells.some((c) => c.verdict === 'blocked')).toBe(true);
    for (const g of m.groups) expect(g.members.length).toBeLessThanOrEqual(50);
  });

  it('is deterministic and honours a forced grouping (what-if keeps the before grouping)', () => {
    const inputs = generatedInputs(80, 20, 5);
    const a = runAudit(inputs);
    const b = runAudit(inputs);
    expect(JSON.stringify(a.report.matrix)).toBe(JSON.stringify(b.report.matrix));
    const found = findFindings(a.snapshot, a.evaluation, { maxPairs: 10 });
    const bySubnet = buildMatrix(a.evaluation, found, { grouping: 'subnet' });
    expect(bySubnet.grouping).toBe('subnet');
    expect(bySubnet.groupingReason).toContain('kept the subnet rows');
    expect(totals(bySubnet)).toEqual(totals(a.report.matrix!));
    for (const g of bySubnet.groups) expect(g.key).toMatch(/^subnet-/);
    // A forced per-node grouping is refused above the node limit.
    expect(buildMatrix(a.evaluation, found, { grouping: 'node' }).grouping).not.toBe('node');
  });
});
