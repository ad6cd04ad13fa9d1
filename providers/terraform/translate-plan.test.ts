import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/source.js';
import type { ModelChange } from '../../src/model/changes.js';
import type { PortMatch } from '../../src/model/cloud.js';
import { translateTerraformPlan, type TerraformTranslation } from './translate-plan.js';

const TESTDATA = join(import.meta.dirname, 'testdata');

function fixture(type: string): TerraformTranslation {
  const name = `${type}.json`;
  return translateTerraformPlan({ name, body: JSON.parse(readFileSync(join(TESTDATA, name), 'utf8')) });
}

function changesOf(t: TerraformTranslation, address: string): ModelChange[] {
  const r = t.resources.find((x) => x.address === address);
  if (!r) throw new Error(`no resource ${address} in translation`);
  return r.changes;
}

function portsSummary(p: PortMatch): string {
  if (p.kind === 'all') return 'all';
  if (p.kind === 'icmp') return `icmp:${p.type}/${p.code}`;
  return `${p.from}-${p.to}`;
}

function summary(c: ModelChange): string {
  switch (c.kind) {
    case 'upsert-sg-rule':
    case 'delete-sg-rule': {
      const r = c.rule;
      const proto = r.protocol.kind === 'any' ? 'any' : String(r.protocol.number);
      const ports = portsSummary(r.ports);
      const p = r.peer;
      const peer = p.kind === 'cidr' ? p.cidr : p.kind === 'security-group' ? `sg:${p.groupId}` : p.kind === 'any-address' ? `any-v${p.family}` : p.kind;
      return `${c.kind} ${r.groupId} ${r.direction} ${proto} ${ports} ${peer}${c.kind === 'delete-sg-rule' && c.ruleId ? ` id=${c.ruleId}` : ''}`;
    }
    case 'upsert-nacl-entry': {
      const e = c.entry;
      return `${c.kind} ${c.aclId} ${e.direction} #${e.ruleNumber} ${e.action} ${e.protocol.kind === 'any' ? 'any' : e.protocol.number} ${portsSummary(e.ports)} ${e.cidr}`;
    }
    case 'delete-nacl-entry':
      return `${c.kind} ${c.aclId} ${c.direction} #${c.ruleNumber}`;
    case 'upsert-security-group':
      return `${c.kind} ${c.group.id} rules=${c.group.rules.length} stateful=${c.group.stateful}`;
    case 'delete-security-group':
      return `${c.kind} ${c.groupId}`;
    case 'set-group-stateful':
      return `${c.kind} ${c.groupId} ${c.stateful}`;
    case 'upsert-network-acl':
      return `${c.kind} ${c.acl.id} entries=${c.acl.entries.length} subnets=${c.acl.subnetIds.join(',')}`;
    case 'delete-network-acl':
      return `${c.kind} ${c.aclId}`;
    case 'set-nacl-subnets':
      return `${c.kind} ${c.aclId} ${c.subnetIds.join(',')}`;
    case 'set-interface-groups':
      return `${c.kind} ${c.interfaceId} [${c.securityGroupIds.join(',')}]`;
    case 'set-port-security':
      return `${c.kind} ${c.interfaceId} ${c.portSecurity}`;
    case 'set-allowed-address-pairs':
      return `${c.kind} ${c.interfaceId} [${c.allowedAddressPairs.join(',')}]`;
    case 'delete-interface':
      return `${c.kind} ${c.interfaceId}`;
    default:
      return c.kind;
  }
}

const SG = 'sg-0a1b2c3d4e5f60001';
const OS_SG = '6a7d2c1e-9b3f-4e8a-b5c4-2f1e0d9c8b7a';

