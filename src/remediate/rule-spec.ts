import type { CloudProvider, Direction, IpFamily } from '../model/cloud.js';
import type { IcmpMessage, ProtocolSpec } from '../model/requirement.js';

/** What a new security-group rule admits on its remote side. */
export type RulePeer = { kind: 'cidr'; cidr: string } | { kind: 'security-group'; groupId: string };

/** A security-group rule to create; every command form is rendered from this one value. */
export interface SecurityGroupRuleSpec {
  kind: 'security-group';
  provider: CloudProvider;
  groupId: string;
  direction: Direction;
  protocol: ProtocolSpec;
  fromPort?: number;
  toPort?: number;
  /** ICMP rules: the one message type to admit (every code of it); undefined admits every type. */
  icmp?: IcmpMessage;
  family: IpFamily;
  peer: RulePeer;
  /** Requirement id; names the Terraform resource and the rule description. */
  requirementId: string;
}

/** An AWS network ACL allow entry to create. */
export interface NetworkAclEntrySpec {
  kind: 'network-acl';
  aclId: string;
  direction: Direction;
  ruleNumber: number;
  protocol: ProtocolSpec;
  fromPort?: number;
  toPort?: number;
  /** ICMP entries: the one message type to admit (every code of it); undefined admits every type. */
  icmp?: IcmpMessage;
  family: IpFamily;
  cidr: string;
  requirementId: string;
}

export type RuleSpec = SecurityGroupRuleSpec | NetworkAclEntrySpec;

/** `sgaudit: flannel vxlan`: marks rules sgaudit proposed, so operators can find them later. */
export function ruleDescription(requirementId: string): string {
  return `sgaudit: ${requirementId.replace(/-/g, ' ')}`;
}
