import type { SecurityGroupRuleSpec } from '../rule-spec.js';
import { ruleDescription } from '../rule-spec.js';
import { ethertype, neutronIcmpType, neutronPorts, neutronProtocol } from './neutron-protocol.js';
import { shellCommand } from '../../findings/shell-quote.js';

/** `openstack security group rule create … <group>`; `--protocol any` carries no port. */
export function openstackSecurityGroupCli(spec: SecurityGroupRuleSpec): string {
  const args = [
    'openstack', 'security', 'group', 'rule', 'create',
    spec.direction === 'ingress' ? '--ingress' : '--egress',
    '--ethertype', ethertype(spec.family),
    '--protocol', neutronProtocol(spec.protocol) ?? 'any',
  ];
  const ports = neutronPorts(spec.protocol, spec.fromPort, spec.toPort);
  if (ports) args.push('--dst-port', ports.min === ports.max ? String(ports.min) : `${ports.min}:${ports.max}`);
  const icmpType = neutronIcmpType(spec.protocol, spec.icmp);
  if (icmpType !== undefined) args.push('--icmp-type', String(icmpType));
  if (spec.peer.kind === 'cidr') args.push('--remote-ip', spec.peer.cidr);
  else args.push('--remote-group', spec.peer.groupId);
  args.push('--description', ruleDescription(spec.requirementId), spec.groupId);
  return shellCommand(args);
}
