import { describe, expect, it } from 'vitest';
import type { Peer, PortMatch, SecurityGroupRule } from '../../src/model/cloud.js';
import { InputError, type InputProblem } from '../../src/model/source.js';
import { GROUP_ID, OTHER_GROUP_ID, neutronGroup, neutronRule, type Body } from './testdata/neutron-bodies.js';
import { translateOpenstackDocuments } from './translate.js';

const DOC = 'exports/security-groups.json';
const RULE_POINTER = '/security_groups/0/security_group_rules/0';

function translateRuleBody(overrides: Body): { rule: SecurityGroupRule; warnings: string[] } {
  const { cloud, warnings } = translateOpenstackDocuments([
    { name: DOC, body: { security_groups: [neutronGroup([neutronRule(overrides)])] } },
  ]);
  const rule = cloud.securityGroups[0]?.rules[0];
  if (!rule) throw new Error('rule was not translated');
  return { rule, warnings: warnings.map((w) => w.code) };
}

function problemsOf(overrides: Body): InputProblem[] {
  try {
    translateRuleBody(overrides);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('rule fields', () => {
  it('translates a remote-group UDP rule with its source pointer', () => {
    const { rule, warnings } = translateRuleBody({});
    expect(rule).toEqual({
      id: '7d2e9c1a-4b5f-4e6a-8c3d-2f1e0a9b8c03',
      groupId: GROUP_ID,
      direction: 'ingress',
      family: 4,
      protocol: { kind: 'number', number: 17 },
      ports: { kind: 'range', from: 8472, to: 8472 },
      peer: { kind: 'security-group', groupId: GROUP_ID },
      description: 'flannel vxlan',
      source: { document: DOC, pointer: RULE_POINTER },
    });
    expect(warnings).toEqual([]);
  });

  it.each([
    ['IPv4', 4],
    ['IPv6', 6],
    ['ipv6', 6],
  ] as const)('ethertype %s -> family %s', (ethertype, family) => {
    expect(translateRuleBody({ ethertype, remote_group_id: null }).rule.family).toBe(family);
  });

  it.each([
    ['direction inbound', { direction: 'inbound' }, 'direction'],
    ['direction null', { direction: null }, 'direction'],
    ['ethertype IPv5', { ethertype: 'IPv5' }, 'ethertype'],
    ['ethertype missing', { ethertype: undefined }, 'ethertype'],
    ['protocol 300', { protocol: 300 }, 'protocol'],
    ['protocol vxlan', { protocol: 'vxlan' }, 'protocol'],
    ['id missing', { id: undefined }, 'id'],
    ['nested rule naming another group', { security_group_id: OTHER_GROUP_ID }, 'security_group_id'],
  ] as [string, Body, string][])('rejects %s at the field pointer', (_name, overrides, field) => {
    const problems = problemsOf(overrides);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ document: DOC, pointer: `${RULE_POINTER}/${field}` });
  });

  it('reports the offending value', () => {
    expect(problemsOf({ protocol: 300 })[0]?.value).toBe(300);
  });
});

describe('ports', () => {
  const cases: [string, Body, PortMatch][] = [
    ['udp null/null -> all', { port_range_min: null, port_range_max: null }, { kind: 'all' }],
    ['udp min only -> single port', { port_range_min: 8472, port_range_max: null }, { kind: 'range', from: 8472, to: 8472 }],
    ['udp range', { port_range_min: 30000, port_range_max: 32767 }, { kind: 'range', from: 30000, to: 32767 }],
    ['lower boundary 0', { port_range_min: 0, port_range_max: 0 }, { kind: 'range', from: 0, to: 0 }],
    ['full range', { port_range_min: 0, port_range_max: 65535 }, { kind: 'range', from: 0, to: 65535 }],
    ['upper boundary', { port_range_min: 65535, port_range_max: 65535 }, { kind: 'range', from: 65535, to: 65535 }],
    ['tcp', { protocol: 'tcp', port_range_min: 10250, port_range_max: 10250 }, { kind: 'range', from: 10250, to: 10250 }],
    ['sctp', { protocol: 'sctp', port_range_min: 9, port_range_max: 9 }, { kind: 'range', from: 9, to: 9 }],
    ['dccp numeric', { protocol: '33', port_range_min: 5004, port_range_max: 5005 }, { kind: 'range', from: 5004, to: 5005 }],
    ['udplite', { protocol: 'udplite', port_range_min: 7, port_range_max: 7 }, { kind: 'range', from: 7, to: 7 }],
    ['icmp type 8 code 0', { protocol: 'icmp', port_range_min: 8, port_range_max: 0 }, { kind: 'icmp', type: 8, code: 0 }],
    ['icmp type 3, every code', { protocol: 'icmp', port_range_min: 3, port_range_max: null }, { kind: 'icmp', type: 3, code: 'any' }],
    ['icmp type 0 (echo reply) is a type', { protocol: 'icmp', port_range_min: 0, port_range_max: null }, { kind: 'icmp', type: 0, code: 'any' }],
    ['icmp every type', { protocol: 'icmp', port_range_min: null, port_range_max: null }, { kind: 'icmp', type: 'any', code: 'any' }],
    ['ipv6-icmp type 128', { protocol: 'ipv6-icmp', ethertype: 'IPv6', port_range_min: 128, port_range_max: null }, { kind: 'icmp', type: 128, code: 'any' }],
    ['esp -> all', { protocol: 'esp', port_range_min: null, port_range_max: null }, { kind: 'all' }],
    ['any protocol -> all', { protocol: null, port_range_min: null, port_range_max: null }, { kind: 'all' }],
  ];
  it.each(cases)('%s', (_name, overrides, expected) => {
    expect(translateRuleBody(overrides).rule.ports).toEqual(expected);
  });

  it('keeps an ICMP type/code narrowing without a warning', () => {
    expect(translateRuleBody({ protocol: 'icmp', port_range_min: 8, port_range_max: 0 }).warnings).toEqual([]);
    expect(translateRuleBody({ protocol: 'icmp', port_range_min: null, port_range_max: null }).warnings).toEqual([]);
  });

  it('warns when ports are given for a protocol without ports', () => {
    expect(translateRuleBody({ protocol: 'gre', port_range_min: 1, port_range_max: 2 }).warnings).toEqual([
      'openstack-ports-ignored',
    ]);
  });

  const bad: [string, Body, string][] = [
    ['min above 65535', { port_range_min: 65536, port_range_max: null }, 'port_range_min'],
    ['max above 65535', { port_range_min: 1, port_range_max: 70000 }, 'port_range_max'],
    ['negative', { port_range_min: -1, port_range_max: 5 }, 'port_range_min'],
    ['string port', { port_range_min: '8472', port_range_max: 8472 }, 'port_range_min'],
    ['min above max', { port_range_min: 9000, port_range_max: 8000 }, 'port_range_max'],
    ['max without min', { port_range_min: null, port_range_max: 8472 }, 'port_range_min'],
    ['icmp type above 255', { protocol: 'icmp', port_range_min: 256, port_range_max: 0 }, 'port_range_min'],
    ['icmp type -1 (Neutron uses null for every type)', { protocol: 'icmp', port_range_min: -1, port_range_max: null }, 'port_range_min'],
    ['icmp code above 255', { protocol: 'icmp', port_range_min: 8, port_range_max: 256 }, 'port_range_max'],
    ['icmp code without a type', { protocol: 'icmp', port_range_min: null, port_range_max: 0 }, 'port_range_max'],
  ];
  it.each(bad)('rejects %s', (_name, overrides, field) => {
    const problems = problemsOf(overrides);
    expect(problems.map((p) => p.pointer)).toEqual([`${RULE_POINTER}/${field}`]);
  });
});

