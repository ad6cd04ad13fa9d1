import type { IcmpMatch, NetworkAcl, NetworkAclEntry, Peer, PortMatch, ProtocolMatch, SecurityGroupRule } from '../model/cloud.js';
import type { RuleCitation } from '../model/evidence.js';
import type { PortInterval, RequiredTraffic } from './match-protocol-port.js';

/** Display names only; providers own the parsing of names into numbers. */
const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  1: 'icmp',
  4: 'ipip',
  6: 'tcp',
  17: 'udp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'icmpv6',
  132: 'sctp',
};

/** Protocols for which "all ports" is worth saying; for ESP or IPIP it would only confuse. */
const PORTED = new Set([6, 17, 33, 132, 136]);

export function protocolNumberName(n: number): string {
  return PROTOCOL_NAMES[n] ?? `protocol ${n}`;
}

export function protocolName(p: ProtocolMatch): string {
  return p.kind === 'any' ? 'any protocol' : protocolNumberName(p.number);
}

function portsText(ports: { kind: 'all' } | { kind: 'range'; from: number; to: number }): string {
  if (ports.kind === 'all') return 'all ports';
  return ports.from === ports.to ? String(ports.from) : `${ports.from}-${ports.to}`;
}

const isIcmpNumber = (n: number): boolean => n === 1 || n === 58;

/** `type 8`, `type 8 code 0`, or '' for every ICMP message. */
function icmpText(m: IcmpMatch): string {
  if (m.type === 'any') return '';
  return m.code === 'any' ? `type ${m.type}` : `type ${m.type} code ${m.code}`;
}

/** Reads an interval of the ICMP message space (see icmpInterval) back as a type and code. */
function icmpOfInterval(iv: PortInterval): IcmpMatch {
  if (iv.from === 0 && iv.to === 65535) return { kind: 'icmp', type: 'any', code: 'any' };
  const type = Math.floor(iv.from / 256);
  return { kind: 'icmp', type, code: iv.from === iv.to ? iv.from % 256 : 'any' };
}

/** `udp 8472`, `tcp 8000-9000`, `udp all ports`, `esp`, `icmp type 3`, `all traffic`. */
export function ruleTrafficText(protocol: ProtocolMatch, ports: PortMatch): string {
  if (protocol.kind === 'any') return 'all traffic';
  const name = protocolNumberName(protocol.number);
  if (ports.kind === 'icmp') {
    const text = icmpText(ports);
    return text === '' ? name : `${name} ${text}`;
  }
  if (ports.kind === 'all' && !PORTED.has(protocol.number)) return name;
  return `${name} ${portsText(ports)}`;
}

/** Same rendering for what a requirement needs. */
export function requiredTrafficText(t: RequiredTraffic): string {
  if (t.protocol === undefined) return 'all traffic';
  const name = protocolNumberName(t.protocol);
  if (isIcmpNumber(t.protocol)) {
    const text = icmpText(icmpOfInterval(t.ports));
    return text === '' ? name : `${name} ${text}`;
  }
  if (t.ports.from === 0 && t.ports.to === 65535) return PORTED.has(t.protocol) ? `${name} all ports` : name;
  return `${name} ${portsText({ kind: 'range', ...t.ports })}`;
}

/** The required ports alone (`8472`, `8000-9000`, `all ports`; `type 8 code 0` for ICMP), for "…, not 8472". */
export function requiredPortsText(t: RequiredTraffic): string {
  if (t.protocol !== undefined && isIcmpNumber(t.protocol)) return icmpText(icmpOfInterval(t.ports)) || 'every ICMP type';
  return portsText({ kind: 'range', ...t.ports }).replace(/^0-65535$/, 'all ports');
}

export function peerText(peer: Peer): string {
  switch (peer.kind) {
    case 'cidr':
      return peer.cidr;
    case 'any-address':
      return `any IPv${peer.family} address`;
    case 'security-group':
      return peer.vpcId ? `members of ${peer.groupId} (${peer.vpcId})` : `members of ${peer.groupId}`;
    case 'prefix-list':
      return `prefix list ${peer.prefixListId}`;
    case 'address-group':
      return `address group ${peer.addressGroupId}`;
  }
}

