import type { NetworkAclEntrySpec, SecurityGroupRuleSpec } from '../rule-spec.js';
import { ruleDescription } from '../rule-spec.js';
import { portRange } from '../../model/protocol.js';
import { aclNeedsPortRange, awsAclIcmp, awsAclProtocol, awsPermissionProtocol } from './aws-protocol.js';
import { shellCommand } from '../../findings/shell-quote.js';

/**
 * `aws ec2 authorize-security-group-ingress|egress --group-id … --ip-permissions '…'`
 * in the shorthand syntax, which covers CIDR (v4/v6) and group-reference peers alike.
 */
export function awsSecurityGroupCli(spec: SecurityGroupRuleSpec): string {
  const verb = spec.direction === 'ingress' ? 'authorize-security-group-ingress' : 'authorize-security-group-egress';
  return shellCommand(['aws', 'ec2', verb, '--group-id', spec.groupId, '--ip-permissions', ipPermissionShorthand(spec)]);
}

function ipPermissionShorthand(spec: SecurityGroupRuleSpec): string {
  const proto = awsPermissionProtocol(spec.protocol, spec.fromPort, spec.toPort, spec.icmp);
  const parts = [`IpProtocol=${proto.ipProtocol}`];
  if (proto.ports) parts.push(`FromPort=${proto.ports.from}`, `ToPort=${proto.ports.to}`);
  const description = `Description="${shorthandSafe(ruleDescription(spec.requirementId))}"`;
  if (spec.peer.kind === 'security-group') {
    parts.push(`UserIdGroupPairs=[{GroupId=${spec.peer.groupId},${description}}]`);
  } else if (spec.family === 4) {
    parts.push(`IpRanges=[{CidrIp=${spec.peer.cidr},${description}}]`);
  } else {
    parts.push(`Ipv6Ranges=[{CidrIpv6=${spec.peer.cidr},${description}}]`);
  }
  return parts.join(',');
}

/** The shorthand parser has no escape for `"` inside a quoted value. */
function shorthandSafe(text: string): string {
  return text.replace(/["\\]/g, '');
}

/** `aws ec2 create-network-acl-entry …` for one allow entry. */
export function awsNetworkAclCli(spec: NetworkAclEntrySpec): string {
  const args = [
    'aws', 'ec2', 'create-network-acl-entry',
    '--network-acl-id', spec.aclId,
    spec.direction === 'ingress' ? '--ingress' : '--egress',
    '--rule-number', String(spec.ruleNumber),
    '--protocol', awsAclProtocol(spec.protocol),
  ];
  if (aclNeedsPortRange(spec.protocol)) {
    const ports = portRange(spec.fromPort, spec.toPort);
    args.push('--port-range', `From=${ports.from},To=${ports.to}`);
  }
  const icmp = awsAclIcmp(spec.protocol, spec.icmp);
  if (icmp) args.push('--icmp-type-code', `Type=${icmp.type},Code=${icmp.code}`);
  args.push(spec.family === 4 ? '--cidr-block' : '--ipv6-cidr-block', spec.cidr, '--rule-action', 'allow');
  return shellCommand(args);
}
