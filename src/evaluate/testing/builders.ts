/**
 * Small builders for hand-made snapshots, shared by evaluator, report and remediation tests.
 * Defaults describe a plain AWS VXLAN cluster; override only what a test is about.
 */
import type { FlowEndpoint, FlowRequirement, ForeignAddressRequirement, L2AdjacencyRequirement, PairScope } from '../../model/requirement.js';
import type {
  AddressGroup,
  Cloud,
  CloudObjectKind,
  CloudProvider,
  Direction,
  IpFamily,
  NetworkAcl,
  NetworkAclEntry,
  NetworkInterface,
  Peer,
  PortMatch,
  PrefixList,
  ProtocolMatch,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Unavailable,
} from '../../model/cloud.js';
import type { ClusterNode, FlannelConfig, NodeRole } from '../../model/cluster.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { SourceRef } from '../../model/source.js';

export function ref(pointer = ''): SourceRef {
  return { document: 'test', pointer };
}

export interface NodeOptions extends Partial<Omit<ClusterNode, 'name'>> {
  /** Shorthand for podCidrs: [pod]. */
  pod?: string;
}

/** A Linux node with VTEP `vtep`; `providerId` is unset unless given. */
export function node(name: string, vtep: string | undefined, opts: NodeOptions = {}): ClusterNode {
  const { pod, ...rest } = opts;
  return {
    name,
    os: 'linux',
    ...(vtep !== undefined ? { vtepIp: vtep } : {}),
    vtepSource: vtep !== undefined ? 'public-ip-annotation' : 'none',
    podCidrs: pod !== undefined ? [pod] : [],
    source: ref(`/items/${name}`),
    ...rest,
  };
}

export interface InterfaceOptions extends Partial<Omit<NetworkInterface, 'id' | 'addresses'>> {
  subnet?: string;
  /** Extra addresses (e.g. an IPv6 VTEP), in the same subnet. */
  extra?: string[];
  groups?: string[];
}

function iface(provider: CloudProvider, id: string, ip: string, opts: InterfaceOptions): NetworkInterface {
  const { subnet, extra, groups, ...rest } = opts;
  const subnetId = subnet ?? (provider === 'aws' ? 'subnet-a' : 'subnet-os-a');
  return {
    provider,
    id,
    addresses: [ip, ...(extra ?? [])].map((a) => ({ ip: a, subnetId })),
    allowedAddressPairs: [],
    securityGroupIds: groups ?? ['sg-nodes'],
    portSecurity: 'enabled',
    ...(provider === 'aws' ? { networkId: 'vpc-1', sourceDestCheck: true } : { networkId: 'net-1' }),
    source: ref(`/interfaces/${id}`),
    ...rest,
  };
}

export function eni(id: string, ip: string, opts: InterfaceOptions = {}): NetworkInterface {
  return iface('aws', id, ip, opts);
}

export function port(id: string, ip: string, opts: InterfaceOptions = {}): NetworkInterface {
  return iface('openstack', id, ip, opts);
}

export type ProtocolArg = 'any' | 'udp' | 'tcp' | 'icmp' | 'esp' | number;
export type PortsArg = 'all' | number | [number, number] | PortMatch;
export type PeerArg = string | Peer;

const NUMBERS: Record<string, number> = { udp: 17, tcp: 6, icmp: 1, esp: 50 };

export function protocol(p: ProtocolArg): ProtocolMatch {
  if (p === 'any') return { kind: 'any' };
  return { kind: 'number', number: typeof p === 'number' ? p : NUMBERS[p]! };
}

export function ports(p: PortsArg): PortMatch {
  if (p === 'all') return { kind: 'all' };
  if (typeof p === 'number') return { kind: 'range', from: p, to: p };
  if (!Array.isArray(p)) return p;
  return { kind: 'range', from: p[0], to: p[1] };
}

/** ICMP type/code selection of a rule (`any` = AWS -1, Neutron null). */
export function icmp(type: number | 'any', code: number | 'any' = 'any'): PortMatch {
  return { kind: 'icmp', type, code };
}

/** A CIDR string is a cidr peer; anything else is passed through. */
export function peer(p: PeerArg): Peer {
  return typeof p === 'string' ? { kind: 'cidr', cidr: p } : p;
}

