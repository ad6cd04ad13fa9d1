import type { NetworkAclEntrySpec, SecurityGroupRuleSpec } from '../rule-spec.js';
import { ruleDescription } from '../rule-spec.js';
import { portRange } from '../../model/protocol.js';
import { aclNeedsPortRange, awsAclIcmp, awsAclProtocol, awsPermissionProtocol } from './aws-protocol.js';
import { ethertype, neutronIcmpType, neutronPorts, neutronProtocol } from './neutron-protocol.js';

type HclValue = string | number | boolean;

/** A Terraform resource block, laid out the way `terraform fmt` aligns it. */
function resource(type: string, name: string, attributes: [string, HclValue | undefined][]): string {
  const present = attributes.filter((a): a is [string, HclValue] => a[1] !== undefined);
  const width = Math.max(...present.map(([k]) => k.length));
  const lines = present.map(([k, v]) => `  ${k.padEnd(width)} = ${hclLiteral(v)}`);
  return `resource "${type}" "${name}" {\n${lines.join('\n')}\n}\n`;
}

function hclLiteral(v: HclValue): string {
  if (typeof v !== 'string') return String(v);
  // JSON string escapes are valid HCL; only template sequences need doubling.
  return JSON.stringify(v).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

/** Deterministic resource name: `sgaudit_flannel_vxlan_sg_0a1b_172_16_10_0_24`. */
export function terraformName(...parts: string[]): string {
  return ['sgaudit', ...parts].map((p) => p.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')).join('_');
}

function peerName(spec: SecurityGroupRuleSpec): string {
  return spec.peer.kind === 'cidr' ? spec.peer.cidr : spec.peer.groupId;
}

function ruleName(spec: SecurityGroupRuleSpec): string {
  const parts = [spec.requirementId, spec.groupId];
  if (spec.direction === 'egress') parts.push('egress');
  return terraformName(...parts, peerName(spec));
}

/** `aws_vpc_security_group_{ingress,egress}_rule` or `openstack_networking_secgroup_rule_v2`. */
export function terraformSecurityGroupRule(spec: SecurityGroupRuleSpec): string {
  return spec.provider === 'aws' ? awsRule(spec) : openstackRule(spec);
}

function awsRule(spec: SecurityGroupRuleSpec): string {
  const proto = awsPermissionProtocol(spec.protocol, spec.fromPort, spec.toPort, spec.icmp);
  const peer = spec.peer;
  return resource(`aws_vpc_security_group_${spec.direction}_rule`, ruleName(spec), [
    ['security_group_id', spec.groupId],
    ['description', ruleDescription(spec.requirementId)],
    ['ip_protocol', proto.ipProtocol],
    ['from_port', proto.ports?.from],
    ['to_port', proto.ports?.to],
    ['cidr_ipv4', peer.kind === 'cidr' && spec.family === 4 ? peer.cidr : undefined],
    ['cidr_ipv6', peer.kind === 'cidr' && spec.family === 6 ? peer.cidr : undefined],
    ['referenced_security_group_id', peer.kind === 'security-group' ? peer.groupId : undefined],
  ]);
}

function openstackRule(spec: SecurityGroupRuleSpec): string {
  const ports = neutronPorts(spec.protocol, spec.fromPort, spec.toPort);
  const peer = spec.peer;
  return resource('openstack_networking_secgroup_rule_v2', ruleName(spec), [
    ['security_group_id', spec.groupId],
    ['description', ruleDescription(spec.requirementId)],
    ['direction', spec.direction],
    ['ethertype', ethertype(spec.family)],
    // An absent protocol is "any" for this resource.
    ['protocol', neutronProtocol(spec.protocol) ?? undefined],
    ['port_range_min', ports?.min ?? neutronIcmpType(spec.protocol, spec.icmp)],
    ['port_range_max', ports?.max],
    ['remote_ip_prefix', peer.kind === 'cidr' ? peer.cidr : undefined],
    ['remote_group_id', peer.kind === 'security-group' ? peer.groupId : undefined],
  ]);
}

/** `aws_network_acl_rule` for one allow entry. */
export function terraformNetworkAclRule(spec: NetworkAclEntrySpec): string {
  const ports = aclNeedsPortRange(spec.protocol) ? portRange(spec.fromPort, spec.toPort) : undefined;
  const icmp = awsAclIcmp(spec.protocol, spec.icmp);
  return resource(
    'aws_network_acl_rule',
    terraformName(spec.requirementId, spec.aclId, spec.direction, String(spec.ruleNumber)),
    [
      ['network_acl_id', spec.aclId],
      ['rule_number', spec.ruleNumber],
      ['egress', spec.direction === 'egress'],
      ['protocol', awsAclProtocol(spec.protocol)],
      ['rule_action', 'allow'],
      ['cidr_block', spec.family === 4 ? spec.cidr : undefined],
      ['ipv6_cidr_block', spec.family === 6 ? spec.cidr : undefined],
      ['from_port', ports?.from],
      ['to_port', ports?.to],
      ['icmp_type', icmp?.type],
      ['icmp_code', icmp?.code],
    ],
  );
}
