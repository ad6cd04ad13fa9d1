/**
 * Hand-built snapshots and evaluations for report and remediation tests. They stand in
 * for the evaluator's output, so the tests pin how reports read an Evaluation, not how
 * one is computed.
 */
import type { BoundNode, CellResult, Evaluation, NodeClass } from '../../evaluate/types.js';
import type { Evidence, RuleCitation, Verdict } from '../../model/evidence.js';
import type { ClusterNode, FlannelConfig } from '../../model/cluster.js';
import type { CloudProvider, IpFamily, NetworkAcl, NetworkAclEntry, NetworkInterface, SecurityGroup, Subnet } from '../../model/cloud.js';
import { emptyCloud } from '../../model/cloud.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { SourceRef, Warning } from '../../model/source.js';
import type { FlowRequirement, Requirement } from '../../model/requirement.js';

export const at = (pointer: string, document = 'fixture.json'): SourceRef => ({ document, pointer });

export function flowRequirement(overrides: Partial<FlowRequirement> = {}): FlowRequirement {
  return {
    id: 'flannel-vxlan',
    cni: 'flannel',
    backend: 'vxlan',
    kind: 'flow',
    title: 'VXLAN UDP 8472 between nodes',
    description: 'flannel vxlan sends encapsulated pod traffic to each peer on UDP 8472.',
    docUrl: 'https://github.com/flannel-io/flannel/blob/master/Documentation/backends.md#vxlan',
    protocol: { name: 'udp', number: 17 },
    fromPort: 8472,
    toPort: 8472,
    family: 4,
    source: 'node-vtep',
    destination: 'node-vtep',
    ...overrides,
  };
}

export const VXLAN = flowRequirement();

export function clusterNode(name: string, vtepIp?: string, podCidrs: string[] = []): ClusterNode {
  return {
    name,
    os: 'linux',
    ...(vtepIp ? { vtepIp } : {}),
    vtepSource: vtepIp ? 'public-ip-annotation' : 'none',
    podCidrs,
    source: at(`/items/${name}`, 'nodes.json'),
  };
}

export interface InterfaceOptions {
  provider?: CloudProvider;
  subnetId?: string;
  instanceId?: string;
  sourceDestCheck?: boolean;
  allowedAddressPairs?: string[];
}

export function networkInterface(id: string, ip: string, groups: string[], o: InterfaceOptions = {}): NetworkInterface {
  return {
    provider: o.provider ?? 'aws',
    id,
    ...(o.instanceId ? { instanceId: o.instanceId } : {}),
    addresses: [{ ip, ...(o.subnetId ? { subnetId: o.subnetId } : {}) }],
    allowedAddressPairs: o.allowedAddressPairs ?? [],
    securityGroupIds: groups,
    portSecurity: 'enabled',
    ...(o.sourceDestCheck !== undefined ? { sourceDestCheck: o.sourceDestCheck } : {}),
    source: at(`/NetworkInterfaces/${id}`, 'interfaces.json'),
  };
}

/** A node bound to an interface carrying its VTEP address. */
export function boundNode(name: string, ip: string, groups: string[], o: InterfaceOptions & { podCidrs?: string[]; ifaceId?: string } = {}): BoundNode {
  const iface = networkInterface(o.ifaceId ?? `eni-${name}`, ip, groups, o);
  return {
    node: clusterNode(name, ip, o.podCidrs ?? []),
    binding: { kind: 'bound', iface, ip, ...(o.subnetId ? { subnetId: o.subnetId } : {}) },
  };
}

export function unboundNode(name: string, reason: string, vtepIp?: string): BoundNode {
  return { node: clusterNode(name, vtepIp), binding: { kind: 'unbound', reason } };
}

export function nodeClass(id: number, members: BoundNode[]): NodeClass {
  return { id, members, signature: `class ${id}` };
}

export function securityGroup(id: string, name?: string, o: { provider?: CloudProvider; vpcId?: string; stateful?: boolean } = {}): SecurityGroup {
  return {
    provider: o.provider ?? 'aws',
    id,
    ...(name ? { name } : {}),
    stateful: o.stateful ?? true,
    ...(o.vpcId ? { vpcId: o.vpcId } : {}),
    rules: [],
    source: at(`/SecurityGroups/${id}`, 'sgs.json'),
  };
}

export function subnet(id: string, cidr: string, family: IpFamily = 4, provider: CloudProvider = 'aws'): Subnet {
  return { provider, id, cidr, family, source: at(`/Subnets/${id}`, 'subnets.json') };
}

export function aclEntry(ruleNumber: number, direction: 'ingress' | 'egress', action: 'allow' | 'deny', cidr = '0.0.0.0/0'): NetworkAclEntry {
  return {
    ruleNumber,
    direction,
    action,
    protocol: { kind: 'any' },
    ports: { kind: 'all' },
    cidr,
    source: at(`/NetworkAcls/0/Entries/${direction}-${ruleNumber}`, 'acls.json'),
  };
}

