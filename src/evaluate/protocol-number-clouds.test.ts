import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translateAwsDocuments } from '../../providers/aws/translate.js';
import { translateOpenstackDocuments } from '../../providers/openstack/translate.js';
import type { Cloud } from '../model/cloud.js';
import type { Verdict } from '../model/evidence.js';
import * as b from './testing/builders.js';
import { pairCell } from './testing/cells.js';

/**
 * A protocol-number requirement (IP-in-IP 4, ESP 50) is decided the same way on AWS and on
 * Neutron. Rule sets are generated once in the abstract and written in each cloud's native
 * form (numbers, names, "-1" / null / "any" / 0), then read by the real translators.
 * The one documented difference: a Neutron rule stored as the name `ipip` proves nothing.
 */

type Proto = { kind: 'any' } | { kind: 'number'; n: number };
type PeerKind = { kind: 'cidr'; cidr: string } | { kind: 'group'; group: 'src' | 'dst' } | { kind: 'anywhere' };
interface AbstractRule {
  direction: 'ingress' | 'egress';
  group: 'src' | 'dst';
  proto: Proto;
  peer: PeerKind;
  /** Which native spelling each cloud uses, an index into its spellings for the protocol. */
  spelling: number;
}

const N1 = '10.0.1.11';
const N2 = '10.0.1.12';
const GROUP_IDS = { src: { aws: 'sg-0000000000000000a', os: '11111111-1111-4111-8111-111111111111' }, dst: { aws: 'sg-0000000000000000b', os: '22222222-2222-4222-8222-222222222222' } };

const protoArb: fc.Arbitrary<Proto> = fc.oneof(
  fc.constant<Proto>({ kind: 'any' }),
  fc.constantFrom(4, 50, 94, 17, 6, 1, 41, 47).map((n): Proto => ({ kind: 'number', n })),
);
const peerArb: fc.Arbitrary<PeerKind> = fc.oneof(
  fc.constantFrom('10.0.1.0/24', `${N1}/32`, `${N2}/32`, '10.0.0.0/8', '192.168.0.0/16', '0.0.0.0/0').map((cidr): PeerKind => ({ kind: 'cidr', cidr })),
  fc.constantFrom<'src' | 'dst'>('src', 'dst').map((group): PeerKind => ({ kind: 'group', group })),
  fc.constant<PeerKind>({ kind: 'anywhere' }),
);
const ruleArb: fc.Arbitrary<AbstractRule> = fc.record({
  direction: fc.constantFrom<'ingress' | 'egress'>('ingress', 'egress'),
  group: fc.constantFrom<'src' | 'dst'>('src', 'dst'),
  proto: protoArb,
  peer: peerArb,
  spelling: fc.nat(3),
});

const AWS_NAMES: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };
const NEUTRON_NAMES: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 50: 'esp', 47: 'gre', 41: 'ipv6-encap' };

function awsProtocol(p: Proto, spelling: number): string {
  if (p.kind === 'any') return '-1';
  const name = AWS_NAMES[p.n];
  return name !== undefined && spelling % 2 === 0 ? name : String(p.n);
}

/** `ipipName`: write protocol 4 as the name `ipip` (the trap) instead of a number. */
function neutronProtocol(p: Proto, spelling: number, ipipName: boolean): string | number | null {
  if (p.kind === 'any') return [null, 'any', 0, '0'][spelling]!;
  if (p.n === 4) return ipipName ? 'ipip' : spelling % 2 === 0 ? '4' : 4;
  const name = NEUTRON_NAMES[p.n];
  if (name !== undefined && spelling % 2 === 0) return name;
  return spelling === 1 ? p.n : String(p.n);
}

function awsCloud(rules: AbstractRule[]): Cloud {
  const permission = (r: AbstractRule): Record<string, unknown> => {
    const p: Record<string, unknown> = { IpProtocol: awsProtocol(r.proto, r.spelling) };
    if (r.proto.kind === 'number' && (r.proto.n === 6 || r.proto.n === 17)) Object.assign(p, { FromPort: 0, ToPort: 65535 });
    if (r.proto.kind === 'number' && r.proto.n === 1) Object.assign(p, { FromPort: -1, ToPort: -1 });
    if (r.peer.kind === 'group') p['UserIdGroupPairs'] = [{ GroupId: GROUP_IDS[r.peer.group].aws }];
    else p['IpRanges'] = [{ CidrIp: r.peer.kind === 'cidr' ? r.peer.cidr : '0.0.0.0/0' }];
    return p;
  };
  const group = (g: 'src' | 'dst') => ({
    GroupId: GROUP_IDS[g].aws,
    GroupName: g,
    VpcId: 'vpc-1',
    IpPermissions: rules.filter((r) => r.group === g && r.direction === 'ingress').map(permission),
    IpPermissionsEgress: rules.filter((r) => r.group === g && r.direction === 'egress').map(permission),
  });
  const eni = (id: string, ip: string, g: 'src' | 'dst', instance: string) => ({
    NetworkInterfaceId: id,
    SubnetId: 'subnet-1',
    VpcId: 'vpc-1',
    PrivateIpAddress: ip,
    PrivateIpAddresses: [{ PrivateIpAddress: ip, Primary: true }],
    Groups: [{ GroupId: GROUP_IDS[g].aws }],
    Attachment: { InstanceId: instance, DeviceIndex: 0 },
    SourceDestCheck: true,
  });
  return translateAwsDocuments([
    { name: 'sgs.json', body: { SecurityGroups: [group('src'), group('dst')] } },
    { name: 'enis.json', body: { NetworkInterfaces: [eni('eni-1', N1, 'src', 'i-1'), eni('eni-2', N2, 'dst', 'i-2')] } },
  ]).cloud;
}

