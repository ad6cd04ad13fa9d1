import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RawDocument } from '../../src/model/documents.js';
import { InputError, type InputProblem } from '../../src/model/source.js';
import { GROUP_ID, neutronGroup, neutronPort, neutronRule, OTHER_GROUP_ID, type Body } from './testdata/neutron-bodies.js';
import { translateOpenstackDocuments } from './translate.js';

function fixture(file: string): RawDocument {
  const name = `providers/openstack/testdata/${file}`;
  return { name, body: JSON.parse(readFileSync(new URL(`./testdata/${file}`, import.meta.url), 'utf8')) };
}

function problemsOf(docs: RawDocument[]): InputProblem[] {
  try {
    translateOpenstackDocuments(docs);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

const K8S = '9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
const DEFAULT_SG = '1d7c9a2e-3f4b-4a5c-8d6e-7f8091a2b3c4';
const STATELESS = '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9';
const UNEXPORTED = 'f0e1d2c3-b4a5-4968-8776-655443322110';

describe('fixtures: a full Neutron export', () => {
  const docs = ['ports.json', 'security-groups.json', 'security-group-rules.json', 'subnets.json', 'address-groups.json'].map(
    fixture,
  );
  const { cloud, warnings } = translateOpenstackDocuments(docs);

  it('lists every provided kind', () => {
    expect(cloud.providedKinds).toEqual(['network-interface', 'security-group', 'subnet', 'address-group']);
    expect(cloud.unavailable).toEqual([]);
  });

  it('translates ports with addresses, pairs, port security and host', () => {
    expect(cloud.interfaces.map((i) => i.id)).toEqual([
      '0f4d6e2a-1b3c-4d5e-8f70-91a2b3c4d5e1',
      '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c62',
      '4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e73',
    ]);
    const [node1, node2, node3] = cloud.interfaces;
    expect(node1).toEqual({
      provider: 'openstack',
      id: '0f4d6e2a-1b3c-4d5e-8f70-91a2b3c4d5e1',
      instanceId: '5a1e0c4e-8f0b-4d0c-9a8e-2f3b9b7d6c01',
      networkId: '6f3c2a1b-0e9d-4c8b-a7f6-5e4d3c2b1a00',
      hostId: 'compute-07',
      addresses: [
        { ip: '172.16.10.11', subnetId: 'c3a0e7b4-2d5f-4b6a-8e91-7f0d3c2b1a10' },
        { ip: '2001:db8:10::b', subnetId: 'd8b1f6a2-9c3e-4f7d-a052-6e1c4b3a2f20' },
      ],
      allowedAddressPairs: ['10.244.1.0/24'],
      securityGroupIds: [DEFAULT_SG, K8S],
      portSecurity: 'enabled',
      source: { document: 'providers/openstack/testdata/ports.json', pointer: '/ports/0' },
    });
    // node-2's body has no port_security_enabled field: Neutron's default is enabled.
    expect(node2?.portSecurity).toBe('enabled');
    expect(node3?.portSecurity).toBe('disabled');
    expect(node3?.securityGroupIds).toEqual([]);
  });

  it('keeps statefulness per group', () => {
    const stateful = Object.fromEntries(cloud.securityGroups.map((g) => [g.id, g.stateful]));
    expect(stateful).toEqual({ [DEFAULT_SG]: true, [K8S]: true, [STATELESS]: false, [UNEXPORTED]: true });
  });

  it('merges the identical standalone copy of a nested rule and appends the new one', () => {
    const k8s = cloud.securityGroups.find((g) => g.id === K8S);
    const ids = k8s?.rules.map((r) => r.id.slice(-2));
    expect(ids).toEqual(['01', '02', '03', '04', '05', '06', '07']);
    const vxlan = k8s?.rules.find((r) => r.id.endsWith('03'));
    expect(vxlan?.source).toEqual({
      document: 'providers/openstack/testdata/security-groups.json',
      pointer: '/security_groups/1/security_group_rules/2',
    });
    const esp = k8s?.rules.find((r) => r.id.endsWith('07'));
    expect(esp).toMatchObject({ protocol: { kind: 'number', number: 50 }, ports: { kind: 'all' } });
    expect(esp?.source.pointer).toBe('/security_group_rules/1');
  });

  it('creates a stateful group for rules whose group was not exported, and warns', () => {
    const group = cloud.securityGroups.find((g) => g.id === UNEXPORTED);
    expect(group?.rules).toHaveLength(1);
    expect(group?.rules[0]).toMatchObject({
      family: 6,
      ports: { kind: 'range', from: 8472, to: 8472 },
      peer: { kind: 'cidr', cidr: '2001:db8:10::/64' },
    });
    expect(warnings.filter((w) => w.code === 'openstack-stateful-assumed')).toEqual([
      expect.objectContaining({
        source: { document: 'providers/openstack/testdata/security-group-rules.json', pointer: '/security_group_rules/2' },
      }),
    ]);
  });

  it('translates numeric-string protocols and address-group remotes', () => {
    const stateless = cloud.securityGroups.find((g) => g.id === STATELESS);
    expect(stateless?.rules[0]).toMatchObject({
      protocol: { kind: 'number', number: 17 },
      peer: { kind: 'address-group', addressGroupId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' },
    });
  });

  it('translates subnets and address groups', () => {
    expect(cloud.subnets.map((s) => [s.cidr, s.family, s.networkId])).toEqual([
      ['172.16.10.0/24', 4, '6f3c2a1b-0e9d-4c8b-a7f6-5e4d3c2b1a00'],
      ['2001:db8:10::/64', 6, '6f3c2a1b-0e9d-4c8b-a7f6-5e4d3c2b1a00'],
    ]);
    expect(cloud.addressGroups).toEqual([
      {
        id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
        cidrs: ['172.16.10.11/32', '172.16.10.12/32', '172.16.10.13/32'],
        source: { document: 'providers/openstack/testdata/address-groups.json', pointer: '/address_groups/0' },
      },
    ]);
  });

  it('keeps the ICMP echo rule as type 8 code 0, and warns about nothing else unexpected', () => {
    const ping = cloud.securityGroups.flatMap((g) => g.rules).find((r) => r.id === '7d2e9c1a-4b5f-4e6a-8c3d-2f1e0a9b8c05');
    expect(ping?.ports).toEqual({ kind: 'icmp', type: 8, code: 0 });
    expect(warnings.map((w) => w.code).sort()).toEqual(['openstack-stateful-assumed']);
  });
});

describe('nested and standalone rules', () => {
  const groupDoc = { name: 'sg.json', body: { security_groups: [neutronGroup([neutronRule()])] } };

  it('standalone wins over a different nested rule with the same id, with a warning', () => {
    const changed = neutronRule({ port_range_min: 4789, port_range_max: 4789 });
    const { cloud, warnings } = translateOpenstackDocuments([
      groupDoc,
      { name: 'rules.json', body: { security_group_rules: [changed] } },
    ]);
    expect(cloud.securityGroups[0]?.rules).toHaveLength(1);
    expect(cloud.securityGroups[0]?.rules[0]?.ports).toEqual({ kind: 'range', from: 4789, to: 4789 });
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'openstack-rule-conflict',
        source: { document: 'rules.json', pointer: '/security_group_rules/0' },
      }),
    ]);
  });

  it('standalone wins regardless of document order', () => {
    const changed = neutronRule({ port_range_min: 4789, port_range_max: 4789 });
    const { cloud } = translateOpenstackDocuments([{ name: 'rule.json', body: { security_group_rule: changed } }, groupDoc]);
    expect(cloud.securityGroups[0]?.rules[0]?.ports).toEqual({ kind: 'range', from: 4789, to: 4789 });
    expect(cloud.securityGroups[0]?.rules[0]?.source).toEqual({ document: 'rule.json', pointer: '/security_group_rule' });
  });

  it('a group exported without its rules field is unavailable unless standalone rules name it', () => {
    const bare = { ...neutronGroup([]), security_group_rules: undefined };
    const withoutRules = translateOpenstackDocuments([{ name: 'sg.json', body: { security_groups: [bare] } }]);
    expect(withoutRules.cloud.unavailable).toEqual([
      expect.objectContaining({ kind: 'security-group', id: GROUP_ID }),
    ]);
    const withRules = translateOpenstackDocuments([
      { name: 'sg.json', body: { security_groups: [bare] } },
      { name: 'rules.json', body: { security_group_rules: [neutronRule()] } },
    ]);
    expect(withRules.cloud.unavailable).toEqual([]);
    expect(withRules.cloud.securityGroups[0]?.rules).toHaveLength(1);
  });
});

