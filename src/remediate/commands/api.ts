import type { RemediationCommands } from '../../model/report.js';
import type { NetworkAclEntrySpec, SecurityGroupRuleSpec } from '../rule-spec.js';
import { ruleDescription } from '../rule-spec.js';
import { portRange } from '../../model/protocol.js';
import { aclNeedsPortRange, awsAclIcmp, awsAclProtocol, awsPermissionProtocol } from './aws-protocol.js';
import { ethertype, neutronIcmpType, neutronPorts, neutronProtocol } from './neutron-protocol.js';

export type ApiCall = RemediationCommands['api'];

/** EC2 Authorize* (query API, parameters shown as JSON) or Neutron POST security-group-rules. */
export function apiSecurityGroupRule(spec: SecurityGroupRuleSpec): ApiCall {
  return spec.provider === 'aws' ? awsAuthorize(spec) : neutronCreate(spec);
}

function awsAuthorize(spec: SecurityGroupRuleSpec): ApiCall {
  const proto = awsPermissionProtocol(spec.protocol, spec.fromPort, spec.toPort, spec.icmp);
  const Description = ruleDescription(spec.requirementId);
  const permission: Record<string, unknown> = { IpProtocol: proto.ipProtocol };
  if (proto.ports) {
    permission['FromPort'] = proto.ports.from;
    permission['ToPort'] = proto.ports.to;
  }
  if (spec.peer.kind === 'security-group') permission['UserIdGroupPairs'] = [{ GroupId: spec.peer.groupId, Description }];
  else if (spec.family === 4) permission['IpRanges'] = [{ CidrIp: spec.peer.cidr, Description }];
  else permission['Ipv6Ranges'] = [{ CidrIpv6: spec.peer.cidr, Description }];
  const action = spec.direction === 'ingress' ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress';
  return { method: 'POST', path: `/?Action=${action}`, body: { GroupId: spec.groupId, IpPermissions: [permission] } };
}

function neutronCreate(spec: SecurityGroupRuleSpec): ApiCall {
  const rule: Record<string, unknown> = {
    security_group_id: spec.groupId,
    direction: spec.direction,
    ethertype: ethertype(spec.family),
    protocol: neutronProtocol(spec.protocol),
  };
  const ports = neutronPorts(spec.protocol, spec.fromPort, spec.toPort);
  if (ports) {
    rule['port_range_min'] = ports.min;
    rule['port_range_max'] = ports.max;
  }
  const icmpType = neutronIcmpType(spec.protocol, spec.icmp);
  if (icmpType !== undefined) rule['port_range_min'] = icmpType;
  if (spec.peer.kind === 'cidr') rule['remote_ip_prefix'] = spec.peer.cidr;
  else rule['remote_group_id'] = spec.peer.groupId;
  rule['description'] = ruleDescription(spec.requirementId);
  return { method: 'POST', path: '/v2.0/security-group-rules', body: { security_group_rule: rule } };
}

/** EC2 CreateNetworkAclEntry. */
export function apiNetworkAclEntry(spec: NetworkAclEntrySpec): ApiCall {
  const body: Record<string, unknown> = {
    NetworkAclId: spec.aclId,
    RuleNumber: spec.ruleNumber,
    Protocol: awsAclProtocol(spec.protocol),
    RuleAction: 'allow',
    Egress: spec.direction === 'egress',
  };
  body[spec.family === 4 ? 'CidrBlock' : 'Ipv6CidrBlock'] = spec.cidr;
  if (aclNeedsPortRange(spec.protocol)) {
    const r = portRange(spec.fromPort, spec.toPort);
    body['PortRange'] = { From: r.from, To: r.to };
  }
  const icmp = awsAclIcmp(spec.protocol, spec.icmp);
  if (icmp) body['IcmpTypeCode'] = { Type: icmp.type, Code: icmp.code };
  return { method: 'POST', path: '/?Action=CreateNetworkAclEntry', body };
}
