import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Requirement } from '../model/requirement.js';
import type { Snapshot } from '../model/snapshot.js';
import { evaluate } from './evaluate.js';
import * as b from './testing/builders.js';
import { cellFor } from './testing/cells.js';

const ip = (i: number) => `172.16.${10 + (i % 2)}.${10 + i}`;

function cluster(count: number, ingress: b.RuleDraft[], opts: { groupsOf?: (i: number) => string[] } = {}): Snapshot {
  const nodes = Array.from({ length: count }, (_, i) => b.node(`n${i}`, ip(i), { pod: `10.244.${i}.0/24` }));
  const interfaces = nodes.map((_, i) => b.eni(`eni-${i}`, ip(i), { subnet: 'subnet-a', groups: opts.groupsOf?.(i) ?? ['sg-nodes'] }));
  return b.snapshot({
    nodes,
    interfaces,
    groups: [b.sg('sg-nodes', [b.egressAll(), ...ingress]), b.sg('sg-other', [b.egressAll()])],
  });
}

const vxlan = b.flowRequirement();

describe('equivalence classes', () => {
  it('nodes with one signature share a class; its self cell counts n*(n-1) pairs', () => {
    const e = evaluate(cluster(4, [b.ingress('udp', 8472, '172.16.0.0/16')]), [vxlan]);
    expect(e.classes).toHaveLength(1);
    expect(e.classes[0]!.members.map((m) => m.node.name)).toEqual(['n0', 'n1', 'n2', 'n3']);
    expect(e.cells).toEqual([expect.objectContaining({ sourceClass: 0, destinationClass: 0, verdict: 'allowed', pairCount: 12 })]);
  });

  it('a /32 rule splits the node it names into its own class', () => {
    const e = evaluate(cluster(4, [b.ingress('udp', 8472, `${ip(2)}/32`)]), [vxlan]);
    expect(e.classes.map((c) => c.members.map((m) => m.node.name))).toEqual([['n0', 'n1', 'n3'], ['n2']]);
    const counts = e.cells.map((c) => [c.sourceClass, c.destinationClass, c.pairCount, c.verdict]);
    expect(counts).toEqual([
      [0, 0, 6, 'blocked'],
      [0, 1, 3, 'blocked'],
      [1, 0, 3, 'allowed'],
    ]);
    expect(e.cells.reduce((n, c) => n + c.pairCount, 0)).toBe(4 * 3);
  });

  it('a rule for an irrelevant port does not split classes', () => {
    const e = evaluate(cluster(4, [b.ingress('udp', 8472, '172.16.0.0/16'), b.ingress('tcp', 22, `${ip(2)}/32`)]), [vxlan]);
    expect(e.classes).toHaveLength(1);
  });

  it('different group sets are different classes', () => {
    const e = evaluate(cluster(3, [b.ingress('udp', 8472, '172.16.0.0/16')], { groupsOf: (i) => (i === 0 ? ['sg-other'] : ['sg-nodes']) }), [vxlan]);
    expect(e.classes.map((c) => c.members.length)).toEqual([1, 2]);
    expect(cellFor(e, 'n1', 'n0', vxlan.id)?.verdict).toBe('blocked');
    expect(cellFor(e, 'n0', 'n1', vxlan.id)?.verdict).toBe('allowed');
  });

  it('a one-member class has no self cell, and every unbound node is its own class', () => {
    const s = cluster(2, [b.ingress('udp', 8472, '172.16.0.0/16')]);
    s.cluster.nodes.push(b.node('x1', '10.9.9.1'), b.node('x2', '10.9.9.2'));
    const e = evaluate(s, [vxlan]);
    expect(e.classes.map((c) => c.members.map((m) => m.node.name))).toEqual([['n0', 'n1'], ['x1'], ['x2']]);
    expect(e.cells.filter((c) => c.sourceClass === c.destinationClass).map((c) => c.sourceClass)).toEqual([0]);
    expect(e.cells.reduce((n, c) => n + c.pairCount, 0)).toBe(4 * 3);
  });

  it('many relevant blocks (answered by sorted range queries, not scans) split exactly the nodes they name', () => {
    const named = 40;
    const rules = Array.from({ length: named }, (_, i) => b.ingress('udp', 8472, `${ip(i)}/32`));
    const s = cluster(named + 5, [...rules, b.ingress('udp', 8472, '172.16.11.0/24')]);
    const grouped = evaluate(s, [vxlan]);
    const shared = grouped.classes.filter((c) => c.members.length > 1);
    expect(shared.map((c) => c.members.map((m) => m.node.name))).toEqual([
      ['n40', 'n42', 'n44'],
      ['n41', 'n43'],
    ]);
    expect(grouped.classes).toHaveLength(named + 2);
    const direct = evaluate(s, [vxlan], { groupNodes: false });
    for (const [x, y] of [['n0', 'n41'], ['n41', 'n0'], ['n41', 'n43'], ['n40', 'n42'], ['n1', 'n40'], ['n40', 'n1']] as const) {
      expect(cellFor(grouped, x, y, vxlan.id)?.verdict, `${x} -> ${y}`).toBe(cellFor(direct, x, y, vxlan.id)?.verdict);
    }
  });

  it('is deterministic regardless of node order', () => {
    const s = cluster(5, [b.ingress('udp', 8472, `${ip(1)}/32`), b.ingress('udp', 8472, `${ip(3)}/32`)]);
    const reversed = { ...s, cluster: { ...s.cluster, nodes: [...s.cluster.nodes].reverse() } };
    const strip = (x: ReturnType<typeof evaluate>) => ({ classes: x.classes.map((c) => c.members.map((m) => m.node.name)), cells: x.cells });
    expect(strip(evaluate(reversed, [vxlan]))).toEqual(strip(evaluate(s, [vxlan])));
  });
});

