import type { SourceRef } from './source.js';

export type CloudProvider = 'aws' | 'openstack';
export type IpFamily = 4 | 6;
export type Direction = 'ingress' | 'egress';

/**
 * IP protocol a rule matches. Providers normalize names and numbers
 * (`udp`, `"17"`, 17) to numbers; `any` covers AWS `-1` and Neutron `null`/`any`/`0`.
 */
export type ProtocolMatch = { kind: 'any' } | { kind: 'number'; number: number };

/**
 * What a rule matches beyond its protocol. Providers decide this at translation time:
 * destination ports for tcp/udp (and Neutron's other ported protocols), the ICMP type and code
 * for icmp/icmpv6, and `all` for protocols without either (and for ICMP rules of every type).
 */
export type PortMatch = { kind: 'all' } | { kind: 'range'; from: number; to: number } | IcmpMatch;

/**
 * The ICMP (or ICMPv6) messages a rule matches. The clouds store them in their port fields:
 * AWS security groups in FromPort (type) / ToPort (code), AWS NACL entries in IcmpTypeCode,
 * Neutron in port_range_min (type) / port_range_max (code); AWS -1 and Neutron null become `any`.
 * A rule of every type has `code: 'any'`: neither cloud accepts a code without a type.
 */
export interface IcmpMatch {
  kind: 'icmp';
  type: number | 'any';
  code: number | 'any';
}

/** What a rule's remote side is. One model rule per native rule, nothing pre-filtered. */
export type Peer =
  | { kind: 'cidr'; cidr: string }
  /** Neutron rule with no remote: every address of the rule's ethertype. */
  | { kind: 'any-address'; family: IpFamily }
  | {
      kind: 'security-group';
      groupId: string;
      ownerId?: string;
      vpcId?: string;
      peeringStatus?: string;
      /** AWS: the peering connection a cross-VPC group reference goes through. */
      vpcPeeringConnectionId?: string;
    }
  | { kind: 'prefix-list'; prefixListId: string }
  | { kind: 'address-group'; addressGroupId: string };

export interface SecurityGroupRule {
  /** `sgr-…`, Neutron rule uuid, or a synthesized `sg-…/ingress/3` for inline AWS permissions. */
  id: string;
  groupId: string;
  direction: Direction;
  /** Address family the rule is restricted to (Neutron ethertype); undefined when the peer decides it. */
  family?: IpFamily;
  protocol: ProtocolMatch;
  ports: PortMatch;
  peer: Peer;
  description?: string;
  /**
   * Set when the rule names its protocol by a name that the cloud's own data-plane drivers
   * resolve to different numbers, and the API does not say which driver runs. `protocol` is
   * the API's reading. Neutron's `ipip`: the API and the OVS firewall driver apply 4
   * (neutron-lib `IP_PROTOCOL_MAP`), the iptables(-hybrid) driver passes the name to
   * `iptables -p ipip`, which /etc/protocols resolves to 94. Absent for numbers and for names
   * every driver reads alike, so such a rule is decided on `protocol` alone.
   */
  protocolByDriver?: DriverDependentProtocol;
  source: SourceRef;
}

/** A protocol name and what each firewall driver makes of it (see SecurityGroupRule.protocolByDriver). */
export interface DriverDependentProtocol {
  /** As the rule stores it, e.g. `ipip`. */
  name: string;
  /** The protocol number under Neutron's OVS firewall driver (and the API). */
  ovsFirewall: number;
  /** The protocol number under the iptables and iptables_hybrid drivers. */
  iptablesFirewall: number;
}

export interface SecurityGroup {
  provider: CloudProvider;
  id: string;
  name?: string;
  /** AWS groups are always stateful; Neutron groups can be `stateful: false`. */
  stateful: boolean;
  vpcId?: string;
  projectId?: string;
  rules: SecurityGroupRule[];
  source: SourceRef;
}

export interface InterfaceAddress {
  ip: string;
  subnetId?: string;
}

/** An AWS ENI or a Neutron port: the object security groups attach to. */
export interface NetworkInterface {
  provider: CloudProvider;
  id: string;
  /** EC2 instance id or Neutron `device_id`. */
  instanceId?: string;
  /** VPC id or Neutron network id. */
  networkId?: string;
  /** Neutron `binding:host_id` (the compute host the port is bound to); undefined for AWS. */
  hostId?: string;
  addresses: InterfaceAddress[];
  /** Neutron allowed-address-pairs / AWS secondary prefixes: extra source addresses the interface may use. */
  allowedAddressPairs: string[];
  securityGroupIds: string[];
  /** `disabled` = Neutron `port_security_enabled: false`: no filtering and no anti-spoofing. */
  portSecurity: 'enabled' | 'disabled';
  /** AWS only; undefined when the export did not carry it. */
  sourceDestCheck?: boolean;
  source: SourceRef;
}

export interface NetworkAclEntry {
  ruleNumber: number;
  direction: Direction;
  action: 'allow' | 'deny';
  protocol: ProtocolMatch;
  ports: PortMatch;
  cidr: string;
  source: SourceRef;
}

/** AWS network ACL: stateless, one per subnet, first match by lowest rule number. */
export interface NetworkAcl {
  provider: 'aws';
  id: string;
  vpcId?: string;
  isDefault: boolean;
  subnetIds: string[];
  entries: NetworkAclEntry[];
  source: SourceRef;
}

export interface Subnet {
  provider: CloudProvider;
  id: string;
  cidr: string;
  family: IpFamily;
  networkId?: string;
  source: SourceRef;
}

export interface PrefixList {
  id: string;
  /** AWS `PrefixListName` when a describe-managed-prefix-lists export gave it. */
  name?: string;
  cidrs: string[];
  source: SourceRef;
}

export interface AddressGroup {
  id: string;
  cidrs: string[];
  source: SourceRef;
}

/** Kinds of cloud object the evaluator looks up by id. */
export type CloudObjectKind =
  | 'network-interface'
  | 'security-group'
  | 'network-acl'
  | 'subnet'
  | 'prefix-list'
  | 'address-group';

/**
 * A failed or partial collection. The evaluator turns any verdict that needs
 * one of these objects into `unknown` citing this reason; it is never read as "allowed".
 */
export interface Unavailable {
  kind: CloudObjectKind;
  /** The object id when known; absent means "all objects of this kind" (the whole call failed). */
  id?: string;
  /** For interface look-ups by address. */
  ip?: string;
  /** For interface look-ups by instance (EC2 instance id / Neutron `device_id` = Nova server id). */
  instanceId?: string;
  /** For NACL look-ups by associated subnet (`kind: 'network-acl'`, no `id`): the subnet whose NACL is unknown. */
  subnetId?: string;
  reason: string;
}

export interface Cloud {
  interfaces: NetworkInterface[];
  securityGroups: SecurityGroup[];
  networkAcls: NetworkAcl[];
  subnets: Subnet[];
  prefixLists: PrefixList[];
  addressGroups: AddressGroup[];
  unavailable: Unavailable[];
  /**
   * Which kinds of document the inputs held at all. Lets the evaluator tell
   * "this subnet has no NACL" from "no NACL export was given".
   */
  providedKinds: CloudObjectKind[];
}

export function emptyCloud(): Cloud {
  return {
    interfaces: [],
    securityGroups: [],
    networkAcls: [],
    subnets: [],
    prefixLists: [],
    addressGroups: [],
    unavailable: [],
    providedKinds: [],
  };
}
