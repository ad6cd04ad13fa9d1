import { describe, expect, it } from 'vitest';
import type { CellResult } from '../evaluate/types.js';
import { buildReport } from './build-report.js';
import {
  allowedCell,
  boundNode,
  cellOf,
  evaluationOf,
  flowRequirement,
  nodeClass,
  securityGroup,
  sgEvidence,
  snapshotFor,
  subnet,
  unboundNode,
  VXLAN,
} from './testing/fixtures.js';
import { blockedIntoB, naclDeniesIntoB, sharedGroupBlocked, SUBNET_A, SUBNET_B } from './testing/scenarios.js';

describe('summary', () => {
  it('counts pairs by class size, same-class pairs excluding self pairs', () => {
    const { snapshot, evaluation } = blockedIntoB();
    // a->b 2x3 = 6 and b->b 3x2 = 6 blocked; a->a 2x1 = 2 and b->a 3x2 = 6 allowed.
    expect(buildReport(snapshot, evaluation, { maxPairs: 10 }).summary).toEqual({
      nodes: 5, directedPairs: 20, allowed: 8, blocked: 12, unknown: 0, classes: 2,
    });
  });

  it('blocked by any requirement beats unknown by another; a class pair with no cells is allowed', () => {
    const other = flowRequirement({ id: 'flannel-vxlan-direct-routing', source: 'pod-cidr', destination: 'pod-cidr', pairScope: 'same-subnet-pairs' });
    const a = nodeClass(1, [boundNode('a1', '172.16.10.11', ['sg']), boundNode('a2', '172.16.10.12', ['sg'])]);
    const b = nodeClass(2, [boundNode('b1', '172.16.20.11', ['sg'])]);
    const unknownEvidence = sgEvidence('unknown', 'ingress', ['sg'], { reason: 'sg could not be read' });
    const cells: CellResult[] = [
      allowedCell(VXLAN, a, a),
      cellOf(other, a, a, 'unknown', [unknownEvidence]), // 2 pairs unknown
      cellOf(VXLAN, a, b, 'blocked', [sgEvidence('blocked', 'ingress', ['sg'])]),
      cellOf(other, a, b, 'unknown', [unknownEvidence]), // a->b: blocked wins, 2 pairs
      allowedCell(VXLAN, b, a), // b->a: 2 pairs allowed; `other` has no cell (out of scope)
      // b->b: a single node has no pairs
    ];
    const report = buildReport(snapshotFor({ evaluation: evaluationOf([VXLAN, other], [a, b], cells) }), evaluationOf([VXLAN, other], [a, b], cells), { maxPairs: 5 });
    expect(report.summary).toEqual({ nodes: 3, directedPairs: 6, allowed: 2, blocked: 2, unknown: 2, classes: 2 });
  });

  it('pairs of nodes missing from every class count as unknown, never allowed', () => {
    const a = nodeClass(1, [boundNode('a1', '172.16.10.11', ['sg']), boundNode('a2', '172.16.10.12', ['sg'])]);
    const stray = boundNode('stray', '172.16.10.13', ['sg']);
    const evaluation = evaluationOf([VXLAN], [a], [allowedCell(VXLAN, a, a)], [stray]);
    const report = buildReport(snapshotFor({ evaluation }), evaluation, { maxPairs: 5 });
    expect(report.summary).toMatchObject({ nodes: 3, directedPairs: 6, allowed: 2, unknown: 4 });
  });

  it('works on 5,000 nodes by class arithmetic', () => {
    const half = (prefix: string, third: number) =>
      Array.from({ length: 2500 }, (_, i) => boundNode(`${prefix}-${String(i).padStart(4, '0')}`, `172.16.${third + Math.floor(i / 250)}.${(i % 250) + 1}`, ['sg-nodes']));
    const a = nodeClass(1, half('a', 10));
    const b = nodeClass(2, half('b', 40));
    const blocked = [sgEvidence('allowed', 'egress', ['sg-nodes']), sgEvidence('blocked', 'ingress', ['sg-nodes'])];
    const cells = [allowedCell(VXLAN, a, a), cellOf(VXLAN, a, b, 'blocked', blocked), allowedCell(VXLAN, b, a), cellOf(VXLAN, b, b, 'blocked', blocked)];
    const evaluation = evaluationOf([VXLAN], [a, b], cells);
    const subnets = [...Array.from({ length: 10 }, (_, i) => 10 + i), ...Array.from({ length: 10 }, (_, i) => 40 + i)].map((third) => subnet(`subnet-${third}`, `172.16.${third}.0/24`));
    const report = buildReport(snapshotFor({ evaluation, groups: [securityGroup('sg-nodes')], subnets }), evaluation, { maxPairs: 3 });
    expect(report.summary).toEqual({
      nodes: 5000, directedPairs: 5000 * 4999, allowed: 2500 * 2499 + 2500 * 2500, blocked: 2500 * 2500 + 2500 * 2499, unknown: 0, classes: 2,
    });
    const [finding] = report.findings;
    expect(finding?.pairCount).toBe(2500 * 2500 + 2500 * 2499);
    expect(finding?.pairs.map((p) => `${p.sourceNode}>${p.destinationNode}`)).toEqual(['a-0000>b-0000', 'a-0000>b-0001', 'a-0000>b-0002']);
    // One rule per source subnet; together they cover every blocked pair exactly once.
    expect(report.remediations.map((r) => r.cidr)).toEqual(subnets.map((s) => s.cidr));
    expect(report.remediations.reduce((n, r) => n + r.pairCount, 0)).toBe(finding?.pairCount);
  });
});

