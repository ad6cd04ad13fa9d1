import { describe, expect, it } from 'vitest';
import type { BoundNode } from '../evaluate/types.js';
import { buildReport } from '../report/build-report.js';
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
  VXLAN,
} from '../report/testing/fixtures.js';
import { blockedIntoB, naclDeniesIntoB, sharedGroupBlocked, SUBNET_A, SUBNET_B } from '../report/testing/scenarios.js';
import { planRemediations } from './plan-remediations.js';
import { evaluate } from '../evaluate/evaluate.js';
import * as b from '../evaluate/testing/builders.js';

const summarize = (rs: ReturnType<typeof planRemediations>) =>
  rs.map((r) => ({ id: r.id, target: r.target.id, direction: r.direction, cidr: r.cidr, pairs: r.pairCount, findings: r.findingIds }));

describe('security-group rules', () => {
  it('one rule per remote subnet CIDR on the blocked group, pair counts adding up to the finding', () => {
    const { snapshot, evaluation } = blockedIntoB();
    const report = buildReport(snapshot, evaluation, { maxPairs: 5 });
    expect(summarize(report.remediations)).toEqual([
      { id: 'R1', target: 'sg-b', direction: 'ingress', cidr: '172.16.10.0/24', pairs: 6, findings: ['F1'] },
      { id: 'R2', target: 'sg-b', direction: 'ingress', cidr: '172.16.20.0/24', pairs: 6, findings: ['F1'] },
    ]);
    // a-nodes carry sg-a and b-nodes sg-b: no one group is shared by every source.
    expect(report.remediations.every((r) => r.alternative === undefined)).toBe(true);
    expect(report.remediations[0]).toMatchObject({ provider: 'aws', protocol: 'udp', protocolNumber: 17, fromPort: 8472, toPort: 8472, family: 4, requirement: 'flannel-vxlan' });
  });

  it('offers a self-reference when every blocked source shares the group', () => {
    const { snapshot, evaluation } = sharedGroupBlocked();
    const rs = buildReport(snapshot, evaluation, { maxPairs: 5 }).remediations;
    expect(summarize(rs)).toEqual([
      { id: 'R1', target: 'sg-nodes', direction: 'ingress', cidr: '172.16.10.0/24', pairs: 8, findings: ['F1'] },
      { id: 'R2', target: 'sg-nodes', direction: 'ingress', cidr: '172.16.20.0/24', pairs: 12, findings: ['F1'] },
    ]);
    expect(rs[0]!.alternative?.kind).toBe('security-group-reference');
    expect(rs[0]!.alternative?.groupId).toBe('sg-nodes');
    expect(rs[0]!.alternative?.commands.cli).toBe(
      `aws ec2 authorize-security-group-ingress --group-id sg-nodes --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,UserIdGroupPairs=[{GroupId=sg-nodes,Description="sgaudit: flannel vxlan"}]'`,
    );
    expect(rs[0]!.notes).toContain('The security-group-reference alternative replaces all 2 CIDR rules for sg-nodes.');
  });

  it('no group reference when a VTEP is not the interface private IP (public/NAT address)', () => {
    const { snapshot, evaluation } = sharedGroupBlocked();
    evaluation.nodes.find((n) => n.node.name === 'a1')!.node.vtepIp = '54.1.2.3';
    const rs = buildReport(snapshot, evaluation, { maxPairs: 5 }).remediations;
    expect(rs.every((r) => r.alternative === undefined)).toBe(true);
    const host = rs.find((r) => r.cidr === '54.1.2.3/32');
    expect(host?.notes).toContain('54.1.2.3 (a1) is in no known subnet; the rule uses 54.1.2.3/32.');
  });

  it('references the shared group (not a self-reference) when sources carry a different one', () => {
    const src = nodeClass(1, [boundNode('s1', '172.16.10.11', ['sg-workers', 'sg-x'], { subnetId: 'subnet-a' }), boundNode('s2', '172.16.10.12', ['sg-y', 'sg-workers'], { subnetId: 'subnet-a' })]);
    const dst = nodeClass(2, [boundNode('d1', '172.16.20.11', ['sg-db'], { subnetId: 'subnet-b' })]);
    const cells = [cellOf(VXLAN, src, dst, 'blocked', [sgEvidence('blocked', 'ingress', ['sg-db'])]), allowedCell(VXLAN, src, src), allowedCell(VXLAN, dst, src)];
    const evaluation = evaluationOf([VXLAN], [src, dst], cells);
    const rs = buildReport(snapshotFor({ evaluation, subnets: [SUBNET_A, SUBNET_B] }), evaluation, { maxPairs: 5 }).remediations;
    expect(summarize(rs)).toEqual([{ id: 'R1', target: 'sg-db', direction: 'ingress', cidr: '172.16.10.0/24', pairs: 2, findings: ['F1'] }]);
    expect(rs[0]!.alternative?.groupId).toBe('sg-workers');
  });

  it('chooses one group per destination interface set, greedily', () => {
    // d1 {sg-x, sg-common}, d2 {sg-y, sg-common}: sg-common covers both. d3 {sg-z} gets its own.
    const src = nodeClass(1, [boundNode('s1', '172.16.10.11', ['sg-src'], { subnetId: 'subnet-a' })]);
    const d12 = [
      nodeClass(2, [boundNode('d1', '172.16.20.11', ['sg-x', 'sg-common'], { subnetId: 'subnet-b' })]),
      nodeClass(3, [boundNode('d2', '172.16.20.12', ['sg-y', 'sg-common'], { subnetId: 'subnet-b' })]),
      nodeClass(4, [boundNode('d3', '172.16.20.13', ['sg-z'], { subnetId: 'subnet-b' })]),
    ];
    const cells = d12.map((d) => cellOf(VXLAN, src, d, 'blocked', [sgEvidence('blocked', 'ingress', d.members[0]!.binding.kind === 'bound' ? d.members[0]!.binding.iface.securityGroupIds : [])]));
    const evaluation = evaluationOf([VXLAN], [src, ...d12], cells);
    const report = buildReport(snapshotFor({ evaluation, subnets: [SUBNET_A, SUBNET_B] }), evaluation, { maxPairs: 5 });
    expect(report.findings.map((f) => [f.id, f.target?.id])).toEqual([['F1', 'sg-common+sg-x'], ['F2', 'sg-common+sg-y'], ['F3', 'sg-z']]);
    expect(summarize(report.remediations)).toEqual([
      { id: 'R1', target: 'sg-common', direction: 'ingress', cidr: '172.16.10.0/24', pairs: 2, findings: ['F1', 'F2'] },
      { id: 'R2', target: 'sg-z', direction: 'ingress', cidr: '172.16.10.0/24', pairs: 1, findings: ['F3'] },
    ]);
    expect(report.remediations[0]!.notes).toContain('sg-common is attached to all 2 blocked destination interfaces this rule covers; any of their groups would work.');
  });

  it('egress blocks put the rule on the source group, naming destination CIDRs', () => {
    const a = nodeClass(1, [boundNode('a1', '172.16.10.11', ['sg-a'], { subnetId: 'subnet-a' })]);
    const b = nodeClass(2, [boundNode('b1', '172.16.20.11', ['sg-b'], { subnetId: 'subnet-b' }), boundNode('b2', '172.16.20.12', ['sg-b'], { subnetId: 'subnet-b' })]);
    const cells = [cellOf(VXLAN, a, b, 'blocked', [sgEvidence('blocked', 'egress', ['sg-a']), sgEvidence('allowed', 'ingress', ['sg-b'])]), allowedCell(VXLAN, b, a), allowedCell(VXLAN, b, b)];
    const evaluation = evaluationOf([VXLAN], [a, b], cells);
    const rs = buildReport(snapshotFor({ evaluation, subnets: [SUBNET_A, SUBNET_B] }), evaluation, { maxPairs: 5 }).remediations;
    expect(summarize(rs)).toEqual([{ id: 'R1', target: 'sg-a', direction: 'egress', cidr: '172.16.20.0/24', pairs: 2, findings: ['F1'] }]);
    expect(rs[0]!.commands.cli).toBe(
      `aws ec2 authorize-security-group-egress --group-id sg-a --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,IpRanges=[{CidrIp=172.16.20.0/24,Description="sgaudit: flannel vxlan"}]'`,
    );
    expect(rs[0]!.alternative?.groupId).toBe('sg-b');
  });

  it('OpenStack groups get openstack commands and a Neutron API call', () => {
    const group = '3d4c6a1e-0000-4000-8000-00000000000b';
    const os = (name: string, ip: string): BoundNode => boundNode(name, ip, [group], { provider: 'openstack', subnetId: 'os-subnet' });
    const all = nodeClass(1, [os('n1', '10.0.0.11'), os('n2', '10.0.0.12')]);
    const evaluation = evaluationOf([VXLAN], [all], [cellOf(VXLAN, all, all, 'blocked', [sgEvidence('blocked', 'ingress', [group])])]);
    const snapshot = snapshotFor({ evaluation, groups: [securityGroup(group, 'default', { provider: 'openstack' })], subnets: [subnet('os-subnet', '10.0.0.0/24', 4, 'openstack')] });
    const [r] = buildReport(snapshot, evaluation, { maxPairs: 5 }).remediations;
    expect(r?.provider).toBe('openstack');
    expect(r?.commands.cli).toBe(`openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472 --remote-ip 10.0.0.0/24 --description 'sgaudit: flannel vxlan' ${group}`);
    expect(r?.commands.api.path).toBe('/v2.0/security-group-rules');
    expect(r?.alternative?.commands.cli).toBe(`openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472 --remote-group ${group} --description 'sgaudit: flannel vxlan' ${group}`);
  });

  it('pod-CIDR flows name the flannel Network and never offer a group reference', () => {
    const pods = flowRequirement({ id: 'flannel-host-gw', backend: 'host-gw', protocol: { name: 'any' }, fromPort: undefined, toPort: undefined, source: 'pod-cidr', destination: 'pod-cidr' });
    const all = nodeClass(1, [
      boundNode('n1', '172.16.10.11', ['sg-nodes'], { podCidrs: ['10.244.1.0/24'] }),
      boundNode('n2', '172.16.10.12', ['sg-nodes'], { podCidrs: ['10.244.2.0/24'] }),
    ]);
    const evaluation = evaluationOf([pods], [all], [cellOf(pods, all, all, 'blocked', [sgEvidence('blocked', 'ingress', ['sg-nodes'])])]);
    const [r, more] = buildReport(snapshotFor({ evaluation, subnets: [SUBNET_A] }), evaluation, { maxPairs: 5 }).remediations;
    expect(more).toBeUndefined();
    expect(r).toMatchObject({ cidr: '10.244.0.0/16', protocol: 'any', pairCount: 2 });
    expect(r?.alternative).toBeUndefined();
    expect(r?.commands.cli).toBe(`aws ec2 authorize-security-group-ingress --group-id sg-nodes --ip-permissions 'IpProtocol=-1,IpRanges=[{CidrIp=10.244.0.0/16,Description="sgaudit: flannel host gw"}]'`);
  });

  it('never proposes 0.0.0.0/0: a whole-space subnet falls back to host routes', () => {
    const all = nodeClass(1, [boundNode('n1', '10.1.0.5', ['sg']), boundNode('n2', '10.2.0.5', ['sg'])]);
    const evaluation = evaluationOf([VXLAN], [all], [cellOf(VXLAN, all, all, 'blocked', [sgEvidence('blocked', 'ingress', ['sg'])])]);
    const rs = buildReport(snapshotFor({ evaluation, subnets: [subnet('weird', '0.0.0.0/0')] }), evaluation, { maxPairs: 5 }).remediations;
    expect(rs.map((r) => r.cidr)).toEqual(['10.1.0.5/32', '10.2.0.5/32']);
    expect(rs.some((r) => r.cidr === '0.0.0.0/0')).toBe(false);
  });

  it('unknown findings get no remediation', () => {
    const all = nodeClass(1, [boundNode('n1', '10.1.0.5', ['sg']), boundNode('n2', '10.2.0.5', ['sg'])]);
    const evaluation = evaluationOf([VXLAN], [all], [cellOf(VXLAN, all, all, 'unknown', [sgEvidence('unknown', 'ingress', ['sg'], { reason: 'sg could not be read' })])]);
    const report = buildReport(snapshotFor({ evaluation }), evaluation, { maxPairs: 5 });
    expect(report.findings).toHaveLength(1);
    expect(report.remediations).toEqual([]);
  });
});