describe('groups and duplicates', () => {
  it('stateless groups stay stateless; a missing stateful field means stateful', () => {
    const { cloud } = translateOpenstackDocuments([
      {
        name: 'sg.json',
        body: {
          security_groups: [
            neutronGroup([], { stateful: false }),
            { ...neutronGroup([], { id: OTHER_GROUP_ID }), stateful: undefined },
          ],
        },
      },
    ]);
    expect(cloud.securityGroups.map((g) => [g.id, g.stateful])).toEqual([
      [GROUP_ID, false],
      [OTHER_GROUP_ID, true],
    ]);
  });

  it('rejects a non-boolean stateful', () => {
    const problems = problemsOf([{ name: 'sg.json', body: { security_group: neutronGroup([], { stateful: 'false' }) } }]);
    expect(problems.map((p) => p.pointer)).toEqual(['/security_group/stateful']);
  });

  it('identical objects from two files merge silently', () => {
    const { cloud, warnings } = translateOpenstackDocuments([
      { name: 'a.json', body: { ports: [neutronPort()] } },
      { name: 'b.json', body: { port: neutronPort({ revision_number: 4 }) } },
    ]);
    expect(cloud.interfaces).toHaveLength(1);
    expect(cloud.interfaces[0]?.source.document).toBe('a.json');
    expect(warnings).toEqual([]);
  });

  it('different objects with one id: the later wins with a warning', () => {
    const { cloud, warnings } = translateOpenstackDocuments([
      { name: 'old.json', body: { ports: [neutronPort()] } },
      { name: 'new.json', body: { ports: [neutronPort({ port_security_enabled: false })] } },
    ]);
    expect(cloud.interfaces).toHaveLength(1);
    expect(cloud.interfaces[0]?.portSecurity).toBe('disabled');
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'openstack-duplicate-conflict', source: { document: 'new.json', pointer: '/ports/0' } }),
    ]);
    expect(warnings[0]?.message).toMatch(/old\.json#\/ports\/0/);
  });
});