function neutronCloud(rules: AbstractRule[], ipipName: boolean): Cloud {
  const rule = (r: AbstractRule, i: number): Record<string, unknown> => ({
    id: `rule-${i}`,
    security_group_id: GROUP_IDS[r.group].os,
    direction: r.direction,
    ethertype: 'IPv4',
    protocol: neutronProtocol(r.proto, r.spelling, ipipName),
    port_range_min: null,
    port_range_max: null,
    remote_ip_prefix: r.peer.kind === 'cidr' ? r.peer.cidr : null,
    remote_group_id: r.peer.kind === 'group' ? GROUP_IDS[r.peer.group].os : null,
  });
  const all = rules.map(rule);
  const group = (g: 'src' | 'dst') => ({ id: GROUP_IDS[g].os, name: g, stateful: true, security_group_rules: all.filter((r) => r['security_group_id'] === GROUP_IDS[g].os) });
  const port = (id: string, ip: string, g: 'src' | 'dst', server: string) => ({
    id,
    network_id: 'net-1',
    device_id: server,
    fixed_ips: [{ ip_address: ip, subnet_id: 'subnet-1' }],
    security_groups: [GROUP_IDS[g].os],
    port_security_enabled: true,
    allowed_address_pairs: [],
  });
  return translateOpenstackDocuments([
    { name: 'security-groups.json', body: { security_groups: [group('src'), group('dst')] } },
    { name: 'ports.json', body: { ports: [port('port-1', N1, 'src', 'srv-1'), port('port-2', N2, 'dst', 'srv-2')] } },
  ]).cloud;
}

const REQUIREMENTS = [
  b.flowRequirement({ id: 'calico-ipip', protocol: { name: 'ipip', number: 4 } }),
  b.flowRequirement({ id: 'cilium-ipsec-esp', protocol: { name: 'esp', number: 50 } }),
];

/** The decision of each side (source egress, destination ingress) for n1 -> n2. */
function sides(cloud: Cloud, requirementIndex: number): Verdict[] {
  const s = b.snapshot({ nodes: [b.node('n1', N1), b.node('n2', N2)], interfaces: cloud.interfaces, groups: cloud.securityGroups });
  const cell = pairCell(s, REQUIREMENTS[requirementIndex]!);
  return ['source-egress', 'destination-ingress'].map((check) => cell.evidence.find((e) => e.check === check)!.decision);
}

describe('protocol-number requirements: AWS and Neutron agree', () => {
  const rulesArb = fc.array(ruleArb, { maxLength: 6 });

  it('for every rule set written with numbers, names and any-forms', () => {
    fc.assert(
      fc.property(rulesArb, fc.constantFrom(0, 1), (rules, req) => {
        expect(sides(neutronCloud(rules, false), req)).toEqual(sides(awsCloud(rules), req));
      }),
      { numRuns: 300 },
    );
  });

  it('except that a Neutron rule stored as `ipip` never allows IP-in-IP on its own: that side is unknown', () => {
    fc.assert(
      fc.property(rulesArb, fc.constantFrom(0, 1), (rules, req) => {
        const aws = sides(awsCloud(rules), req);
        const named = sides(neutronCloud(rules, true), req);
        const withoutIpip = sides(neutronCloud(rules.filter((r) => !(r.proto.kind === 'number' && r.proto.n === 4)), false), req);
        const expected = aws.map((d, i) => (req === 0 && d === 'allowed' && withoutIpip[i] !== 'allowed' ? 'unknown' : d));
        expect(named).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('the generator reaches every outcome it should (allowed, blocked, and the ipip unknown)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(rulesArb, (rules) => {
        for (const d of sides(neutronCloud(rules, true), 0)) seen.add(d);
      }),
      { numRuns: 300, seed: 15 },
    );
    expect([...seen].sort()).toEqual(['allowed', 'blocked', 'unknown']);
  });
});