/** `from` for ingress rules, `to` for egress rules. */
export function peerPreposition(rule: Pick<SecurityGroupRule, 'direction'>): string {
  return rule.direction === 'ingress' ? 'from' : 'to';
}

/** `udp 8472 from 172.16.10.0/24`, with the ethertype when the peer does not imply it. */
export function ruleBodyText(rule: SecurityGroupRule): string {
  const family = rule.family !== undefined && (rule.peer.kind === 'security-group' || rule.peer.kind === 'prefix-list' || rule.peer.kind === 'address-group')
    ? ` (IPv${rule.family})`
    : '';
  return `${ruleTrafficText(rule.protocol, rule.ports)} ${peerPreposition(rule)} ${peerText(rule.peer)}${family}`;
}

/** `ingress udp 8472 from 172.16.10.0/24 (sg-abc / sgr-123)`. */
export function securityGroupRuleText(rule: SecurityGroupRule): string {
  return `${rule.direction} ${ruleBodyText(rule)} (${rule.groupId} / ${rule.id})`;
}

export function citeSecurityGroupRule(rule: SecurityGroupRule): RuleCitation {
  return { ruleId: rule.id, containerId: rule.groupId, text: securityGroupRuleText(rule), source: rule.source };
}

/**
 * Why a rule with a driver-dependent protocol (SecurityGroupRule.protocolByDriver) neither allows
 * nor blocks `needed`, and the rule that works on every driver, as an OpenStack CLI command.
 */
export function driverDependentCause(rule: SecurityGroupRule, needed: number): string {
  const d = rule.protocolByDriver!;
  const under = (n: number): string => (n === d.ovsFirewall ? 'the OVS firewall driver' : 'the iptables and iptables_hybrid firewall drivers');
  const other = needed === d.ovsFirewall ? d.iptablesFirewall : d.ovsFirewall;
  return (
    `${rule.groupId} rule ${rule.id} names its protocol as "${d.name}", which is protocol ${needed} (${protocolNumberName(needed)}) under ${under(needed)} ` +
    `but protocol ${other} under ${under(other)}, and the API does not show which driver runs; ` +
    `a rule stored as the number works with both: delete ${rule.id} first (Neutron refuses the numbered rule as a duplicate of it), then ${numberedRuleCommand(rule, needed)}`
  );
}

/** `openstack security group rule create … --protocol 4 …` with the rule's own direction, ethertype and remote. */
function numberedRuleCommand(rule: SecurityGroupRule, protocol: number): string {
  const args = ['openstack security group rule create', `--${rule.direction}`];
  if (rule.family !== undefined) args.push(`--ethertype IPv${rule.family}`);
  args.push(`--protocol ${protocol}`);
  const peer = rule.peer;
  if (peer.kind === 'cidr') args.push(`--remote-ip ${peer.cidr}`);
  else if (peer.kind === 'security-group') args.push(`--remote-group ${peer.groupId}`);
  else if (peer.kind === 'address-group') args.push(`--remote-address-group ${peer.addressGroupId}`);
  args.push(rule.groupId);
  return `\`${args.join(' ')}\``;
}

export function networkAclEntryId(acl: NetworkAcl, entry: NetworkAclEntry): string {
  return `${acl.id}#${entry.ruleNumber}/${entry.direction}`;
}

/** `egress #100 allow udp 8472 to 10.0.0.0/16 (acl-123)`. */
export function networkAclEntryText(acl: NetworkAcl, entry: NetworkAclEntry): string {
  const prep = entry.direction === 'ingress' ? 'from' : 'to';
  return `${entry.direction} #${entry.ruleNumber} ${entry.action} ${ruleTrafficText(entry.protocol, entry.ports)} ${prep} ${entry.cidr} (${acl.id})`;
}

export function citeNetworkAclEntry(acl: NetworkAcl, entry: NetworkAclEntry): RuleCitation {
  return { ruleId: networkAclEntryId(acl, entry), containerId: acl.id, text: networkAclEntryText(acl, entry), source: entry.source };
}
