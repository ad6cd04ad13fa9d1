import { translateAwsNetworkAcl, translateAwsNetworkAclRule } from './aws-network-acls.js';
import { ownEntry } from '../../src/model/collections.js';
import {
  translateAwsSecurityGroup,
  translateAwsSecurityGroupRule,
  translateAwsVpcEgressRule,
  translateAwsVpcIngressRule,
} from './aws-security-groups.js';
import { translateOpenstackPort, translateOpenstackRule, translateOpenstackSecurityGroup } from './openstack-resources.js';
import { containsUnknown } from './planned-object.js';
import type { ResourceContext, ResourceTranslation } from './resource-context.js';

/** Resource types whose changes are translated into model edits. */
export const SUPPORTED: Readonly<Record<string, (ctx: ResourceContext) => ResourceTranslation>> = {
  aws_security_group: translateAwsSecurityGroup,
  aws_security_group_rule: translateAwsSecurityGroupRule,
  aws_vpc_security_group_ingress_rule: translateAwsVpcIngressRule,
  aws_vpc_security_group_egress_rule: translateAwsVpcEgressRule,
  aws_network_acl: translateAwsNetworkAcl,
  aws_network_acl_rule: translateAwsNetworkAclRule,
  openstack_networking_secgroup_v2: translateOpenstackSecurityGroup,
  openstack_networking_secgroup_rule_v2: translateOpenstackRule,
  openstack_networking_port_v2: translateOpenstackPort,
};

/** Resource types that change node filtering in ways sgaudit does not model. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  aws_default_security_group: 'manages the VPC default group\'s rules wholesale; not modeled',
  aws_default_network_acl: 'manages the VPC default ACL\'s entries and subnets wholesale; not modeled',
  aws_network_acl_association: 'moves a subnet to another network ACL; not modeled',
  aws_network_interface_sg_attachment: 'attaches a security group to an interface; not modeled',
  aws_vpc_security_group_vpc_association: 'associates a security group with another VPC; not modeled',
  aws_ec2_managed_prefix_list: 'changes a prefix list that rules may reference; not modeled',
  aws_ec2_managed_prefix_list_entry: 'changes a prefix list that rules may reference; not modeled',
  openstack_networking_port_secgroup_associate_v2: 'changes the security groups of a port; not modeled',
  openstack_networking_address_group_v2: 'changes an address group that rules may reference; not modeled',
  openstack_compute_secgroup_v2: 'Nova security groups are not modeled',
};

const UNSUPPORTED_PREFIXES: ReadonlyArray<[string, string]> = [
  ['openstack_fw_', 'Neutron FWaaS filters port traffic; not modeled'],
  ['aws_networkfirewall_', 'AWS Network Firewall filters traffic between subnets; not modeled'],
];

/**
 * Types that can change node traffic only through some attributes: an update that touches
 * none of them is ignored, anything else is unsupported.
 */
const TRAFFIC_ATTRIBUTES: Readonly<Record<string, string[]>> = {
  aws_instance: ['vpc_security_group_ids', 'security_groups', 'network_interface', 'private_ip', 'secondary_private_ips', 'subnet_id', 'source_dest_check', 'ipv6_addresses'],
  aws_network_interface: ['security_groups', 'private_ip', 'private_ips', 'private_ip_list', 'subnet_id', 'source_dest_check', 'attachment', 'ipv6_addresses'],
  aws_subnet: ['cidr_block', 'ipv6_cidr_block', 'vpc_id'],
  openstack_compute_instance_v2: ['security_groups', 'network'],
  openstack_networking_subnet_v2: ['cidr', 'network_id'],
};

/** flannel's configuration lives in a ConfigMap; changing it changes the requirements themselves. */
const FLANNEL_CONFIGMAPS = new Set(['kube-flannel-cfg', 'canal-config', 'rke2-canal-config']);

export type Classification =
  | { kind: 'supported'; translate: (ctx: ResourceContext) => ResourceTranslation }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'ignored'; reason: string };

function changedAttributes(before: Record<string, unknown> | null, after: Record<string, unknown> | null, afterUnknown: unknown, keys: string[]): string[] {
  const unknown = typeof afterUnknown === 'object' && afterUnknown !== null ? (afterUnknown as Record<string, unknown>) : {};
  return keys.filter((k) => containsUnknown(afterUnknown === true ? true : unknown[k]) || JSON.stringify(before?.[k] ?? null) !== JSON.stringify(after?.[k] ?? null));
}

function configMapName(obj: Record<string, unknown> | null): string | undefined {
  const metadata = obj?.['metadata'];
  const first = Array.isArray(metadata) ? metadata[0] : undefined;
  const name = typeof first === 'object' && first !== null ? (first as Record<string, unknown>)['name'] : undefined;
  return typeof name === 'string' ? name : undefined;
}

export function classifyResource(ctx: ResourceContext): Classification {
  const { type, action, before, after, afterUnknown } = ctx.change;
  const translate = ownEntry(SUPPORTED, type);
  if (translate) return { kind: 'supported', translate };
  const fixed = ownEntry(UNSUPPORTED, type) ?? UNSUPPORTED_PREFIXES.find(([p]) => type.startsWith(p))?.[1];
  if (fixed) return { kind: 'unsupported', reason: fixed };
  const keys = ownEntry(TRAFFIC_ATTRIBUTES, type);
  if (keys) {
    if (action === 'update') {
      const changed = changedAttributes(before, after, afterUnknown, keys);
      if (changed.length === 0) return { kind: 'ignored', reason: `the update changes none of ${keys.join(', ')}` };
      return { kind: 'unsupported', reason: `changes ${changed.join(', ')}, which can change node filtering or addressing; not modeled` };
    }
    if (action === 'create') return { kind: 'ignored', reason: 'a new object; no node of the node list is bound to it yet' };
    return { kind: 'unsupported', reason: `${action} of an object nodes may use; not modeled` };
  }
  if (type.startsWith('kubernetes_config_map')) {
    const name = configMapName(after) ?? configMapName(before);
    if (name && FLANNEL_CONFIGMAPS.has(name)) return { kind: 'unsupported', reason: `changes the flannel ConfigMap ${name}, which changes the requirements themselves; not modeled` };
  }
  return { kind: 'ignored', reason: 'resource type does not filter node-to-node traffic' };
}

export const SUPPORTED_TYPES = Object.keys(SUPPORTED);
