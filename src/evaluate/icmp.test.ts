import { describe, expect, it } from 'vitest';
import type { NetworkAclEntry } from '../model/cloud.js';
import * as b from './testing/builders.js';
import { pairCell } from './testing/cells.js';

/** ICMP rules are matched on type and code: only a rule admitting echo request carries Cilium's health ping. */

const N1 = '172.16.10.11';
const N2 = '172.16.10.12';
const N2_OTHER_SUBNET = '172.16.20.12';
const echo = b.flowRequirement({ id: 'cilium-health-icmp', protocol: { name: 'icmp', number: 1 }, icmp: { type: 8, code: 0 } });
const echo6 = b.flowRequirement({ id: 'cilium-health-icmp-v6', protocol: { name: 'icmpv6', number: 58 }, icmp: { type: 128, code: 0 }, family: 6, source: 'node-vtep-v6', destination: 'node-vtep-v6' });

function twoNodes(ingressRules: b.RuleDraft[]) {
  return b.snapshot({
    nodes: [b.node('n1', N1), b.node('n2', N2)],
    interfaces: [b.eni('eni-1', N1, { groups: ['sg-src'] }), b.eni('eni-2', N2, { groups: ['sg-dst'] })],
    groups: [b.sg('sg-src', [b.egressAll()]), b.sg('sg-dst', [b.egressAll(), ...ingressRules])],
  });
}

const icmpRule = (type: number | 'any', code: number | 'any' = 'any', from = '172.16.10.0/24'): b.RuleDraft => b.ingress('icmp', b.icmp(type, code), from);

describe('security groups: ICMP echo request from n1', () => {
  it.each<[string, b.RuleDraft[], 'allowed' | 'blocked']>([
    ['every type (-1 / null)', [icmpRule('any')], 'allowed'],
    ['type 8, every code', [icmpRule(8)], 'allowed'],
    ['type 8 code 0 exactly', [icmpRule(8, 0)], 'allowed'],
    ['type 3 only (fragmentation needed)', [icmpRule(3)], 'blocked'],
    ['type 3 code 4 only', [icmpRule(3, 4)], 'blocked'],
    ['type 0 (echo reply) only', [icmpRule(0)], 'blocked'],
    ['type 8 with the wrong code', [icmpRule(8, 1)], 'blocked'],
    ['type 3 and type 8 side by side', [icmpRule(3), icmpRule(8)], 'allowed'],
    ['icmp rule written as all (no type read)', [b.ingress('icmp', 'all', '172.16.10.0/24')], 'allowed'],
    ['all traffic', [b.ingress('any', 'all', '172.16.10.0/24')], 'allowed'],
    ['type 8 but from another block', [icmpRule(8, 'any', '10.0.0.0/8')], 'blocked'],
    ['icmpv6 type 128 does not carry IPv4 echo', [b.ingress(58, b.icmp(128), '172.16.10.0/24')], 'blocked'],
  ])('%s -> %s', (_name, rules, expected) => {
    const cell = pairCell(twoNodes(rules), echo);
    expect(cell.verdict).toBe(expected);
    expect(cell.layer).toBe('security-group');
  });

  it('cites the allowing rule as icmp type 8', () => {
    const cell = pairCell(twoNodes([b.ingress('icmp', b.icmp(8), '172.16.10.0/24', { id: 'sgr-ping' })]), echo);
    expect(cell.evidence.find((e) => e.check === 'destination-ingress')!.decidingRule?.text).toBe('ingress icmp type 8 from 172.16.10.0/24 (sg-dst / sgr-ping)');
  });

  it('names the mismatch of a rule for another type', () => {
    const cell = pairCell(twoNodes([b.ingress('icmp', b.icmp(3), '172.16.10.0/24', { id: 'sgr-frag' })]), echo);
    const ingress = cell.evidence.find((e) => e.check === 'destination-ingress')!;
    expect(ingress.reason).toBe('no ingress rule in sg-dst allows icmp type 8 code 0 from the source VTEP address');
    expect(ingress.nearest?.map((n) => n.mismatch)).toEqual(['icmp type 3 is allowed from 172.16.10.0/24, type 8 code 0 is not']);
  });

  it('IPv6: icmpv6 type 128 allows, type 129 does not', () => {
    const v6 = (rules: b.RuleDraft[]) =>
      b.snapshot({
        nodes: [b.node('n1', N1, { vtepIpv6: '2001:db8::11' }), b.node('n2', N2, { vtepIpv6: '2001:db8::12' })],
        interfaces: [b.eni('eni-1', N1, { groups: ['sg-src'], extra: ['2001:db8::11'] }), b.eni('eni-2', N2, { groups: ['sg-dst'], extra: ['2001:db8::12'] })],
        groups: [b.sg('sg-src', [b.egressAll(), b.egress('any', 'all', '::/0')]), b.sg('sg-dst', rules)],
      });
    expect(pairCell(v6([b.ingress(58, b.icmp(128), '2001:db8::/64')]), echo6).verdict).toBe('allowed');
    expect(pairCell(v6([b.ingress(58, b.icmp(129), '2001:db8::/64')]), echo6).verdict).toBe('blocked');
  });
});