describe('network ACL entries', () => {
  it('allow entry in the denying ACL, numbered below the deny, from the remote subnet', () => {
    const { snapshot, evaluation } = naclDeniesIntoB();
    const rs = buildReport(snapshot, evaluation, { maxPairs: 5 }).remediations;
    // #50 denies; #40 is taken, so the largest free multiple of 10 below 50 is 30.
    expect(rs.map((r) => ({ target: r.target, direction: r.direction, cidr: r.cidr, ruleNumber: r.ruleNumber, pairs: r.pairCount }))).toEqual([
      { target: { kind: 'network-acl', id: 'acl-b' }, direction: 'ingress', cidr: '172.16.10.0/24', ruleNumber: 30, pairs: 6 },
    ]);
    expect(rs[0]!.commands.cli).toBe(
      'aws ec2 create-network-acl-entry --network-acl-id acl-b --ingress --rule-number 30 --protocol 17 --port-range From=8472,To=8472 --cidr-block 172.16.10.0/24 --rule-action allow',
    );
    expect(rs[0]!.notes).toEqual([]);
  });

  it('implicit deny-all: rule 100, and a note for the VPC default ACL', () => {
    const { snapshot, evaluation } = naclDeniesIntoB({ implicit: true, isDefault: true });
    const rs = buildReport(snapshot, evaluation, { maxPairs: 5 }).remediations;
    expect(rs.map((r) => r.ruleNumber)).toEqual([100]);
    expect(rs[0]!.notes).toEqual(["acl-b is the VPC's default network ACL: the entry applies to every subnet associated with it."]);
  });

  it('tcp flows get a note about stateless replies', () => {
    const { snapshot, evaluation } = naclDeniesIntoB();
    const tcp = flowRequirement({ protocol: { name: 'tcp', number: 6 }, fromPort: 179, toPort: 179 });
    evaluation.requirements = [tcp];
    const rs = buildReport(snapshot, evaluation, { maxPairs: 5 }).remediations;
    expect(rs[0]!.notes.some((n) => n.includes('stateless'))).toBe(true);
    expect(rs[0]!.commands.cli).toContain('--protocol 6 --port-range From=179,To=179');
  });
});

