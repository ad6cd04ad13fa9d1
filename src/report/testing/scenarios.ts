/** Small named topologies shared by the report, remediation and renderer tests. */
import type { BoundNode, CellResult, Evaluation, NodeClass } from '../../evaluate/types.js';
import type { Snapshot } from '../../model/snapshot.js';
import {
  aclEntry,
  aclEvidence,
  allowedCell,
  boundNode,
  cellOf,
  citation,
  evaluationOf,
  networkAcl,
  nodeClass,
  securityGroup,
  sgEvidence,
  snapshotFor,
  subnet,
  VXLAN,
} from './fixtures.js';

export interface Scenario {
  snapshot: Snapshot;
  evaluation: Evaluation;
}

export const SUBNET_A = subnet('subnet-a', '172.16.10.0/24');
export const SUBNET_B = subnet('subnet-b', '172.16.20.0/24');

export const TCP_NEAREST = [
  { rule: citation('sgr-0tcp', 'sg-b', 'ingress tcp 8472 from 172.16.0.0/16'), mismatch: 'tcp 8472 is allowed, udp is not' },
];

function aNodes(groups: string[]): BoundNode[] {
  return [
    boundNode('a1', '172.16.10.11', groups, { subnetId: 'subnet-a', instanceId: 'i-a1' }),
    boundNode('a2', '172.16.10.12', groups, { subnetId: 'subnet-a', instanceId: 'i-a2' }),
  ];
}

function bNodes(groups: string[]): BoundNode[] {
  return [
    boundNode('b1', '172.16.20.11', groups, { subnetId: 'subnet-b', instanceId: 'i-b1' }),
    boundNode('b2', '172.16.20.12', groups, { subnetId: 'subnet-b', instanceId: 'i-b2' }),
    boundNode('b3', '172.16.20.13', groups, { subnetId: 'subnet-b', instanceId: 'i-b3' }),
  ];
}

const blockedIngress = (groups: string[]) =>
  [sgEvidence('allowed', 'egress', groups), sgEvidence('blocked', 'ingress', groups, { nearest: TCP_NEAREST })];

/**
 * Two subnets, two groups. sg-b (on the b nodes) lacks the udp 8472 ingress rule, so
 * everything into a b node is blocked: a->b (2x3 = 6 pairs) and b->b (3x2 = 6 pairs).
 */
export function blockedIntoB(): Scenario & { a: NodeClass; b: NodeClass } {
  const a = nodeClass(1, aNodes(['sg-a']));
  const b = nodeClass(2, bNodes(['sg-b']));
  const cells: CellResult[] = [
    allowedCell(VXLAN, a, a),
    cellOf(VXLAN, a, b, 'blocked', blockedIngress(['sg-b'])),
    allowedCell(VXLAN, b, a),
    cellOf(VXLAN, b, b, 'blocked', blockedIngress(['sg-b'])),
  ];
  const evaluation = evaluationOf([VXLAN], [a, b], cells);
  const snapshot = snapshotFor({
    evaluation,
    groups: [securityGroup('sg-a', 'k8s-a'), securityGroup('sg-b', 'k8s-b')],
    subnets: [SUBNET_A, SUBNET_B],
  });
  return { snapshot, evaluation, a, b };
}

/** Every node carries sg-nodes, which has no udp 8472 ingress rule: every pair is blocked. */
export function sharedGroupBlocked(): Scenario {
  const a = nodeClass(1, aNodes(['sg-nodes']));
  const b = nodeClass(2, bNodes(['sg-nodes']));
  const cells = [a, b].flatMap((s) => [a, b].map((d) => cellOf(VXLAN, s, d, 'blocked', blockedIngress(['sg-nodes']))));
  const evaluation = evaluationOf([VXLAN], [a, b], cells);
  const snapshot = snapshotFor({ evaluation, groups: [securityGroup('sg-nodes', 'k8s-nodes', { vpcId: 'vpc-1' })], subnets: [SUBNET_A, SUBNET_B] });
  return { snapshot, evaluation };
}

/**
 * Security groups allow everything; the network ACL of subnet-b denies udp 8472 inbound
 * with entry #50, so only a->b (crossing the subnet boundary) is blocked.
 */
export function naclDeniesIntoB(o: { implicit?: boolean; isDefault?: boolean } = {}): Scenario {
  const a = nodeClass(1, aNodes(['sg-nodes']));
  const b = nodeClass(2, bNodes(['sg-nodes']));
  const deny = aclEntry(50, 'ingress', 'deny');
  const entries = o.implicit
    ? [aclEntry(32767, 'ingress', 'deny'), aclEntry(100, 'egress', 'allow')]
    : [deny, aclEntry(40, 'ingress', 'allow', '10.0.0.0/8'), aclEntry(100, 'ingress', 'allow'), aclEntry(32767, 'ingress', 'deny')];
  const acl = networkAcl('acl-b', entries, { subnetIds: ['subnet-b'], isDefault: o.isDefault ?? false });
  const denying = o.implicit ? undefined : citation('acl-b#50/ingress', 'acl-b', 'ingress #50 deny all traffic from 0.0.0.0/0', deny.source);
  const sgOk = [sgEvidence('allowed', 'egress', ['sg-nodes']), sgEvidence('allowed', 'ingress', ['sg-nodes'])];
  const cells = [
    allowedCell(VXLAN, a, a),
    cellOf(VXLAN, a, b, 'blocked', [
      ...sgOk,
      aclEvidence('allowed', 'egress', 'acl-a'),
      aclEvidence('blocked', 'ingress', 'acl-b', denying, o.implicit ? 'no ingress entry of acl-b allows udp 8472 from the source VTEP address' : 'acl-b ingress entry #50 denies udp 8472 from the source VTEP address'),
    ]),
    allowedCell(VXLAN, b, a),
    allowedCell(VXLAN, b, b),
  ];
  const evaluation = evaluationOf([VXLAN], [a, b], cells);
  const snapshot = snapshotFor({ evaluation, groups: [securityGroup('sg-nodes')], acls: [acl], subnets: [SUBNET_A, SUBNET_B] });
  return { snapshot, evaluation };
}