describe('ports', () => {
  function port(overrides: Body) {
    return translateOpenstackDocuments([{ name: 'p.json', body: { port: neutronPort(overrides) } }]).cloud.interfaces[0];
  }

  it('port security off', () => {
    expect(port({ port_security_enabled: false, security_groups: [] })?.portSecurity).toBe('disabled');
  });

  it.each([
    ['bare IP', '10.244.2.15', '10.244.2.15/32'],
    ['CIDR', '10.244.2.0/24', '10.244.2.0/24'],
    ['CIDR with host bits', '10.244.2.9/24', '10.244.2.0/24'],
    ['IPv6', 'fd00:10:244::/56', 'fd00:10:244::/56'],
  ])('allowed address pair %s', (_name, ip, expected) => {
    expect(port({ allowed_address_pairs: [{ ip_address: ip, mac_address: 'fa:16:3e:71:8a:02' }] })?.allowedAddressPairs).toEqual([
      expected,
    ]);
  });

  it('no allowed_address_pairs field (extension off) means none', () => {
    expect(port({ allowed_address_pairs: undefined })?.allowedAddressPairs).toEqual([]);
  });

  it('an unbound port has no instance id', () => {
    expect(port({ device_id: '' })?.instanceId).toBeUndefined();
  });

  it.each([
    ['bad fixed IP', { fixed_ips: [{ ip_address: '172.16.10.300', subnet_id: 'x' }] }, '/port/fixed_ips/0/ip_address'],
    ['bad pair', { allowed_address_pairs: [{ ip_address: '10.244.0.0/40' }] }, '/port/allowed_address_pairs/0/ip_address'],
    ['missing security_groups', { security_groups: undefined }, '/port/security_groups'],
    ['non-boolean port security', { port_security_enabled: 'no' }, '/port/port_security_enabled'],
    ['missing fixed_ips', { fixed_ips: undefined }, '/port/fixed_ips'],
  ])('rejects %s', (_name, overrides, pointer) => {
    expect(problemsOf([{ name: 'p.json', body: { port: neutronPort(overrides) } }]).map((p) => p.pointer)).toEqual([pointer]);
  });
});

