import { describe, expect, it } from 'vitest';
import { evaluate } from '../evaluate/evaluate.js';
import * as b from '../evaluate/testing/builders.js';
import type { NetworkInterface } from '../model/cloud.js';
import type { ClusterNode } from '../model/cluster.js';
import type { Finding } from '../model/report.js';
import { buildMatrix } from '../report/matrix.js';
import { findFindings } from './find-findings.js';
import { MAX_NAMED_INTERFACES } from './finding-reason.js';

/**
 * Source/dest check, allowed-address pairs and port security are settings of each node's own
 * interface. The evaluator checks one representative per class; the findings must still name
 * every interface of the class and attribute to it exactly the pairs it blocks.
 */

interface Member {
  node: ClusterNode;
  iface: NetworkInterface;
}

function awsMember(i: number, opts: { check?: boolean | undefined; subnet?: string } = {}): Member {
  const ip = `172.16.${opts.subnet === 'subnet-b' ? 20 : 10}.${10 + i}`;
  const iface = b.eni(`eni-${i}`, ip, { instanceId: `i-${i}`, subnet: opts.subnet ?? 'subnet-a' });
  if ('check' in opts) iface.sourceDestCheck = opts.check;
  return { node: b.node(`n${i}`, ip, { pod: `10.244.${i}.0/24` }), iface };
}

function osMember(i: number, opts: Partial<NetworkInterface> = {}): Member {
  const ip = `172.16.10.${10 + i}`;
  return { node: b.node(`n${i}`, ip, { pod: `10.244.${i}.0/24` }), iface: b.port(`port-${i}`, ip, opts) };
}

function audit(members: Member[]) {
  const snapshot = b.snapshot({ nodes: members.map((m) => m.node), interfaces: members.map((m) => m.iface) });
  const evaluation = evaluate(snapshot, [b.forwardingRequirement()]);
  const found = findFindings(snapshot, evaluation, { maxPairs: 10_000 });
  return { evaluation, found, findings: found.findings };
}

const pairKey = (s: string, d: string): string => `${s}->${d}`;
const pairsOf = (f: Finding): string[] => f.pairs.map((p) => pairKey(p.sourceNode, p.destinationNode)).sort();

/** Every directed pair with at least one end among `blocking`, over the given node names. */
function pairsTouching(names: string[], blocking: string[]): string[] {
  const out: string[] = [];
  for (const s of names) for (const d of names) if (s !== d && (blocking.includes(s) || blocking.includes(d))) out.push(pairKey(s, d));
  return out.sort();
}

describe('AWS source/destination check findings', () => {
  it('one class of three: one finding names all three ENIs and commands for all three instances', () => {
    const { evaluation, findings } = audit([1, 2, 3].map((i) => awsMember(i, { check: true })));
    expect(evaluation.classes).toHaveLength(1);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ verdict: 'blocked', layer: 'source-dest-check', target: { kind: 'network-interfaces', id: 'eni-1,eni-2,eni-3' }, pairCount: 6 });
    expect(f.direction).toBeUndefined();
    expect(pairsOf(f)).toEqual(pairsTouching(['n1', 'n2', 'n3'], ['n1', 'n2', 'n3']));
    for (const i of [1, 2, 3]) {
      expect(f.reason).toContain(`i-${i} (n${i})`);
      expect(f.reason).toContain(`\`aws ec2 modify-instance-attribute --instance-id i-${i} --no-source-dest-check\``);
    }
  });

  it('check on for two nodes, off for the third: one finding on the two ENIs with exactly the pairs that touch them', () => {
    const members = [awsMember(1, { check: true }), awsMember(2, { check: true }), awsMember(3, { check: false })];
    const { evaluation, findings } = audit(members);
    expect(evaluation.classes).toHaveLength(2);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.target).toEqual({ kind: 'network-interfaces', id: 'eni-1,eni-2' });
    // n1<->n2 (2), n1,n2 -> n3 (2), n3 -> n1,n2 (2): the blocked class is source or destination.
    expect(f.pairCount).toBe(6);
    expect(pairsOf(f)).toEqual(pairsTouching(['n1', 'n2', 'n3'], ['n1', 'n2']));
    expect(f.reason).not.toContain('i-3');
  });

  it('two blocked classes: each finding holds exactly the pairs its own interfaces take part in', () => {
    const names = ['n1', 'n2', 'n3', 'n4'];
    const members = [
      awsMember(1, { check: true }),
      awsMember(2, { check: true }),
      awsMember(3, { check: true, subnet: 'subnet-b' }),
      awsMember(4, { check: true, subnet: 'subnet-b' }),
    ];
    const { evaluation, found, findings } = audit(members);
    expect(evaluation.classes).toHaveLength(2);
    expect(findings.map((f) => f.target)).toEqual([
      { kind: 'network-interfaces', id: 'eni-1,eni-2' },
      { kind: 'network-interfaces', id: 'eni-3,eni-4' },
    ]);
    expect(pairsOf(findings[0]!)).toEqual(pairsTouching(names, ['n1', 'n2']));
    expect(pairsOf(findings[1]!)).toEqual(pairsTouching(names, ['n3', 'n4']));
    expect(findings.map((f) => f.pairCount)).toEqual([10, 10]);
    // Every blocked pair is in some finding, and the summary's pairs are all of them.
    const covered = new Set(findings.flatMap(pairsOf));
    expect(covered.size).toBe(12);
    expect(found.scan.failing.reduce((n, c) => n + c.pairCount, 0)).toBe(12);
  });

  it('a class whose check is not exported: one unknown finding naming every ENI', () => {
    const { findings } = audit([awsMember(1, { check: undefined }), awsMember(2, { check: undefined }), awsMember(3, { check: false })]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ verdict: 'unknown', layer: 'source-dest-check', target: { kind: 'network-interfaces', id: 'eni-1,eni-2' }, pairCount: 6 });
    expect(f.reason).toContain('eni-1 (n1) and eni-2 (n2), which share the setting');
  });

  it('a single-member class keeps the network-interface kind', () => {
    const { findings } = audit([awsMember(1, { check: true }), awsMember(2, { check: false })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.target).toEqual({ kind: 'network-interface', id: 'eni-1' });
    expect(findings[0]!.pairCount).toBe(2);
    expect(findings[0]!.reason).toContain('`aws ec2 modify-instance-attribute --instance-id i-1 --no-source-dest-check`.');
  });

  it(`a big class names ${MAX_NAMED_INTERFACES} interfaces, counts the rest, and keeps every id in the target`, () => {
    const n = MAX_NAMED_INTERFACES + 5;
    const members = Array.from({ length: n }, (_, k) => awsMember(k + 100, { check: true }));
    const { findings } = audit(members);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.pairCount).toBe(n * (n - 1));
    expect(f.target!.id.split(',')).toHaveLength(n);
    expect(f.reason.match(/modify-instance-attribute/g)).toHaveLength(MAX_NAMED_INTERFACES);
    expect(f.reason).toContain('and 5 more interfaces');
    expect(f.reason).toContain('and the same for the other 5.');
  });

  it('matrix cells list the finding and do not name a representative outside the cell', () => {
    const members = [awsMember(1, { check: true }), awsMember(2, { check: true }), awsMember(3, { check: true })];
    const { evaluation, found } = audit(members);
    const m = buildMatrix(evaluation, found);
    expect(m.grouping).toBe('node');
    expect(m.cells).toHaveLength(6);
    for (const c of m.cells) {
      expect(c).toMatchObject({ verdict: 'blocked', blocked: 1, findingIds: ['F1'], layer: 'source-dest-check' });
      expect(c.reason).toBe('forwarding is blocked by the source-dest-check setting of the interfaces named in F1');
    }
  });
});