/**
 * The class shortcut must give every ordered pair the verdict, layer and direction that
 * evaluating that pair directly gives. Random small clusters over a pool of rules that
 * name single nodes, subnets, groups and pod CIDRs try to find a pair where it does not.
 */
describe('classes agree with direct per-pair evaluation', () => {
  const N = 6;
  const subnetOf = (i: number) => (i % 3 === 0 ? 'subnet-b' : 'subnet-a');
  const rulePool: b.RuleDraft[] = [
    b.ingress('udp', 8472, '172.16.0.0/16'),
    b.ingress('udp', 8472, `${ip(1)}/32`),
    b.ingress('udp', 8472, `${ip(4)}/32`),
    b.ingress('udp', [8400, 8472], '172.16.11.0/24'),
    b.ingress('tcp', 8472, '0.0.0.0/0'),
    b.ingress('udp', 8472, b.sgRef('sg-a')),
    b.ingress('any', 'all', '10.244.0.0/22'),
    b.ingress('any', 'all', '10.244.5.0/24'),
    b.ingress('any', 'all', b.sgRef('sg-b')),
    b.egress('udp', 8472, `${ip(2)}/32`),
    b.egress('any', 'all', '0.0.0.0/0'),
    b.egress('udp', 8472, b.sgRef('sg-b')),
  ];
  const requirements: Requirement[] = [vxlan, b.podTrafficRequirement(), b.l2Requirement(), b.forwardingRequirement(), b.flowRequirement({ id: 'dr', source: 'pod-cidr', destination: 'pod-cidr', protocol: { name: 'any' }, pairScope: 'same-subnet-pairs' })];

  it('for random rule sets, group assignments and NACLs', () => {
    fc.assert(
      fc.property(
        fc.subarray(rulePool.map((_, i) => i)),
        fc.subarray(rulePool.map((_, i) => i)),
        fc.array(fc.constantFrom(['sg-a'], ['sg-b'], ['sg-a', 'sg-b']), { minLength: N, maxLength: N }),
        fc.array(fc.boolean(), { minLength: N, maxLength: N }),
        fc.boolean(),
        (aRules, bRules, groupsOf, sdc, denyFirstSubnet) => {
          const nodes = Array.from({ length: N }, (_, i) => b.node(`n${i}`, ip(i), { pod: `10.244.${i}.0/24` }));
          const interfaces = nodes.map((_, i) =>
            b.eni(`eni-${i}`, ip(i), { subnet: subnetOf(i), groups: [...groupsOf[i]!], sourceDestCheck: sdc[i]! }),
          );
          const acls = [
            b.nacl('acl-a', ['subnet-a'], [b.aclEntry(10, 'ingress', denyFirstSubnet ? 'deny' : 'allow', 'udp', 8472, `${ip(3)}/32`), ...b.allowAllEntries()]),
            b.nacl('acl-b', ['subnet-b'], b.allowAllEntries()),
          ];
          const s = b.snapshot({
            nodes,
            interfaces,
            groups: [b.sg('sg-a', aRules.map((i) => rulePool[i]!)), b.sg('sg-b', bRules.map((i) => rulePool[i]!))],
            acls,
          });
          const grouped = evaluate(s, requirements);
          const direct = evaluate(s, requirements, { groupNodes: false });
          for (const x of nodes) {
            for (const y of nodes) {
              if (x === y) continue;
              for (const r of requirements) {
                const g = cellFor(grouped, x.name, y.name, r.id);
                const d = cellFor(direct, x.name, y.name, r.id);
                const view = (c: typeof g) => c && { verdict: c.verdict, layer: c.layer, direction: c.direction, rules: c.evidence.map((e) => e.decidingRule?.ruleId) };
                expect(view(g), `${x.name} -> ${y.name} ${r.id}`).toEqual(view(d));
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