// One fixture per resource type; each holds a create, an update, a delete and a replace.
const CASES: { type: string; address: string; expected: string[] }[] = [
  { type: 'aws_security_group', address: 'aws_security_group.created', expected: ['upsert-security-group terraform:aws_security_group.created rules=2 stateful=true'] },
  {
    type: 'aws_security_group',
    address: 'aws_security_group.updated',
    expected: [`delete-sg-rule ${SG} ingress 17 8472-8472 sg:${SG}`, `upsert-sg-rule ${SG} ingress 17 8472-8472 172.16.10.0/24`],
  },
  { type: 'aws_security_group', address: 'aws_security_group.deleted', expected: ['delete-security-group sg-0a1b2c3d4e5f60002'] },
  {
    type: 'aws_security_group',
    address: 'aws_security_group.replaced',
    expected: ['delete-security-group sg-0a1b2c3d4e5f60003', 'upsert-security-group terraform:aws_security_group.replaced rules=2 stateful=true'],
  },
  {
    type: 'aws_security_group_rule',
    address: 'aws_security_group_rule.created',
    expected: [`upsert-sg-rule ${SG} ingress 17 8472-8472 172.16.10.0/24`, `upsert-sg-rule ${SG} ingress 17 8472-8472 172.16.11.0/24`],
  },
  { type: 'aws_security_group_rule', address: 'aws_security_group_rule.deleted', expected: [`delete-sg-rule ${SG} ingress 17 8472-8472 sg:${SG} id=sgr-0aaa0000000000001`] },
  {
    type: 'aws_security_group_rule',
    address: 'aws_security_group_rule.replaced',
    expected: [`delete-sg-rule ${SG} egress any all 0.0.0.0/0 id=sgr-0aaa0000000000002`, `upsert-sg-rule ${SG} egress 17 8472-8472 sg:sg-0a1b2c3d4e5f60009`],
  },
  // Only the description changes: the rule's effect is the same, so the model is not touched.
  { type: 'aws_security_group_rule', address: 'aws_security_group_rule.updated', expected: [] },
  ...(['ingress', 'egress'] as const).flatMap((d) => {
    const t = `aws_vpc_security_group_${d}_rule`;
    return [
      { type: t, address: `${t}.created`, expected: [`upsert-sg-rule ${SG} ${d} 17 8472-8472 sg:${SG}`] },
      { type: t, address: `${t}.deleted`, expected: [`delete-sg-rule ${SG} ${d} 17 8472-8472 172.16.10.0/24 id=sgr-0bbb0000000000001`] },
      {
        type: t,
        address: `${t}.replaced`,
        expected: [`delete-sg-rule ${SG} ${d} 6 8472-8472 172.16.10.0/24 id=sgr-0bbb0000000000002`, `upsert-sg-rule ${SG} ${d} 17 8472-8472 172.16.10.0/24`],
      },
      { type: t, address: `${t}.updated`, expected: [] },
    ];
  }),
  { type: 'aws_network_acl', address: 'aws_network_acl.created', expected: ['upsert-network-acl terraform:aws_network_acl.created entries=3 subnets=subnet-0aaa0000000000003'] },
  {
    type: 'aws_network_acl',
    address: 'aws_network_acl.updated',
    expected: [
      'upsert-nacl-entry acl-0a1b2c3d4e5f60001 ingress #100 deny 17 8472-8472 172.16.0.0/16',
      'set-nacl-subnets acl-0a1b2c3d4e5f60001 subnet-0aaa0000000000001,subnet-0aaa0000000000002',
    ],
  },
  { type: 'aws_network_acl', address: 'aws_network_acl.deleted', expected: ['delete-network-acl acl-0a1b2c3d4e5f60002'] },
  {
    type: 'aws_network_acl',
    address: 'aws_network_acl.replaced',
    expected: ['delete-network-acl acl-0a1b2c3d4e5f60003', 'upsert-network-acl terraform:aws_network_acl.replaced entries=3 subnets=subnet-0aaa0000000000005'],
  },
  { type: 'aws_network_acl_rule', address: 'aws_network_acl_rule.created', expected: ['upsert-nacl-entry acl-0a1b2c3d4e5f60001 ingress #90 deny 17 8472-8472 172.16.0.0/16'] },
  { type: 'aws_network_acl_rule', address: 'aws_network_acl_rule.deleted', expected: ['delete-nacl-entry acl-0a1b2c3d4e5f60001 egress #100'] },
  // Same rule number: the new entry takes the slot, no separate delete.
  { type: 'aws_network_acl_rule', address: 'aws_network_acl_rule.replaced', expected: ['upsert-nacl-entry acl-0a1b2c3d4e5f60001 ingress #120 allow 17 8472-8472 172.16.0.0/16'] },
  { type: 'aws_network_acl_rule', address: 'aws_network_acl_rule.v6', expected: ['upsert-nacl-entry acl-0a1b2c3d4e5f60001 ingress #130 allow any all 2001:db8::/56'] },
  {
    type: 'openstack_networking_secgroup_v2',
    address: 'openstack_networking_secgroup_v2.created',
    expected: ['upsert-security-group terraform:openstack_networking_secgroup_v2.created rules=2 stateful=true'],
  },
  { type: 'openstack_networking_secgroup_v2', address: 'openstack_networking_secgroup_v2.updated', expected: [`set-group-stateful ${OS_SG} false`] },
  { type: 'openstack_networking_secgroup_v2', address: 'openstack_networking_secgroup_v2.deleted', expected: ['delete-security-group 11111111-2222-4333-8444-555555555555'] },
  {
    type: 'openstack_networking_secgroup_v2',
    address: 'openstack_networking_secgroup_v2.replaced',
    expected: ['delete-security-group 22222222-3333-4444-8555-666666666666', 'upsert-security-group terraform:openstack_networking_secgroup_v2.replaced rules=0 stateful=true'],
  },
  { type: 'openstack_networking_secgroup_rule_v2', address: 'openstack_networking_secgroup_rule_v2.created_any', expected: [`upsert-sg-rule ${OS_SG} ingress any all sg:${OS_SG}`] },
  {
    type: 'openstack_networking_secgroup_rule_v2',
    address: 'openstack_networking_secgroup_rule_v2.deleted',
    expected: [`delete-sg-rule ${OS_SG} ingress 6 6443-6443 172.16.10.0/24 id=a1b2c3d4-0004-4e5f-8a9b-0c1d2e3f4a04`],
  },
  {
    // protocol "" and ports 0/0 in the prior state are the provider's "any protocol, all ports".
    type: 'openstack_networking_secgroup_rule_v2',
    address: 'openstack_networking_secgroup_rule_v2.replaced',
    expected: [`delete-sg-rule ${OS_SG} ingress any all 172.16.10.0/24 id=a1b2c3d4-0006-4e5f-8a9b-0c1d2e3f4a06`, `upsert-sg-rule ${OS_SG} ingress 17 8472-8472 172.16.10.0/24`],
  },
  // udp with 0/0 = all ports; no remote configured = any IPv4 address.
  { type: 'openstack_networking_secgroup_rule_v2', address: 'openstack_networking_secgroup_rule_v2.no_remote', expected: [`upsert-sg-rule ${OS_SG} ingress 17 all any-v4`] },
  { type: 'openstack_networking_port_v2', address: 'openstack_networking_port_v2.created', expected: [] },
  {
    type: 'openstack_networking_port_v2',
    address: 'openstack_networking_port_v2.updated',
    expected: [
      'set-interface-groups 1c6a4d3f-2b5e-4a7c-8d9f-8e7b6c5d4e32 [33333333-4444-4555-8666-777777777777]',
      'set-allowed-address-pairs 1c6a4d3f-2b5e-4a7c-8d9f-8e7b6c5d4e32 [10.244.1.0/24]',
    ],
  },
  {
    type: 'openstack_networking_port_v2',
    address: 'openstack_networking_port_v2.insecure',
    expected: ['set-interface-groups 2d7b5e4a-3c6f-4b8d-9e0a-9f8c7d6e5f43 []', 'set-port-security 2d7b5e4a-3c6f-4b8d-9e0a-9f8c7d6e5f43 disabled'],
  },
  { type: 'openstack_networking_port_v2', address: 'openstack_networking_port_v2.deleted', expected: ['delete-interface 3e8c6f5b-4d7a-4c9e-8f1b-0a9d8e7f6a54'] },
  { type: 'openstack_networking_port_v2', address: 'openstack_networking_port_v2.replaced', expected: ['delete-interface 0b5f3c2e-1a4d-4f6b-9c8e-7d6a5b4c3d21'] },
];