describe('findings', () => {
  it('groups cells with the same target and reason into one finding with an exact pair count', () => {
    const { snapshot, evaluation } = blockedIntoB();
    const report = buildReport(snapshot, evaluation, { maxPairs: 100 });
    expect(report.findings).toHaveLength(1);
    const f = report.findings[0]!;
    expect(f).toMatchObject({
      id: 'F1', verdict: 'blocked', requirement: 'flannel-vxlan', protocol: 'udp', port: 8472, layer: 'security-group', direction: 'ingress',
      target: { kind: 'security-group', id: 'sg-b', name: 'k8s-b' }, pairCount: 12, pairsTruncated: false,
    });
    expect(f.reason).toBe('No ingress rule in sg-b (k8s-b) allows udp 8472 from 172.16.10.0/24 and 172.16.20.0/24; tcp 8472 is allowed, udp is not.');
    expect(f.pairs.map((p) => `${p.sourceNode}>${p.destinationNode}`)).toEqual([
      'a1>b1', 'a1>b2', 'a1>b3', 'a2>b1', 'a2>b2', 'a2>b3', 'b1>b2', 'b1>b3', 'b2>b1', 'b2>b3', 'b3>b1', 'b3>b2',
    ]);
    expect(f.evidence).toEqual([evaluation.cells[1]!.evidence[1]]);
  });

  it.each([
    [0, 0],
    [1, 1],
    [4, 4],
    [12, 12],
    [50, 12],
  ])('maxPairs %i lists %i pairs and keeps pairCount exact', (maxPairs, listed) => {
    const { snapshot, evaluation } = blockedIntoB();
    const f = buildReport(snapshot, evaluation, { maxPairs }).findings[0]!;
    expect(f.pairs).toHaveLength(listed);
    expect(f.pairCount).toBe(12);
    expect(f.pairsTruncated).toBe(listed < 12);
  });

  it('a cell blocked at both ends yields one finding per check, sorted by requirement, layer, target', () => {
    const a = nodeClass(1, [boundNode('a1', '172.16.10.11', ['sg-a'], { subnetId: 'subnet-a' })]);
    const b = nodeClass(2, [boundNode('b1', '172.16.20.11', ['sg-b'], { subnetId: 'subnet-b' })]);
    const cells = [cellOf(VXLAN, a, b, 'blocked', [sgEvidence('blocked', 'egress', ['sg-a']), sgEvidence('blocked', 'ingress', ['sg-b'])])];
    const evaluation = evaluationOf([VXLAN], [a, b], cells);
    const report = buildReport(snapshotFor({ evaluation, subnets: [SUBNET_A, SUBNET_B] }), evaluation, { maxPairs: 5 });
    expect(report.findings.map((f) => [f.id, f.direction, f.target?.id, f.pairCount])).toEqual([
      ['F1', 'egress', 'sg-a', 1],
      ['F2', 'ingress', 'sg-b', 1],
    ]);
    expect(report.findings[0]!.reason).toBe('No egress rule in sg-a allows udp 8472 to 172.16.20.0/24.');
    expect(report.summary.blocked).toBe(1);
  });

  it('an unbound node makes an unknown finding targeting that node, with no remediation', () => {
    const a = nodeClass(1, [boundNode('a1', '172.16.10.11', ['sg'])]);
    const reason = 'no interface in the inputs owns 172.16.99.9';
    const c = nodeClass(2, [unboundNode('c1', reason, '172.16.99.9')]);
    const unknown = { layer: 'node-mapping' as const, check: 'node-mapping' as const, decision: 'unknown' as const, objectIds: [], reason };
    const cells = [cellOf(VXLAN, a, c, 'unknown', [unknown]), cellOf(VXLAN, c, a, 'unknown', [unknown])];
    const evaluation = evaluationOf([VXLAN], [a, c], cells);
    const report = buildReport(snapshotFor({ evaluation }), evaluation, { maxPairs: 5 });
    expect(report.summary).toMatchObject({ unknown: 2, blocked: 0, allowed: 0 });
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ verdict: 'unknown', layer: 'node-mapping', target: { kind: 'node', id: 'c1' }, pairCount: 2 });
    expect(report.findings[0]!.reason).toContain('c1 could not be tied to a cloud network interface (no interface in the inputs owns 172.16.99.9)');
    expect(report.remediations).toEqual([]);
    expect(report.nodes.find((n) => n.name === 'c1')).toMatchObject({ interfaceId: null, class: 2, unboundReason: reason });
  });

  it('NACL denial names the entry and the rule number to stay below', () => {
    const { snapshot, evaluation } = naclDeniesIntoB();
    const report = buildReport(snapshot, evaluation, { maxPairs: 5 });
    expect(report.findings.map((f) => [f.layer, f.target?.id, f.pairCount])).toEqual([['network-acl', 'acl-b', 6]]);
    expect(report.findings[0]!.reason).toBe(
      'Network ACL acl-b inbound entry #50 (ingress #50 deny all traffic from 0.0.0.0/0) denies udp 8472 from 172.16.10.0/24; add an allow entry numbered below 50.',
    );
  });

  it('source/dest check finding says the exact command and gets no rule', () => {
    const fwd = { id: 'flannel-host-gw-forwarding', cni: 'flannel' as const, backend: 'host-gw', kind: 'foreign-address-forwarding' as const, title: 'Forward pod addresses', description: '', docUrl: '' };
    const a = nodeClass(1, [boundNode('a1', '172.16.10.11', ['sg'], { instanceId: 'i-0abc', sourceDestCheck: true }), boundNode('a2', '172.16.10.12', ['sg'], { instanceId: 'i-0def', sourceDestCheck: false })]);
    a.members[0]!.binding.kind === 'bound' && (a.members[0]!.binding.iface.id = 'eni-a1');
    const sdc = { layer: 'source-dest-check' as const, check: 'forwarding' as const, decision: 'blocked' as const, objectIds: ['eni-a1'], reason: 'source/destination check is enabled on eni-a1 (node a1)' };
    const evaluation = evaluationOf([fwd], [a], [cellOf(fwd, a, a, 'blocked', [sdc])]);
    const report = buildReport(snapshotFor({ evaluation }), evaluation, { maxPairs: 5 });
    expect(report.findings[0]!.reason).toContain('`aws ec2 modify-instance-attribute --instance-id i-0abc --no-source-dest-check`');
    expect(report.findings[0]!.reason).not.toContain('i-0def');
    expect(report.remediations).toEqual([]);
  });

  it('allowed-address-pairs finding says the exact openstack port command', () => {
    const fwd = { id: 'flannel-host-gw-forwarding', cni: 'flannel' as const, backend: 'host-gw', kind: 'foreign-address-forwarding' as const, title: 'Forward pod addresses', description: '', docUrl: '' };
    const a = nodeClass(1, [boundNode('a1', '10.0.0.11', ['sg'], { provider: 'openstack', ifaceId: 'port-a1', podCidrs: ['10.244.1.0/24'] }), boundNode('a2', '10.0.0.12', ['sg'], { provider: 'openstack', ifaceId: 'port-a2', podCidrs: ['10.244.2.0/24'] })]);
    const aap = { layer: 'allowed-address-pairs' as const, check: 'forwarding' as const, decision: 'blocked' as const, objectIds: ['port-a1'], reason: 'allowed_address_pairs of port-a1 (node a1) do not cover pod CIDR 10.244.1.0/24' };
    const evaluation = evaluationOf([fwd], [a], [cellOf(fwd, a, a, 'blocked', [aap])]);
    const report = buildReport(snapshotFor({ evaluation }), evaluation, { maxPairs: 5 });
    expect(report.findings[0]!.reason).toContain('`openstack port set --allowed-address ip-address=10.244.1.0/24 port-a1`');
    expect(report.remediations).toEqual([]);
  });
});