export const sgRef = (groupId: string, extra: Partial<Extract<Peer, { kind: 'security-group' }>> = {}): Peer => ({ kind: 'security-group', groupId, ...extra });
export const prefixListRef = (prefixListId: string): Peer => ({ kind: 'prefix-list', prefixListId });
export const addressGroupRef = (addressGroupId: string): Peer => ({ kind: 'address-group', addressGroupId });
export const anyAddress = (family: IpFamily): Peer => ({ kind: 'any-address', family });

export interface RuleSpec {
  id?: string;
  family?: IpFamily;
  description?: string;
}

let ruleCounter = 0;

function rule(direction: Direction, proto: ProtocolArg, p: PortsArg, from: PeerArg, spec: RuleSpec): Omit<SecurityGroupRule, 'groupId'> {
  return {
    id: spec.id ?? `sgr-${++ruleCounter}`,
    direction,
    ...(spec.family !== undefined ? { family: spec.family } : {}),
    protocol: protocol(proto),
    ports: ports(p),
    peer: peer(from),
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    source: ref(`/rules/${direction}`),
  };
}

export type RuleDraft = Omit<SecurityGroupRule, 'groupId'>;

export const ingress = (proto: ProtocolArg, p: PortsArg, from: PeerArg, spec: RuleSpec = {}): RuleDraft => rule('ingress', proto, p, from, spec);
export const egress = (proto: ProtocolArg, p: PortsArg, to: PeerArg, spec: RuleSpec = {}): RuleDraft => rule('egress', proto, p, to, spec);
/** The default AWS egress rule: all traffic to 0.0.0.0/0. */
export const egressAll = (spec: RuleSpec = {}): RuleDraft => rule('egress', 'any', 'all', '0.0.0.0/0', spec);

export function sg(id: string, rules: RuleDraft[], opts: Partial<Omit<SecurityGroup, 'id' | 'rules'>> = {}): SecurityGroup {
  return {
    provider: 'aws',
    id,
    stateful: true,
    vpcId: 'vpc-1',
    rules: rules.map((r) => ({ ...r, groupId: id })),
    source: ref(`/groups/${id}`),
    ...opts,
  };
}

/** A Neutron group (no VPC); `stateful` defaults to true. */
export function neutronSg(id: string, rules: RuleDraft[], opts: Partial<Omit<SecurityGroup, 'id' | 'rules'>> = {}): SecurityGroup {
  const { vpcId: _vpc, ...base } = sg(id, rules, { provider: 'openstack', ...opts });
  return base;
}

export function aclEntry(
  ruleNumber: number,
  direction: Direction,
  action: 'allow' | 'deny',
  proto: ProtocolArg,
  p: PortsArg,
  cidr: string,
): NetworkAclEntry {
  return { ruleNumber, direction, action, protocol: protocol(proto), ports: ports(p), cidr, source: ref(`/acl/${direction}/${ruleNumber}`) };
}

export function nacl(id: string, subnetIds: string[], entries: NetworkAclEntry[]): NetworkAcl {
  return { provider: 'aws', id, vpcId: 'vpc-1', isDefault: false, subnetIds, entries, source: ref(`/acls/${id}`) };
}