describe('translateTerraformPlan: one fixture per resource type, every action', () => {
  it.each(CASES)('$address', ({ type, address, expected }) => {
    expect(changesOf(fixture(type), address).map(summary)).toEqual(expected);
  });

  it('reports the new id of a replaced group or port as known only after apply', () => {
    for (const [type, address] of [
      ['aws_security_group', 'aws_security_group.replaced'],
      ['openstack_networking_secgroup_v2', 'openstack_networking_secgroup_v2.replaced'],
      ['openstack_networking_port_v2', 'openstack_networking_port_v2.replaced'],
    ] as const) {
      expect(fixture(type).unknownUntilApply.map((u) => [u.address, u.attribute])).toEqual([[address, 'id']]);
    }
  });

  it('points model objects back at the plan entry they came from', () => {
    const [change] = changesOf(fixture('aws_network_acl_rule'), 'aws_network_acl_rule.created');
    expect(change?.kind === 'upsert-nacl-entry' && change.entry.source).toEqual({ document: 'aws_network_acl_rule.json', pointer: '/resource_changes/0/change/after' });
  });
});

type Entry = Record<string, unknown>;

function planWith(...changes: Entry[]): Entry {
  return { format_version: '1.2', terraform_version: '1.9.8', planned_values: { root_module: {} }, resource_changes: changes };
}