describe('IP-in-IP on Neutron, end to end from the evaluator', () => {
  const IPIP = b.flowRequirement({ id: 'calico-ipip', protocol: { name: 'ipip', number: 4 } });
  const cluster = (ingress: b.RuleDraft[]) =>
    b.snapshot({
      nodes: [b.node('n1', '10.0.1.11'), b.node('n2', '10.0.1.12')],
      interfaces: [b.port('port-1', '10.0.1.11', { groups: ['sg-k8s'] }), b.port('port-2', '10.0.1.12', { groups: ['sg-k8s'] })],
      groups: [b.neutronSg('sg-k8s', [b.egressAll(), ...ingress])],
      subnets: [{ ...b.subnet('subnet-os-a', '10.0.1.0/24', 'openstack'), networkId: 'net-1' }],
    });
  const reportOf = (s: ReturnType<typeof cluster>) => buildReport(s, evaluate(s, [IPIP]), { maxPairs: 5 });

  it('a blocked pair gets the rule with --protocol 4 in every form', () => {
    const report = reportOf(cluster([]));
    const r = report.remediations[0]!;
    expect(r).toMatchObject({ provider: 'openstack', protocolNumber: 4, requirement: 'calico-ipip', cidr: '10.0.1.0/24' });
    expect(r.commands.cli).toBe(`openstack security group rule create --ingress --ethertype IPv4 --protocol 4 --remote-ip 10.0.1.0/24 --description 'sgaudit: calico ipip' sg-k8s`);
    expect(r.commands.terraform).toContain('  protocol          = "4"\n');
    expect(r.commands.api.body).toMatchObject({ security_group_rule: { protocol: '4' } });
  });

  it('a rule stored as `ipip` leaves the pairs unknown: no rule is proposed, the finding names the numbered fix', () => {
    const named: b.RuleDraft = { ...b.ingress(4, 'all', b.sgRef('sg-k8s'), { id: 'rule-ipip', family: 4 }), protocolByDriver: { name: 'ipip', ovsFirewall: 4, iptablesFirewall: 94 } };
    const report = reportOf(cluster([named]));
    expect(report.remediations).toEqual([]);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ verdict: 'unknown', pairCount: 2 });
    expect(JSON.stringify(report.findings[0])).toContain('delete rule-ipip first (Neutron refuses the numbered rule as a duplicate of it), then `openstack security group rule create --ingress --ethertype IPv4 --protocol 4 --remote-group sg-k8s sg-k8s`');
  });
});