describe('remote', () => {
  const cases: [string, Body, Peer][] = [
    ['no remote IPv4', { remote_group_id: null }, { kind: 'any-address', family: 4 }],
    ['no remote IPv6', { remote_group_id: null, ethertype: 'IPv6' }, { kind: 'any-address', family: 6 }],
    ['remote group', {}, { kind: 'security-group', groupId: GROUP_ID }],
    [
      'address group',
      { remote_group_id: null, remote_address_group_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' },
      { kind: 'address-group', addressGroupId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' },
    ],
    ['cidr', { remote_group_id: null, remote_ip_prefix: '172.16.10.0/24' }, { kind: 'cidr', cidr: '172.16.10.0/24' }],
    ['cidr host bits cleared', { remote_group_id: null, remote_ip_prefix: '172.16.10.7/24' }, { kind: 'cidr', cidr: '172.16.10.0/24' }],
    ['bare IP -> /32', { remote_group_id: null, remote_ip_prefix: '172.16.10.7' }, { kind: 'cidr', cidr: '172.16.10.7/32' }],
    ['0.0.0.0/0', { remote_group_id: null, remote_ip_prefix: '0.0.0.0/0' }, { kind: 'cidr', cidr: '0.0.0.0/0' }],
    [
      'IPv6 cidr canonical',
      { remote_group_id: null, ethertype: 'IPv6', remote_ip_prefix: '2001:DB8:10::5/64' },
      { kind: 'cidr', cidr: '2001:db8:10::/64' },
    ],
  ];
  it.each(cases)('%s', (_name, overrides, expected) => {
    expect(translateRuleBody(overrides).rule.peer).toEqual(expected);
  });

  it('rejects an IPv6 prefix on an IPv4 rule, naming both families', () => {
    const problems = problemsOf({ remote_group_id: null, remote_ip_prefix: '2001:db8::/32' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ pointer: `${RULE_POINTER}/remote_ip_prefix`, value: '2001:db8::/32' });
    expect(problems[0]?.reason).toMatch(/IPv6 prefix but the rule's ethertype is IPv4/);
  });

  it('rejects an IPv4 prefix on an IPv6 rule', () => {
    const problems = problemsOf({ remote_group_id: null, ethertype: 'IPv6', remote_ip_prefix: '10.0.0.0/8' });
    expect(problems[0]?.reason).toMatch(/IPv4 prefix but the rule's ethertype is IPv6/);
  });

  it('rejects an invalid prefix', () => {
    expect(problemsOf({ remote_group_id: null, remote_ip_prefix: '10.0.0.0/33' })[0]?.pointer).toBe(
      `${RULE_POINTER}/remote_ip_prefix`,
    );
  });

  it('rejects two remotes at once', () => {
    const problems = problemsOf({ remote_ip_prefix: '10.0.0.0/8' });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.pointer).toBe(RULE_POINTER);
    expect(problems[0]?.reason).toMatch(/remote_ip_prefix and remote_group_id/);
  });
});

describe('protocol names whose number depends on the firewall driver', () => {
  it.each<[unknown, object | undefined]>([
    ['ipip', { name: 'ipip', ovsFirewall: 4, iptablesFirewall: 94 }],
    ['IPIP', { name: 'ipip', ovsFirewall: 4, iptablesFirewall: 94 }],
    ['4', undefined],
    [4, undefined],
    ['ipv6-encap', undefined],
    ['gre', undefined],
    [null, undefined],
  ])('%s -> %j', (protocol, expected) => {
    const { rule } = translateRuleBody({ protocol, port_range_min: null, port_range_max: null });
    expect(rule.protocolByDriver).toEqual(expected);
    if (protocol === 'ipip' || protocol === 'IPIP') expect(rule.protocol).toEqual({ kind: 'number', number: 4 });
  });
});
