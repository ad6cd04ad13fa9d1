import type { Direction, IpFamily, Peer, PortMatch, ProtocolMatch, SecurityGroupRule } from '../../src/model/cloud.js';
import { formatCidr, tryParseCidr } from '../../src/model/cidr.js';
import { driverDependentProtocol, hasPorts, isIcmp, parseNeutronProtocol } from './protocols.js';
import type { EntryReader } from './translate-context.js';

/**
 * One Neutron security-group rule -> one model rule, nothing filtered. Returns
 * undefined when the rule has a problem (already recorded in the reader's collector).
 * `parentGroupId` is set for rules nested in a security group body.
 */
export function translateRule(r: EntryReader, parentGroupId?: string): SecurityGroupRule | undefined {
  const id = r.requiredString('id');
  const groupId = readGroupId(r, parentGroupId);
  const direction = readDirection(r);
  const family = readFamily(r);
  // Parse the protocol even when the ethertype is bad, so every problem is reported in one run.
  const protocolParse = parseNeutronProtocol(r.entry.protocol, family ?? 4);
  if (!protocolParse.ok) r.fail('protocol', protocolParse.reason, r.entry.protocol);
  const protocol = protocolParse.ok ? protocolParse.protocol : undefined;
  const ports = protocol ? readPorts(r, protocol) : undefined;
  const peer = family ? readPeer(r, family) : undefined;
  const description = r.optionalString('description');

  if (!id || !groupId || !direction || !family || !protocol || !ports || !peer) return undefined;
  const rule: SecurityGroupRule = { id, groupId, direction, family, protocol, ports, peer, source: r.source };
  if (description !== undefined) rule.description = description;
  const byDriver = driverDependentProtocol(r.entry.protocol);
  if (byDriver) rule.protocolByDriver = byDriver;
  return rule;
}

function readGroupId(r: EntryReader, parentGroupId: string | undefined): string | undefined {
  if (parentGroupId === undefined) return r.requiredString('security_group_id');
  const own = r.optionalString('security_group_id');
  if (own !== undefined && own !== parentGroupId) {
    return r.fail('security_group_id', `rule is nested in security group ${parentGroupId} but names another group`, own);
  }
  return parentGroupId;
}

function readDirection(r: EntryReader): Direction | undefined {
  const v = r.entry.direction;
  if (v === 'ingress' || v === 'egress') return v;
  return r.fail('direction', 'direction must be "ingress" or "egress"', v);
}

function readFamily(r: EntryReader): IpFamily | undefined {
  const v = r.entry.ethertype;
  // Neutron accepts the ethertype case-insensitively and stores "IPv4"/"IPv6".
  const text = typeof v === 'string' ? v.toLowerCase() : undefined;
  if (text === 'ipv4') return 4;
  if (text === 'ipv6') return 6;
  return r.fail('ethertype', 'ethertype must be "IPv4" or "IPv6"', v);
}

const ALL_PORTS: PortMatch = { kind: 'all' };

function readPorts(r: EntryReader, protocol: ProtocolMatch): PortMatch | undefined {
  const rawMin = r.entry.port_range_min;
  const rawMax = r.entry.port_range_max;
  const anySet = (rawMin !== null && rawMin !== undefined) || (rawMax !== null && rawMax !== undefined);

  if (isIcmp(protocol)) {
    // Neutron API reference (security-group-rules): "If the protocol is ICMP, this value
    // [port_range_min] must be an ICMP type" and port_range_max "must be an ICMP code"; null
    // is every type / every code. The API refuses a code without a type, so such a body is bad input.
    const type = r.optionalInteger('port_range_min', 0, 255);
    const code = r.optionalInteger('port_range_max', 0, 255);
    if (!type.ok || !code.ok) return undefined;
    if (type.value === undefined && code.value !== undefined) {
      return r.fail('port_range_max', 'an ICMP code (port_range_max) needs an ICMP type (port_range_min); port_range_min is null', rawMax);
    }
    return { kind: 'icmp', type: type.value ?? 'any', code: code.value ?? 'any' };
  }

  if (!hasPorts(protocol)) {
    // Neutron's firewall drivers add a port match only for tcp/udp/dccp/sctp/udplite.
    if (anySet) {
      r.issues.warn(
        'openstack-ports-ignored',
        `port_range_min/max (${String(rawMin)}..${String(rawMax)}) have no effect for this protocol; treated as all ports`,
        r.source,
      );
    }
    return ALL_PORTS;
  }

  const min = r.optionalInteger('port_range_min', 0, 65535);
  const max = r.optionalInteger('port_range_max', 0, 65535);
  if (!min.ok || !max.ok) return undefined;
  if (min.value === undefined && max.value === undefined) return ALL_PORTS;
  if (min.value === undefined) return r.fail('port_range_min', 'port_range_max is set but port_range_min is null', rawMin);
  const to = max.value ?? min.value;
  if (min.value > to) return r.fail('port_range_max', `port_range_max is below port_range_min (${min.value})`, rawMax);
  return { kind: 'range', from: min.value, to };
}

const REMOTE_KEYS = ['remote_ip_prefix', 'remote_group_id', 'remote_address_group_id'] as const;

function readPeer(r: EntryReader, family: IpFamily): Peer | undefined {
  const values = REMOTE_KEYS.map((key) => ({ key, value: r.optionalString(key) }));
  if (values.some(({ key }) => r.has(key) && r.entry[key] !== null && typeof r.entry[key] !== 'string')) return undefined;
  const set = values.filter((v) => v.value !== undefined);
  if (set.length > 1) {
    r.issues.problem(
      r.document,
      r.pointer,
      `at most one of ${REMOTE_KEYS.join(', ')} may be set; found ${set.map((v) => v.key).join(' and ')}`,
      Object.fromEntries(set.map((v) => [v.key, v.value])),
    );
    return undefined;
  }
  const only = set[0];
  if (!only || only.value === undefined) return { kind: 'any-address', family };
  switch (only.key) {
    case 'remote_group_id':
      return { kind: 'security-group', groupId: only.value };
    case 'remote_address_group_id':
      return { kind: 'address-group', addressGroupId: only.value };
    case 'remote_ip_prefix': {
      const cidr = tryParseCidr(only.value);
      if (!cidr) return r.fail('remote_ip_prefix', 'remote_ip_prefix is not a valid IP address or CIDR', only.value);
      if (cidr.family !== family) {
        return r.fail(
          'remote_ip_prefix',
          `remote_ip_prefix is an IPv${cidr.family} prefix but the rule's ethertype is IPv${family}`,
          only.value,
        );
      }
      return { kind: 'cidr', cidr: formatCidr(cidr) };
    }
  }
}