export function networkAcl(id: string, entries: NetworkAclEntry[], o: { isDefault?: boolean; subnetIds?: string[] } = {}): NetworkAcl {
  return { provider: 'aws', id, isDefault: o.isDefault ?? false, subnetIds: o.subnetIds ?? [], entries, source: at(`/NetworkAcls/${id}`, 'acls.json') };
}

export const FLANNEL: FlannelConfig = {
  network: '10.244.0.0/16',
  enableIPv4: true,
  enableIPv6: false,
  backend: { type: 'vxlan', port: undefined, vni: 1, directRouting: false, gbp: false },
  origin: { kind: 'configmap', namespace: 'kube-flannel', name: 'kube-flannel-cfg', source: at('', 'flannel.json') },
};

export interface SnapshotParts {
  evaluation?: Evaluation;
  groups?: SecurityGroup[];
  acls?: NetworkAcl[];
  subnets?: Subnet[];
  flannel?: FlannelConfig;
  warnings?: Warning[];
}

/** A snapshot whose nodes and interfaces are those of the evaluation's bound nodes. */
export function snapshotFor(parts: SnapshotParts): Snapshot {
  const nodes = parts.evaluation?.nodes ?? [];
  const cloud = emptyCloud();
  cloud.interfaces = nodes.flatMap((n) => (n.binding.kind === 'bound' ? [n.binding.iface] : []));
  cloud.securityGroups = parts.groups ?? [];
  cloud.networkAcls = parts.acls ?? [];
  cloud.subnets = parts.subnets ?? [];
  const flannel = parts.flannel ?? FLANNEL;
  return {
    cluster: { nodes: nodes.map((n) => n.node), flannel, cni: { name: 'flannel', flannel }, detection: { how: 'given', evidence: [], conflicts: [] } },
    cloud,
    warnings: parts.warnings ?? [],
  };
}

export function evaluationOf(requirements: Requirement[], classes: NodeClass[], cells: CellResult[], extraNodes: BoundNode[] = []): Evaluation {
  return { requirements, nodes: [...classes.flatMap((c) => c.members), ...extraNodes], classes, cells };
}

export function citation(ruleId: string, containerId: string, text: string, source = at(`/rules/${ruleId}`)): RuleCitation {
  return { ruleId, containerId, text, source };
}

export function sgEvidence(
  decision: Verdict,
  direction: 'ingress' | 'egress',
  groupIds: string[],
  o: { reason?: string; nearest?: { rule: RuleCitation; mismatch: string }[] } = {},
): Evidence {
  const check = direction === 'ingress' ? 'destination-ingress' : 'source-egress';
  const label = direction === 'ingress' ? 'from the source VTEP address' : 'to the destination VTEP address';
  return {
    layer: 'security-group',
    check,
    decision,
    objectIds: [...groupIds].sort(),
    reason: o.reason ?? `${decision === 'allowed' ? 'a' : 'no'} ${direction} rule in ${groupIds.join(', ')} allows udp 8472 ${label}`,
    ...(o.nearest ? { nearest: o.nearest } : {}),
  };
}

export function aclEvidence(decision: Verdict, direction: 'ingress' | 'egress', aclId: string, decidingRule?: RuleCitation, reason?: string): Evidence {
  return {
    layer: 'network-acl',
    check: direction === 'ingress' ? 'destination-subnet-inbound' : 'source-subnet-outbound',
    decision,
    objectIds: [aclId],
    ...(decidingRule ? { decidingRule } : {}),
    reason: reason ?? `${aclId} ${direction} decides udp 8472`,
  };
}

/** A cell whose layer and direction come from its first evidence carrying the verdict. */
export function cellOf(requirement: Requirement, source: NodeClass, destination: NodeClass, verdict: Verdict, evidence: Evidence[]): CellResult {
  const deciding = evidence.find((e) => e.decision === verdict) ?? evidence[evidence.length - 1];
  const direction =
    deciding?.check === 'destination-ingress' || deciding?.check === 'destination-subnet-inbound'
      ? 'ingress'
      : deciding?.check === 'source-egress' || deciding?.check === 'source-subnet-outbound'
        ? 'egress'
        : undefined;
  const s = source.members.length;
  return {
    sourceClass: source.id,
    destinationClass: destination.id,
    requirementId: requirement.id,
    verdict,
    layer: deciding?.layer ?? 'security-group',
    ...(verdict !== 'allowed' && direction ? { direction } : {}),
    evidence,
    pairCount: source.id === destination.id ? s * (s - 1) : s * destination.members.length,
  };
}

/** Both security-group checks allowed. */
export function allowedCell(requirement: Requirement, source: NodeClass, destination: NodeClass): CellResult {
  return cellOf(requirement, source, destination, 'allowed', [sgEvidence('allowed', 'egress', ['sg']), sgEvidence('allowed', 'ingress', ['sg'])]);
}