describe('document detection', () => {
  it('rejects `openstack port list -f json` output with a pointer to the API body', () => {
    const problems = problemsOf([fixture('osc-port-list.json')]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.pointer).toBe('');
    expect(problems[0]?.reason).toMatch(/openstack port list -f json/);
    expect(problems[0]?.reason).toMatch(/v2\.0\/ports/);
    expect(problems[0]?.reason).toMatch(/openstack --debug/);
  });

  it('rejects OSC rows wrapped under "ports"', () => {
    const rows = (fixture('osc-port-list.json').body as unknown[]).slice(0, 1);
    const problems = problemsOf([{ name: 'p.json', body: { ports: rows } }]);
    expect(problems.map((p) => p.pointer)).toEqual(['/ports/0']);
    expect(problems[0]?.reason).toMatch(/lossy/);
  });

  it('rejects unknown top-level keys, listing found and expected keys', () => {
    const problems = problemsOf([{ name: 'net.json', body: { networks: [], networks_links: [] } }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.document).toBe('net.json');
    expect(problems[0]?.reason).toMatch(/found: networks, networks_links/);
    expect(problems[0]?.reason).toMatch(/expected one of: ports, port, security_groups/);
  });

  it('rejects a known key next to an unknown one', () => {
    expect(problemsOf([{ name: 'x.json', body: { ports: [], floatingips: [] } }])[0]?.reason).toMatch(/floatingips/);
  });

  it('hints at an unwrapped single object', () => {
    const { id, fixed_ips } = neutronPort();
    expect(problemsOf([{ name: 'x.json', body: { id, fixed_ips } }])[0]?.reason).toMatch(/wrapper key/);
  });

  it.each([
    ['empty object', {}],
    ['string', 'ports'],
    ['null', null],
    ['other table output', [{ ID: 'x', Name: 'default', Project: 'p' }]],
  ])('rejects %s', (_name, body) => {
    expect(problemsOf([{ name: 'x.json', body }])).toHaveLength(1);
  });

  it('ignores *_links and reports provided kinds for empty lists', () => {
    const { cloud } = translateOpenstackDocuments([
      { name: 'p.json', body: { ports: [], ports_links: [{ rel: 'previous', href: 'https://neutron/v2.0/ports' }] } },
      { name: 'r.json', body: { security_group_rules: [] } },
    ]);
    expect(cloud.providedKinds).toEqual(['network-interface', 'security-group']);
    expect(cloud.interfaces).toEqual([]);
  });

  it('collects the problems of every document into one error', () => {
    const problems = problemsOf([
      { name: 'a.json', body: { security_group: neutronGroup([neutronRule({ protocol: 300 })]) } },
      { name: 'b.json', body: { subnets: [{ id: 's', cidr: '10.0.0.0/8', ip_version: 6 }] } },
      { name: 'c.json', body: { address_groups: [{ id: 'ag', addresses: ['nope'] }] } },
    ]);
    expect(problems.map((p) => `${p.document}#${p.pointer}`)).toEqual([
      'a.json#/security_group/security_group_rules/0/protocol',
      'b.json#/subnets/0/cidr',
      'c.json#/address_groups/0/addresses/0',
    ]);
  });

  it('keeps no state between calls', () => {
    const doc = { name: 'p.json', body: { port: neutronPort() } };
    translateOpenstackDocuments([doc]);
    expect(translateOpenstackDocuments([doc]).warnings).toEqual([]);
  });
});
