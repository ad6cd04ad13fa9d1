import type { IpFamily } from './cloud.js';
import type { NodeRole } from './cluster.js';
import type { CniName } from './cni.js';

/** Which address of a node a flow uses on one of its ends. */
export type FlowEndpoint =
  /** The flannel public-ip (VTEP) address, IPv4. */
  | 'node-vtep'
  /** The flannel public-ipv6 address. */
  | 'node-vtep-v6'
  /** Any address of the node's pod CIDR (unencapsulated host-gw / DirectRouting traffic). */
  | 'pod-cidr';

export interface ProtocolSpec {
  /** Lower-case name used in reports and commands: `udp`, `esp`, `ipip`, `any`. */
  name: string;
  /** IANA protocol number; undefined for `any`. */
  number?: number;
}

interface RequirementBase {
  /** Stable id, e.g. `flannel-vxlan`. Unique across the catalog. */
  id: string;
  /** The CNI the requirement belongs to; `kubernetes` for the optional control-plane ports. */
  cni: CniName | 'kubernetes';
  backend: string;
  title: string;
  description: string;
  docUrl: string;
}

/**
 * A packet flow that must be allowed from every node to every other node,
 * by egress at the source and ingress at the destination (and NACLs on AWS).
 */
export interface FlowRequirement extends RequirementBase {
  kind: 'flow';
  protocol: ProtocolSpec;
  /** Destination port range; undefined for protocols without ports (ESP, IPIP, ICMP, any). */
  fromPort?: number;
  toPort?: number;
  /**
   * ICMP flows only: the one message the flow sends (echo request: type 8, ICMPv6 128, code 0).
   * A rule for another type or code does not carry it. Undefined on an ICMP flow means every type.
   */
  icmp?: IcmpMessage;
  family: IpFamily;
  source: FlowEndpoint;
  destination: FlowEndpoint;
  /**
   * Which pairs the flow exists for. vxlan DirectRouting routes same-subnet peers
   * unencapsulated and still uses VXLAN across subnets. Default `all-pairs`.
   */
  pairScope?: PairScope;
  /** The flow exists only from nodes with this role (e.g. kubelet 10250 from control-plane nodes). */
  sourceRole?: NodeRole;
  /** The flow exists only to nodes with this role (e.g. API server 6443 to control-plane nodes). */
  destinationRole?: NodeRole;
}

/** One ICMP message kind, as RFC 792 / RFC 4443 number them. */
export interface IcmpMessage {
  type: number;
  code: number;
}

export type PairScope = 'all-pairs' | 'same-subnet-pairs' | 'cross-subnet-pairs';

/** host-gw / DirectRouting: nodes must share one L2 segment (subnet) to route pod traffic directly. */
export interface L2AdjacencyRequirement extends RequirementBase {
  kind: 'l2-adjacency';
}

/**
 * The cloud must let a node send and receive packets whose addresses are not its own
 * (pod IPs): AWS SourceDestCheck off, or Neutron allowed-address-pairs covering the pod CIDR.
 */
export interface ForeignAddressRequirement extends RequirementBase {
  kind: 'foreign-address-forwarding';
}

export type Requirement = FlowRequirement | L2AdjacencyRequirement | ForeignAddressRequirement;