describe('OpenStack allowed-address pairs and port security findings', () => {
  it('one class of three ports without pairs: one finding with a port set per port and its own pod CIDR', () => {
    const { evaluation, findings } = audit([1, 2, 3].map((i) => osMember(i)));
    expect(evaluation.classes).toHaveLength(1);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ verdict: 'blocked', layer: 'allowed-address-pairs', target: { kind: 'network-interfaces', id: 'port-1,port-2,port-3' }, pairCount: 6 });
    for (const i of [1, 2, 3]) {
      expect(f.reason).toContain(`port port-${i} (n${i}) lacks 10.244.${i}.0/24`);
      expect(f.reason).toContain(`\`openstack port set --allowed-address ip-address=10.244.${i}.0/24 port-${i}\``);
    }
  });

  it('port security off on one node: only the ports with pairs missing are named, with the pairs touching them', () => {
    const members = [osMember(1), osMember(2), osMember(3, { portSecurity: 'disabled' })];
    const { evaluation, findings } = audit(members);
    expect(evaluation.classes).toHaveLength(2);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.target).toEqual({ kind: 'network-interfaces', id: 'port-1,port-2' });
    expect(pairsOf(f)).toEqual(pairsTouching(['n1', 'n2', 'n3'], ['n1', 'n2']));
    expect(f.reason).not.toContain('port-3');
  });

  it('a wider pair already covering a pod CIDR is not proposed again', () => {
    // Two pod CIDRs each; a /16 pair covers the first one only, so only the second is missing.
    const members = [1, 2].map((i) => {
      const m = osMember(i, { allowedAddressPairs: ['10.244.0.0/16'] });
      m.node.podCidrs = [`10.244.${i}.0/24`, `10.245.${i}.0/24`];
      return m;
    });
    const { findings } = audit(members);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.reason).toContain('`openstack port set --allowed-address ip-address=10.245.1.0/24 port-1` and `openstack port set --allowed-address ip-address=10.245.2.0/24 port-2`');
    expect(findings[0]!.reason).not.toContain('ip-address=10.244.');
  });

  it('ports of nodes without a pod CIDR: one unknown finding naming both ports', () => {
    const members = [osMember(1), osMember(2)];
    for (const m of members) m.node.podCidrs = [];
    const { findings } = audit(members);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ verdict: 'unknown', layer: 'allowed-address-pairs', target: { kind: 'network-interfaces', id: 'port-1,port-2' }, pairCount: 2 });
    expect(findings[0]!.reason).toContain('port-1 (n1) and port-2 (n2), which share the setting');
  });
});