function change(address: string, actions: unknown, before: Entry | null, after: Entry | null, afterUnknown: Entry = {}): Entry {
  const [type] = address.split('.');
  return { address, mode: 'managed', type, name: address.split('.')[1], provider_name: 'registry.terraform.io/hashicorp/aws', change: { actions, before, after, after_unknown: afterUnknown, before_sensitive: {}, after_sensitive: {} } };
}

const RULE_AFTER = { type: 'ingress', protocol: 'udp', from_port: 8472, to_port: 8472, cidr_blocks: ['10.0.0.0/16'], ipv6_cidr_blocks: null, prefix_list_ids: null, self: false, security_group_id: SG, description: '' };

function problemsOf(body: unknown): { pointer: string; reason: string; value?: unknown }[] {
  try {
    translateTerraformPlan({ name: 'plan.json', body });
  } catch (e) {
    if (e instanceof InputError) return e.problems.map(({ pointer, reason, value }) => (value === undefined ? { pointer, reason } : { pointer, reason, value }));
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('translateTerraformPlan: malformed plans', () => {
  it.each([
    { name: 'not an object', body: ['resource_changes'], pointer: '', reason: /must be a JSON object/ },
    { name: 'no format_version', body: { resource_changes: [] }, pointer: '/format_version', reason: /format_version/ },
    { name: 'a future major format', body: { format_version: '2.0', resource_changes: [] }, pointer: '/format_version', reason: /2\.0 is not supported/ },
    { name: 'a state file (no resource_changes, no planned_values)', body: { format_version: '1.0', values: {} }, pointer: '', reason: /not a plan/ },
    { name: 'resource_changes not a list', body: { format_version: '1.2', resource_changes: {} }, pointer: '/resource_changes', reason: /must be a list/ },
    { name: 'entry not an object', body: planWith('aws_security_group.x' as unknown as Entry), pointer: '/resource_changes/0', reason: /must be an object/ },
    { name: 'actions not a list', body: planWith(change('aws_security_group_rule.x', 'create', null, RULE_AFTER)), pointer: '/resource_changes/0/change/actions', reason: /must be a list/ },
    {
      name: 'unknown action combination',
      body: planWith(change('aws_security_group_rule.x', ['update', 'delete'], RULE_AFTER, RULE_AFTER)),
      pointer: '/resource_changes/0/change/actions',
      reason: /unknown action combination/,
    },
    { name: 'create without after', body: planWith(change('aws_security_group_rule.x', ['create'], null, null)), pointer: '/resource_changes/0/change/after', reason: /must have an "after" object/ },
    { name: 'delete without before', body: planWith(change('aws_security_group_rule.x', ['delete'], null, null)), pointer: '/resource_changes/0/change/before', reason: /must have a "before" object/ },
    {
      name: 'a bad CIDR in a rule',
      body: planWith(change('aws_security_group_rule.x', ['create'], null, { ...RULE_AFTER, cidr_blocks: ['10.0.0.300/16'] })),
      pointer: '/resource_changes/0/change/after/cidr_blocks/0',
      reason: /not a valid CIDR/,
    },
    {
      name: 'an unknown protocol',
      body: planWith(change('aws_security_group_rule.x', ['create'], null, { ...RULE_AFTER, protocol: 'vxlan' })),
      pointer: '/resource_changes/0/change/after/protocol',
      reason: /unknown IP protocol/,
    },
    {
      name: 'an OpenStack rule with a bad ethertype',
      body: planWith({
        ...change('openstack_networking_secgroup_rule_v2.x', ['create'], null, { direction: 'ingress', ethertype: 'IPv5', protocol: 'udp', port_range_min: 8472, port_range_max: 8472, remote_ip_prefix: '10.0.0.0/8', security_group_id: OS_SG }),
      }),
      pointer: '/resource_changes/0/change/after/ethertype',
      reason: /ethertype must be/,
    },
  ])('$name', ({ body, pointer, reason }) => {
    const problems = problemsOf(body);
    expect(problems.some((p) => p.pointer === pointer && reason.test(p.reason)), JSON.stringify(problems)).toBe(true);
  });

  it('reports every malformed entry in one error', () => {
    const problems = problemsOf(planWith(change('a.x', 'create', null, {}), change('b.y', ['create'], null, null)));
    expect(problems.map((p) => p.pointer)).toEqual(['/resource_changes/0/change/actions', '/resource_changes/1/change/after']);
  });

  it('names the offending value', () => {
    const problems = problemsOf(planWith(change('aws_security_group_rule.x', ['update', 'delete'], RULE_AFTER, RULE_AFTER)));
    expect(problems[0]?.value).toEqual(['update', 'delete']);
  });
});

describe('translateTerraformPlan: classification', () => {
  it('ignores resources that do not filter node traffic, no-ops and data sources', () => {
    const t = translateTerraformPlan({
      name: 'plan.json',
      body: planWith(
        change('aws_s3_bucket.logs', ['create'], null, { bucket: 'x' }),
        change('random_id.suffix', ['create'], null, { byte_length: 4 }),
        change('aws_instance.node', ['update'], { id: 'i-1', tags: { a: '1' }, vpc_security_group_ids: [SG] }, { id: 'i-1', tags: { a: '2' }, vpc_security_group_ids: [SG] }),
        change('aws_security_group_rule.same', ['no-op'], RULE_AFTER, RULE_AFTER),
        { ...change('aws_security_group.lookup', ['read'], null, { id: SG }), mode: 'data' },
      ),
    });
    expect(t.ignored.map((i) => [i.address, i.action])).toEqual([
      ['aws_s3_bucket.logs', 'create'],
      ['random_id.suffix', 'create'],
      ['aws_instance.node', 'update'],
      ['aws_security_group.lookup', 'read'],
    ]);
    expect(t.unchangedCount).toBe(1);
    expect(t.resources).toEqual([]);
    expect(t.unsupported).toEqual([]);
  });

  it('reports resources that can change node filtering but are not modeled', () => {
    const t = translateTerraformPlan({
      name: 'plan.json',
      body: planWith(
        change('aws_network_interface_sg_attachment.a', ['create'], null, { security_group_id: SG, network_interface_id: 'eni-1' }),
        change('aws_default_security_group.d', ['update'], { id: SG }, { id: SG }),
        change('openstack_fw_rule_v2.r', ['create'], null, { action: 'deny' }),
        change('aws_ec2_managed_prefix_list_entry.e', ['create'], null, { cidr: '10.0.0.0/8' }),
        change('aws_instance.node', ['update'], { id: 'i-1', vpc_security_group_ids: [SG] }, { id: 'i-1', vpc_security_group_ids: ['sg-0other'] }),
      ),
    });
    expect(t.unsupported.map((u) => u.address)).toEqual([
      'aws_network_interface_sg_attachment.a',
      'aws_default_security_group.d',
      'openstack_fw_rule_v2.r',
      'aws_ec2_managed_prefix_list_entry.e',
      'aws_instance.node',
    ]);
    expect(t.unsupported[4]?.reason).toMatch(/vpc_security_group_ids/);
  });

  it('never guesses values known only after apply, and names the attribute', () => {
    const t = translateTerraformPlan({
      name: 'plan.json',
      body: planWith(
        change('aws_security_group_rule.new_group', ['create'], null, { ...RULE_AFTER, security_group_id: null }, { security_group_id: true, id: true }),
        change('aws_security_group_rule.cidr', ['create'], null, { ...RULE_AFTER, cidr_blocks: [null] }, { cidr_blocks: [true], id: true }),
        change('aws_vpc_security_group_ingress_rule.port', ['create'], null, { security_group_id: SG, ip_protocol: 'udp', from_port: null, to_port: 8472, cidr_ipv4: '10.0.0.0/16' }, { from_port: true }),
      ),
    });
    expect(t.unknownUntilApply.map((u) => [u.address, u.attribute])).toEqual([
      ['aws_security_group_rule.new_group', 'security_group_id'],
      ['aws_security_group_rule.cidr', 'cidr_blocks'],
      ['aws_vpc_security_group_ingress_rule.port', 'from_port'],
    ]);
    expect(t.resources.flatMap((r) => r.changes)).toEqual([]);
  });

  it('treats an unconfigured computed remote of an OpenStack rule as not set, but a configured one as unknown', () => {
    const rule = { direction: 'ingress', ethertype: 'IPv4', protocol: 'udp', port_range_min: 8472, port_range_max: 8472, security_group_id: OS_SG };
    const unknownRemotes = { id: true, remote_group_id: true, remote_ip_prefix: true };
    const config = (expressions: Entry) => ({ root_module: { resources: [{ address: 'openstack_networking_secgroup_rule_v2.r', mode: 'managed', type: 'openstack_networking_secgroup_rule_v2', name: 'r', expressions }] } });
    const body = (expressions: Entry) => ({ ...planWith(change('openstack_networking_secgroup_rule_v2.r', ['create'], null, rule, unknownRemotes)), configuration: config(expressions) });
    const open = translateTerraformPlan({ name: 'p', body: body({ direction: { constant_value: 'ingress' } }) });
    expect(open.unknownUntilApply).toEqual([]);
    expect(open.resources[0]?.changes.map(summary)).toEqual([`upsert-sg-rule ${OS_SG} ingress 17 8472-8472 any-v4`]);
    const referenced = translateTerraformPlan({ name: 'p', body: body({ remote_group_id: { references: ['openstack_networking_secgroup_v2.g.id'] } }) });
    expect(referenced.unknownUntilApply.map((u) => u.attribute)).toEqual(['remote_group_id']);
    // No configuration section at all: nothing tells the two apart, so the value stays unknown.
    const bare = translateTerraformPlan({ name: 'p', body: planWith(change('openstack_networking_secgroup_rule_v2.r', ['create'], null, rule, unknownRemotes)) });
    expect(bare.unknownUntilApply.map((u) => u.attribute)).toEqual(['remote_ip_prefix']);
  });

  it('finds the configuration of a resource inside modules, ignoring instance keys', () => {
    const rule = { type: 'ingress', protocol: 'udp', from_port: 8472, to_port: 8472, cidr_blocks: null, ipv6_cidr_blocks: null, prefix_list_ids: ['pl-1'], self: false, security_group_id: SG };
    const entry = { ...change('module.net.aws_security_group_rule.r["a"]', ['create'], null, rule, { source_security_group_id: true }), type: 'aws_security_group_rule' };
    const body = {
      ...planWith(entry),
      configuration: { root_module: { module_calls: { net: { module: { resources: [{ address: 'aws_security_group_rule.r', expressions: { prefix_list_ids: {} } }] } } } } },
    };
    const t = translateTerraformPlan({ name: 'p', body });
    expect(t.unknownUntilApply).toEqual([]);
    expect(t.resources[0]?.changes.map(summary)).toEqual([`upsert-sg-rule ${SG} ingress 17 8472-8472 prefix-list`]);
  });
});

describe('openstack rule protocol written as a name', () => {
  const fixturePlan = JSON.parse(readFileSync(join(TESTDATA, 'openstack_networking_secgroup_rule_v2.json'), 'utf8')) as {
    resource_changes: { address: string; change: { after: Record<string, unknown> } }[];
  };
  const created = (protocol: string | null) => {
    const plan = structuredClone(fixturePlan);
    const rc = plan.resource_changes.find((r) => r.address === 'openstack_networking_secgroup_rule_v2.created_any')!;
    rc.change.after['protocol'] = protocol;
    plan.resource_changes = [rc];
    const change = changesOf(translateTerraformPlan({ name: 'plan.json', body: plan }), rc.address)[0]!;
    if (change.kind !== 'upsert-sg-rule') throw new Error(change.kind);
    return change.rule;
  };

  it('records that `ipip` depends on the firewall driver (4 under OVS, 94 under iptables)', () => {
    const rule = created('ipip');
    expect(rule.protocol).toEqual({ kind: 'number', number: 4 });
    expect(rule.protocolByDriver).toEqual({ name: 'ipip', ovsFirewall: 4, iptablesFirewall: 94 });
  });

  it.each(['4', 'esp', 'udp'])('records nothing for %s, which every driver reads alike', (protocol) => {
    expect(created(protocol).protocolByDriver).toBeUndefined();
  });
});

describe('ICMP type and code in plans', () => {
  const oneChange = (entry: Entry): string => {
    const t = translateTerraformPlan({ name: 'plan.json', body: planWith(entry) });
    const [c] = changesOf(t, entry['address'] as string);
    return summary(c!);
  };
  const ACL = 'acl-0a1b2c3d4e5f60001';
  const naclRule = (after: Entry): Entry =>
    change('aws_network_acl_rule.icmp', ['create'], null, { cidr_block: '10.0.0.0/16', egress: false, from_port: null, to_port: null, icmp_code: null, icmp_type: null, ipv6_cidr_block: null, network_acl_id: ACL, rule_action: 'allow', rule_number: 70, ...after });

  it('reads icmp_type and icmp_code of an aws_network_acl_rule (-1 is every code)', () => {
    expect(oneChange(naclRule({ protocol: '1', icmp_type: 8, icmp_code: -1 }))).toBe(`upsert-nacl-entry ${ACL} ingress #70 allow 1 icmp:8/any 10.0.0.0/16`);
    expect(oneChange(naclRule({ protocol: 'icmp', icmp_type: 3, icmp_code: 4 }))).toBe(`upsert-nacl-entry ${ACL} ingress #70 allow 1 icmp:3/4 10.0.0.0/16`);
  });

  it('ignores icmp fields on a non-ICMP entry, even when they are known only after apply', () => {
    const entry = naclRule({ protocol: '17', from_port: 8472, to_port: 8472 });
    (entry['change'] as { after_unknown: Entry }).after_unknown = { icmp_type: true, icmp_code: true };
    expect(oneChange(entry)).toBe(`upsert-nacl-entry ${ACL} ingress #70 allow 17 8472-8472 10.0.0.0/16`);
  });

  it('reads an aws_security_group_rule for ICMP: from_port is the type, to_port the code', () => {
    const rule = change('aws_security_group_rule.ping', ['create'], null, { ...RULE_AFTER, protocol: 'icmp', from_port: 8, to_port: -1 });
    expect(oneChange(rule)).toBe(`upsert-sg-rule ${SG} ingress 1 icmp:8/any 10.0.0.0/16`);
  });

  it('reads an openstack rule for ICMP: port_range_min is the type, port_range_max the code', () => {
    const rule = {
      ...change('openstack_networking_secgroup_rule_v2.ping', ['create'], null, {
        description: '', direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', port_range_min: 8, port_range_max: null,
        remote_ip_prefix: '10.0.0.0/16', remote_group_id: null, remote_address_group_id: null, security_group_id: OS_SG, timeouts: null,
      }),
      provider_name: 'registry.terraform.io/terraform-provider-openstack/openstack',
    };
    expect(oneChange(rule)).toBe(`upsert-sg-rule ${OS_SG} ingress 1 icmp:8/any 10.0.0.0/16`);
  });
});
