import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../evaluate/types.js';
import type { Verdict } from '../model/evidence.js';
import type { AuditReport } from '../model/report.js';
import type { RunChanges } from '../model/run-changes.js';
import { buildReport } from './build-report.js';
import { changeKind, compareRuns } from './compare-runs.js';
import { allowedCell, boundNode, cellOf, evaluationOf, nodeClass, securityGroup, sgEvidence, snapshotFor, VXLAN } from './testing/fixtures.js';
import { naclDeniesIntoB, SUBNET_A, SUBNET_B } from './testing/scenarios.js';

type Cells = { aa: Verdict; ab: Verdict; ba: Verdict; bb: Verdict };
const ALLOWED: Cells = { aa: 'allowed', ab: 'allowed', ba: 'allowed', bb: 'allowed' };

/**
 * A real report (findings, remediations and all, through buildReport) of nodes a1..aN in sg-a
 * and b1..bM in sg-b, with one verdict per class pair: blocked is sg-b or sg-a lacking the
 * ingress rule, unknown is the group that could not be read.
 */
function run(cells: Partial<Cells> = {}, o: { a?: number; b?: number; maxPairs?: number } = {}): AuditReport {
  const v = { ...ALLOWED, ...cells };
  const a = nodeClass(1, Array.from({ length: o.a ?? 2 }, (_, i) => boundNode(`a${i + 1}`, `172.16.10.${11 + i}`, ['sg-a'], { subnetId: 'subnet-a' })));
  const b = nodeClass(2, Array.from({ length: o.b ?? 3 }, (_, i) => boundNode(`b${i + 1}`, `172.16.20.${11 + i}`, ['sg-b'], { subnetId: 'subnet-b' })));
  const cell = (s: typeof a, d: typeof a, verdict: Verdict): CellResult => {
    const group = d === a ? 'sg-a' : 'sg-b';
    if (verdict === 'allowed') return allowedCell(VXLAN, s, d);
    const reason = verdict === 'unknown' ? `${group} could not be read` : undefined;
    return cellOf(VXLAN, s, d, verdict, [sgEvidence('allowed', 'egress', ['sg-a']), sgEvidence(verdict, 'ingress', [group], reason ? { reason } : {})]);
  };
  const evaluation = evaluationOf([VXLAN], [a, b], [cell(a, a, v.aa), cell(a, b, v.ab), cell(b, a, v.ba), cell(b, b, v.bb)]);
  const snapshot = snapshotFor({ evaluation, groups: [securityGroup('sg-a', 'k8s-a'), securityGroup('sg-b', 'k8s-b')], subnets: [SUBNET_A, SUBNET_B] });
  return buildReport(snapshot, evaluation, { maxPairs: o.maxPairs ?? 1000 });
}

const pairs = (list: RunChanges['newlyBlocked']): string[] => list.map((p) => `${p.sourceNode}>${p.destinationNode}:${p.before}->${p.after}`);