/** NACL entries that allow everything both ways (the default NACL), plus the `*` deny. */
export function allowAllEntries(): NetworkAclEntry[] {
  return [
    aclEntry(100, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0'),
    aclEntry(100, 'egress', 'allow', 'any', 'all', '0.0.0.0/0'),
    aclEntry(32767, 'ingress', 'deny', 'any', 'all', '0.0.0.0/0'),
    aclEntry(32767, 'egress', 'deny', 'any', 'all', '0.0.0.0/0'),
  ];
}

export function subnet(id: string, cidr: string, provider: CloudProvider = 'aws'): Subnet {
  return { provider, id, cidr, family: cidr.includes(':') ? 6 : 4, source: ref(`/subnets/${id}`) };
}

export function prefixList(id: string, cidrs: string[]): PrefixList {
  return { id, cidrs, source: ref(`/prefix-lists/${id}`) };
}

export function addressGroup(id: string, cidrs: string[]): AddressGroup {
  return { id, cidrs, source: ref(`/address-groups/${id}`) };
}

export interface SnapshotParts {
  nodes: ClusterNode[];
  interfaces?: NetworkInterface[];
  groups?: SecurityGroup[];
  acls?: NetworkAcl[];
  subnets?: Subnet[];
  prefixLists?: PrefixList[];
  addressGroups?: AddressGroup[];
  unavailable?: Unavailable[];
  /** Defaults to the kinds of the parts given (network-acl only when `acls` is given). */
  providedKinds?: CloudObjectKind[];
  flannel?: Partial<FlannelConfig>;
}

export function snapshot(parts: SnapshotParts): Snapshot {
  const cloud: Cloud = {
    interfaces: parts.interfaces ?? [],
    securityGroups: parts.groups ?? [],
    networkAcls: parts.acls ?? [],
    subnets: parts.subnets ?? [],
    prefixLists: parts.prefixLists ?? [],
    addressGroups: parts.addressGroups ?? [],
    unavailable: parts.unavailable ?? [],
    providedKinds: parts.providedKinds ?? defaultKinds(parts),
  };
  const flannel: FlannelConfig = {
    network: '10.244.0.0/16',
    enableIPv4: true,
    enableIPv6: false,
    backend: { type: 'vxlan', port: undefined, vni: 1, directRouting: false, gbp: false },
    origin: { kind: 'node-annotations', note: 'test' },
    ...parts.flannel,
  };
  return {
    cluster: { nodes: parts.nodes, flannel, cni: { name: 'flannel', flannel }, detection: { how: 'given', evidence: [], conflicts: [] } },
    cloud,
    warnings: [],
  };
}

function defaultKinds(parts: SnapshotParts): CloudObjectKind[] {
  const kinds: CloudObjectKind[] = ['network-interface', 'security-group'];
  if (parts.acls) kinds.push('network-acl');
  if (parts.subnets) kinds.push('subnet');
  if (parts.prefixLists) kinds.push('prefix-list');
  if (parts.addressGroups) kinds.push('address-group');
  return kinds;
}

export interface FlowOptions {
  id?: string;
  protocol?: { name: string; number?: number };
  fromPort?: number;
  toPort?: number;
  family?: IpFamily;
  source?: FlowEndpoint;
  destination?: FlowEndpoint;
  pairScope?: PairScope;
  sourceRole?: NodeRole;
  destinationRole?: NodeRole;
  icmp?: { type: number; code: number };
}

/** VXLAN UDP 8472 node-vtep -> node-vtep, IPv4, unless overridden. */
export function flowRequirement(opts: FlowOptions = {}): FlowRequirement {
  const noPorts = 'protocol' in opts && opts.fromPort === undefined;
  return {
    kind: 'flow',
    id: opts.id ?? 'flannel-vxlan',
    cni: 'flannel',
    backend: 'vxlan',
    title: 'test flow',
    description: 'test flow',
    docUrl: 'https://example.invalid/flow',
    protocol: opts.protocol ?? { name: 'udp', number: 17 },
    ...(noPorts ? {} : { fromPort: opts.fromPort ?? 8472, toPort: opts.toPort ?? opts.fromPort ?? 8472 }),
    family: opts.family ?? 4,
    source: opts.source ?? 'node-vtep',
    destination: opts.destination ?? 'node-vtep',
    ...(opts.pairScope ? { pairScope: opts.pairScope } : {}),
    ...(opts.sourceRole ? { sourceRole: opts.sourceRole } : {}),
    ...(opts.destinationRole ? { destinationRole: opts.destinationRole } : {}),
    ...(opts.icmp ? { icmp: opts.icmp } : {}),
  };
}

/** Unencapsulated pod traffic (host-gw / DirectRouting): every protocol between pod CIDRs. */
export function podTrafficRequirement(family: IpFamily = 4, pairScope: PairScope = 'all-pairs'): FlowRequirement {
  return flowRequirement({
    id: family === 4 ? 'pod-traffic' : 'pod-traffic-v6',
    protocol: { name: 'any' },
    family,
    source: 'pod-cidr',
    destination: 'pod-cidr',
    pairScope,
  });
}

export function l2Requirement(): L2AdjacencyRequirement {
  return { kind: 'l2-adjacency', id: 'l2', cni: 'flannel', backend: 'host-gw', title: 'l2', description: 'l2', docUrl: 'https://example.invalid/l2' };
}

export function forwardingRequirement(): ForeignAddressRequirement {
  return { kind: 'foreign-address-forwarding', id: 'forwarding', cni: 'flannel', backend: 'host-gw', title: 'fwd', description: 'fwd', docUrl: 'https://example.invalid/fwd' };
}