describe('report sections', () => {
  it('flannel, requirements, nodes and warnings', () => {
    const { snapshot, evaluation } = sharedGroupBlocked();
    snapshot.warnings.push({ code: 'sample', message: 'a warning' });
    const report = buildReport(snapshot, evaluation, { maxPairs: 5 });
    expect(report.schemaVersion).toBe(1);
    expect(report.flannel).toEqual({
      backend: 'vxlan', port: 8472, network: '10.244.0.0/16', origin: 'configmap',
      notes: ['Configuration read from ConfigMap kube-flannel/kube-flannel-cfg (flannel.json).', 'VXLAN Port not set: using 8472, the default flannel gets from the kernel.'],
    });
    expect(report.requirements).toEqual([
      expect.objectContaining({ id: 'flannel-vxlan', kind: 'flow', protocol: 'udp', protocolNumber: 17, fromPort: 8472, toPort: 8472, family: 4, source: 'node-vtep' }),
    ]);
    expect(report.nodes.map((n) => [n.name, n.class, n.interfaceId, n.securityGroupIds])).toEqual([
      ['a1', 1, 'eni-a1', ['sg-nodes']], ['a2', 1, 'eni-a2', ['sg-nodes']], ['b1', 2, 'eni-b1', ['sg-nodes']], ['b2', 2, 'eni-b2', ['sg-nodes']], ['b3', 2, 'eni-b3', ['sg-nodes']],
    ]);
    expect(report.warnings).toEqual([{ code: 'sample', message: 'a warning' }]);
  });

  it('is deterministic: the same input gives byte-identical JSON', () => {
    const one = blockedIntoB();
    const two = blockedIntoB();
    two.evaluation.cells.reverse();
    two.evaluation.classes.reverse();
    expect(JSON.stringify(buildReport(two.snapshot, two.evaluation, { maxPairs: 5 }))).toBe(JSON.stringify(buildReport(one.snapshot, one.evaluation, { maxPairs: 5 })));
  });

  it('rejects a negative maxPairs', () => {
    const { snapshot, evaluation } = blockedIntoB();
    expect(() => buildReport(snapshot, evaluation, { maxPairs: -1 })).toThrow(/maxPairs/);
  });
});