describe('compareRuns', () => {
  it('finds nothing between a run and itself, whatever the verdicts', () => {
    const verdict = fc.constantFrom<Verdict>('allowed', 'blocked', 'unknown');
    fc.assert(
      fc.property(fc.record({ aa: verdict, ab: verdict, ba: verdict, bb: verdict }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), (cells, a, b, maxPairs) => {
        const r = run(cells, { a, b, maxPairs });
        const c = compareRuns(r, structuredClone(r));
        expect({ ...c, pairsTruncated: false }).toEqual({ newlyBlocked: [], resolved: [], newlyUnknown: [], newFindings: [], goneFindings: [], newContradictions: [], newRemediations: [], pairsTruncated: false });
        expect(changeKind(c)).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  it('revoking the rule into sg-b: every pair into b is newly blocked, with the finding and the exact rule to add', () => {
    const c = compareRuns(run(), run({ ab: 'blocked', bb: 'blocked' }));
    expect(c.newlyBlocked).toHaveLength(12);
    expect(c.newlyBlocked.every((p) => p.before === 'allowed' && p.after === 'blocked' && p.requirement === 'flannel-vxlan' && p.destinationNode.startsWith('b'))).toBe(true);
    expect(pairs(c.newlyBlocked).slice(0, 3)).toEqual(['a1>b1:allowed->blocked', 'a1>b2:allowed->blocked', 'a1>b3:allowed->blocked']);
    expect(c.newFindings).toEqual([expect.objectContaining({ verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', target: expect.objectContaining({ id: 'sg-b' }), pairCount: 12 })]);
    // One rule per source subnet the plan chose; each names the group, the flow and its commands.
    expect(c.newRemediations.length).toBeGreaterThan(0);
    for (const r of c.newRemediations) {
      expect(r).toMatchObject({ target: 'sg-b', direction: 'ingress', flow: 'udp 8472' });
      expect(r.cli).toContain('8472');
      expect(r.cli).toContain(r.cidr);
      expect(r.terraform).toContain('8472');
    }
    expect(c.resolved).toEqual([]);
    expect(c.goneFindings).toEqual([]);
    expect(c.pairsTruncated).toBe(false);
    expect(changeKind(c)).toBe('blocked');
  });

  it('restoring it: the same pairs resolve, the finding is gone, no rule is new', () => {
    const c = compareRuns(run({ ab: 'blocked', bb: 'blocked' }), run());
    expect(c.resolved).toHaveLength(12);
    expect(c.resolved.every((p) => p.before === 'blocked' && p.after === 'allowed')).toBe(true);
    expect(c.goneFindings).toEqual([expect.objectContaining({ target: expect.objectContaining({ id: 'sg-b' }) })]);
    expect(c.newlyBlocked).toEqual([]);
    expect(c.newRemediations).toEqual([]);
    expect(changeKind(c)).toBe('resolved');
  });

  it('an unknown group: pairs newly unknown, a new unknown finding, kind changed', () => {
    const c = compareRuns(run(), run({ ba: 'unknown' }));
    expect(pairs(c.newlyUnknown)).toEqual(['b1>a1:allowed->unknown', 'b1>a2:allowed->unknown', 'b2>a1:allowed->unknown', 'b2>a2:allowed->unknown', 'b3>a1:allowed->unknown', 'b3>a2:allowed->unknown']);
    expect(c.newFindings.map((f) => f.verdict)).toEqual(['unknown']);
    expect(changeKind(c)).toBe('changed');
    // Unknown -> allowed is resolved too.
    expect(compareRuns(run({ ba: 'unknown' }), run()).resolved).toHaveLength(6);
  });

  it('blocked -> unknown is newly unknown, unknown -> blocked newly blocked', () => {
    expect(pairs(compareRuns(run({ ab: 'blocked' }), run({ ab: 'unknown' })).newlyUnknown)[0]).toBe('a1>b1:blocked->unknown');
    const worse = compareRuns(run({ ab: 'unknown' }), run({ ab: 'blocked' }));
    expect(pairs(worse.newlyBlocked)[0]).toBe('a1>b1:unknown->blocked');
    expect(changeKind(worse)).toBe('blocked');
  });

  it('a node joining a blocked group: only its own pairs are newly blocked, before absent', () => {
    const c = compareRuns(run({ ab: 'blocked' }, { b: 2 }), run({ ab: 'blocked' }, { b: 3 }));
    expect(pairs(c.newlyBlocked)).toEqual(['a1>b3:absent->blocked', 'a2>b3:absent->blocked']);
    // Same requirement, layer, direction and group: the same finding, though its pairCount grew.
    expect(c.newFindings).toEqual([]);
    expect(changeKind(c)).toBe('blocked');
  });

  it('a node leaving resolves nothing: its pairs are absent, not allowed', () => {
    const c = compareRuns(run({ ab: 'blocked' }, { b: 3 }), run({ ab: 'blocked' }, { b: 2 }));
    expect(c.resolved).toEqual([]);
    expect(changeKind(c)).toBeUndefined();
  });

  it('matches findings by requirement, layer, direction and target, not by id', () => {
    // Same pairs blocked, now by the subnet ACL instead of the group: no pair changed, one finding replaced another.
    const sg = run({ ab: 'blocked' });
    const { snapshot, evaluation } = naclDeniesIntoB();
    const nacl = buildReport(snapshot, evaluation, { maxPairs: 1000 });
    expect(nacl.findings[0]?.id).toBe(sg.findings[0]?.id);
    const c = compareRuns(sg, nacl);
    expect(c.newlyBlocked).toEqual([]);
    expect(c.resolved).toEqual([]);
    expect(c.newFindings.map((f) => f.layer)).toEqual(['network-acl']);
    expect(c.goneFindings.map((f) => f.layer)).toEqual(['security-group']);
    expect(c.newRemediations.map((r) => r.target)).toEqual(['acl-b']);
    expect(changeKind(c)).toBe('blocked');
  });

  it('truncated pair lists: flags them and never claims a change for a pair a run did not list', () => {
    const verdict = fc.constantFrom<Verdict>('allowed', 'blocked', 'unknown');
    const cells = fc.record({ aa: verdict, ab: verdict, ba: verdict, bb: verdict });
    fc.assert(
      fc.property(cells, cells, fc.integer({ min: 1, max: 6 }), (before, after, maxPairs) => {
        const full = compareRuns(run(before), run(after));
        const cut = compareRuns(run(before, { maxPairs }), run(after, { maxPairs }));
        for (const key of ['newlyBlocked', 'resolved', 'newlyUnknown'] as const) {
          for (const change of cut[key]) expect(full[key]).toContainEqual(change);
        }
        expect(cut.newFindings.length).toBe(full.newFindings.length);
        expect(cut.goneFindings.length).toBe(full.goneFindings.length);
        if (cut.newlyBlocked.length < full.newlyBlocked.length) expect(cut.pairsTruncated).toBe(true);
      }),
      { numRuns: 80 },
    );
    const c = compareRuns(run(), run({ ab: 'blocked', bb: 'blocked' }, { maxPairs: 2 }));
    expect(c.pairsTruncated).toBe(true);
    expect(c.newlyBlocked.length).toBeGreaterThan(0);
    expect(c.newFindings[0]?.pairCount).toBe(12);
  });

  it('a first run counts only what blocks', () => {
    const blocked = compareRuns(undefined, run({ ab: 'blocked', ba: 'unknown' }));
    expect(blocked.newlyBlocked).toHaveLength(6);
    expect(blocked.newlyBlocked.every((p) => p.before === 'absent')).toBe(true);
    expect(blocked.newlyUnknown).toEqual([]);
    expect(blocked.newFindings.map((f) => f.verdict)).toEqual(['blocked']);
    expect(blocked.newRemediations.length).toBe(run({ ab: 'blocked' }).remediations.length);
    expect(changeKind(blocked)).toBe('blocked');
    expect(changeKind(compareRuns(undefined, run({ ba: 'unknown' })))).toBeUndefined();
    expect(changeKind(compareRuns(undefined, run()))).toBeUndefined();
  });

  it('a finding that turns into a probe contradiction is a new contradiction', () => {
    const before = run({ ab: 'blocked' });
    const after = structuredClone(before);
    const f = after.findings[0];
    if (!f) throw new Error('fixture has a finding');
    const { direction: _d, target: _t, ...rest } = f;
    after.findings.push({ ...rest, id: 'F9', contradiction: 'allowed-but-dropped' });
    const c = compareRuns(before, after);
    expect(c.newContradictions.map((x) => x.id)).toEqual(['F9']);
    expect(changeKind(c)).toBe('blocked');
  });
});