describe('network ACLs: ICMP entries with IcmpTypeCode', () => {
  const e = b.aclEntry;
  const crossSubnet = (bEntries: NetworkAclEntry[]) =>
    b.snapshot({
      nodes: [b.node('n1', N1), b.node('n2', N2_OTHER_SUBNET)],
      interfaces: [b.eni('eni-1', N1, { subnet: 'subnet-a' }), b.eni('eni-2', N2_OTHER_SUBNET, { subnet: 'subnet-b' })],
      groups: [b.sg('sg-nodes', [b.egressAll(), b.ingress('any', 'all', '0.0.0.0/0')])],
      acls: [b.nacl('acl-a', ['subnet-a'], b.allowAllEntries()), b.nacl('acl-b', ['subnet-b'], bEntries)],
    });
  it.each<[string, NetworkAclEntry[], 'allowed' | 'blocked', string]>([
    ['allow type 8', [e(100, 'ingress', 'allow', 'icmp', b.icmp(8), '0.0.0.0/0')], 'allowed', 'acl-b#100/ingress'],
    ['allow type 3 only -> the * deny', [e(100, 'ingress', 'allow', 'icmp', b.icmp(3, 4), '0.0.0.0/0')], 'blocked', 'acl-b#32767/ingress'],
    ['deny type 3 before allow all: echo passes', [e(50, 'ingress', 'deny', 'icmp', b.icmp(3), '0.0.0.0/0'), e(100, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0')], 'allowed', 'acl-b#100/ingress'],
    ['deny type 8 before allow all: blocked', [e(50, 'ingress', 'deny', 'icmp', b.icmp(8), '0.0.0.0/0'), e(100, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0')], 'blocked', 'acl-b#50/ingress'],
    ['deny every icmp type before allow all', [e(50, 'ingress', 'deny', 'icmp', b.icmp('any'), '0.0.0.0/0'), e(100, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0')], 'blocked', 'acl-b#50/ingress'],
    ['allow type 8 code 1 only', [e(100, 'ingress', 'allow', 'icmp', b.icmp(8, 1), '0.0.0.0/0')], 'blocked', 'acl-b#32767/ingress'],
  ])('%s -> %s', (_name, entries, expected, decidingRule) => {
    const cell = pairCell(crossSubnet([...entries, e(32767, 'ingress', 'deny', 'any', 'all', '0.0.0.0/0'), ...b.allowAllEntries().filter((x) => x.direction === 'egress')]), echo);
    const inbound = cell.evidence.find((x) => x.check === 'destination-subnet-inbound')!;
    expect(inbound.decision).toBe(expected);
    expect(inbound.decidingRule?.ruleId).toBe(decidingRule);
  });
});
