import type { Unavailable } from './cloud.js';
import type {
  AddressGroup,
  Direction,
  NetworkAcl,
  NetworkAclEntry,
  NetworkInterface,
  PrefixList,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
} from './cloud.js';
import type { Warning } from './source.js';

/**
 * One edit of the normalized cloud model, as a Terraform resource change or a proposed
 * after-state export asks for it. `address` is the Terraform resource address
 * (`aws_security_group_rule.vxlan`, `module.net.aws_network_acl.nodes[0]`) or, for
 * `--proposed`, `file#pointer` of the replacing object. Translators emit these without
 * looking at the snapshot; applyChanges matches them to snapshot objects by id.
 */
export type ModelChange =
  /** A whole group: a group created by the plan, or a proposed export replacing a group with the same id. */
  | { kind: 'upsert-security-group'; address: string; group: SecurityGroup }
  | { kind: 'delete-security-group'; address: string; groupId: string }
  | { kind: 'set-group-stateful'; address: string; groupId: string; stateful: boolean }
  /** Adds one rule to `rule.groupId`. */
  | { kind: 'upsert-sg-rule'; address: string; rule: SecurityGroupRule }
  /**
   * Removes one rule: by `ruleId` when the snapshot has it, else every rule of the group with
   * the same direction, family, protocol, ports and peer (inline AWS permissions carry synthesized ids).
   */
  | { kind: 'delete-sg-rule'; address: string; groupId: string; ruleId?: string; rule: SecurityGroupRule }
  | { kind: 'upsert-interface'; address: string; iface: NetworkInterface }
  | { kind: 'delete-interface'; address: string; interfaceId: string }
  | { kind: 'set-interface-groups'; address: string; interfaceId: string; securityGroupIds: string[] }
  | { kind: 'set-port-security'; address: string; interfaceId: string; portSecurity: 'enabled' | 'disabled' }
  | { kind: 'set-allowed-address-pairs'; address: string; interfaceId: string; allowedAddressPairs: string[] }
  /** A whole ACL (entries and subnet associations): created by the plan or proposed. */
  | { kind: 'upsert-network-acl'; address: string; acl: NetworkAcl }
  | { kind: 'delete-network-acl'; address: string; aclId: string }
  /** Sets the entry with this direction and rule number (NACL entries are keyed by both). */
  | { kind: 'upsert-nacl-entry'; address: string; aclId: string; entry: NetworkAclEntry }
  | { kind: 'delete-nacl-entry'; address: string; aclId: string; direction: Direction; ruleNumber: number }
  /** The subnets associated with the ACL after the change; subnets leave their previous ACL. */
  | { kind: 'set-nacl-subnets'; address: string; aclId: string; subnetIds: string[] }
  | { kind: 'upsert-subnet'; address: string; subnet: Subnet }
  | { kind: 'upsert-prefix-list'; address: string; prefixList: PrefixList }
  | { kind: 'upsert-address-group'; address: string; addressGroup: AddressGroup };

export type ModelChangeKind = ModelChange['kind'];

/** The Terraform action of a resource change, or `proposed` for an after-state export. */
export type ChangeAction = 'create' | 'update' | 'delete' | 'replace' | 'proposed';

/** What the plan does to one resource, with the model edits it turned into. */
export interface ResourceChangeSet {
  address: string;
  resourceType: string;
  action: ChangeAction;
  changes: ModelChange[];
}

/** A resource whose effect on node traffic depends on a value Terraform knows only after apply. */
export interface UnknownUntilApply {
  address: string;
  resourceType: string;
  action: ChangeAction;
  /** Attribute path, e.g. `security_group_id` or `ingress[1].cidr_blocks`. */
  attribute: string;
  reason: string;
}

/** A resource that cannot change node traffic (tags, buckets, random_* …). */
export interface IgnoredResource {
  address: string;
  resourceType: string;
  action: ChangeAction | 'no-op' | 'read' | 'forget';
  reason: string;
}

/** A resource that could change node traffic but that sgaudit does not model. */
export interface UnsupportedResource {
  address: string;
  resourceType: string;
  action: ChangeAction;
  reason: string;
}

/** Everything a proposal (plan or after-state exports) amounts to. */
export interface ProposalTranslation {
  resources: ResourceChangeSet[];
  ignored: IgnoredResource[];
  unknownUntilApply: UnknownUntilApply[];
  unsupported: UnsupportedResource[];
  warnings: Warning[];
}

/** Where a proposal came from, as the what-if report names it. */
export type ProposalSource =
  | { kind: 'terraform-plan'; document: string; formatVersion: string; terraformVersion?: string; unchangedResources: number }
  | { kind: 'proposed-exports'; documents: string[] };

/** A proposal ready for what-if: its model edits, where they came from, and the collection gaps it carries. */
export interface Proposal {
  translation: ProposalTranslation;
  source: ProposalSource;
  unavailable: Unavailable[];
}
