import { describe, expect, it } from 'vitest';
import type { SecurityGroupRule } from '../../src/model/cloud.js';
import { AwsWarningCode } from './translate-warnings.js';
import { doc, fixture, groupWithIngress, problemsOf, rulesDoc, sgRule, translate } from './translate-test-support.js';

const udp8472 = { IpProtocol: 'udp', FromPort: 8472, ToPort: 8472 };

function onlyRule(permission: Record<string, unknown>): SecurityGroupRule {
  const rules = translate(groupWithIngress([permission])).cloud.securityGroups[0]!.rules;
  expect(rules).toHaveLength(1);
  return rules[0]!;
}

describe('inline IpPermissions (describe-security-groups)', () => {
  it.each([
    {
      name: 'IPv4 range, canonicalized',
      source: { IpRanges: [{ CidrIp: '100.68.0.18/18', Description: 'pods' }] },
      id: 'sg-0123456789abcdef0/ingress/0/IpRanges/0',
      peer: { kind: 'cidr', cidr: '100.68.0.0/18' },
      pointer: '/SecurityGroups/0/IpPermissions/0/IpRanges/0',
      description: 'pods',
    },
    {
      name: 'IPv6 range, canonicalized',
      source: { Ipv6Ranges: [{ CidrIpv6: '2001:DB8:0:0:1::/64' }] },
      id: 'sg-0123456789abcdef0/ingress/0/Ipv6Ranges/0',
      peer: { kind: 'cidr', cidr: '2001:db8::/64' },
      pointer: '/SecurityGroups/0/IpPermissions/0/Ipv6Ranges/0',
      description: undefined,
    },
    {
      name: 'prefix list',
      source: { PrefixListIds: [{ PrefixListId: 'pl-0a1b2c3d4e5f60789', Description: 'lbs' }] },
      id: 'sg-0123456789abcdef0/ingress/0/PrefixListIds/0',
      peer: { kind: 'prefix-list', prefixListId: 'pl-0a1b2c3d4e5f60789' },
      pointer: '/SecurityGroups/0/IpPermissions/0/PrefixListIds/0',
      description: 'lbs',
    },
    {
      name: 'self-referencing group',
      source: { UserIdGroupPairs: [{ GroupId: 'sg-0123456789abcdef0', UserId: '111122223333' }] },
      id: 'sg-0123456789abcdef0/ingress/0/UserIdGroupPairs/0',
      peer: { kind: 'security-group', groupId: 'sg-0123456789abcdef0', ownerId: '111122223333' },
      pointer: '/SecurityGroups/0/IpPermissions/0/UserIdGroupPairs/0',
      description: undefined,
    },
    {
      name: 'group across a peering connection',
      source: {
        UserIdGroupPairs: [
          {
            GroupId: 'sg-0bbbbccccddddeeee',
            UserId: '444455556666',
            VpcId: 'vpc-0c0ffee0c0ffee000',
            VpcPeeringConnectionId: 'pcx-0123abcd4567ef890',
            PeeringStatus: 'active',
          },
        ],
      },
      id: 'sg-0123456789abcdef0/ingress/0/UserIdGroupPairs/0',
      peer: {
        kind: 'security-group',
        groupId: 'sg-0bbbbccccddddeeee',
        ownerId: '444455556666',
        vpcId: 'vpc-0c0ffee0c0ffee000',
        vpcPeeringConnectionId: 'pcx-0123abcd4567ef890',
        peeringStatus: 'active',
      },
      pointer: '/SecurityGroups/0/IpPermissions/0/UserIdGroupPairs/0',
      description: undefined,
    },
  ])('$name', ({ source, id, peer, pointer, description }) => {
    const rule = onlyRule({ ...udp8472, ...source });
    expect(rule).toStrictEqual({
      id,
      groupId: 'sg-0123456789abcdef0',
      direction: 'ingress',
      protocol: { kind: 'number', number: 17 },
      ports: { kind: 'range', from: 8472, to: 8472 },
      peer,
      ...(description === undefined ? {} : { description }),
      source: { document: 'sg.json', pointer },
    });
  });

  it('makes one rule per (permission x source) with ids that name the entry', () => {
    const { cloud } = translate(
      doc('sg.json', {
        SecurityGroups: [
          {
            GroupId: 'sg-1',
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '192.168.0.0/16' }] },
              { ...udp8472, UserIdGroupPairs: [{ GroupId: 'sg-1' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
            ],
            IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          },
        ],
      }),
    );
    const rules = cloud.securityGroups[0]!.rules;
    expect(rules.map((r) => [r.id, r.direction])).toEqual([
      ['sg-1/ingress/0/IpRanges/0', 'ingress'],
      ['sg-1/ingress/0/IpRanges/1', 'ingress'],
      ['sg-1/ingress/1/Ipv6Ranges/0', 'ingress'],
      ['sg-1/ingress/1/UserIdGroupPairs/0', 'ingress'],
      ['sg-1/egress/0/IpRanges/0', 'egress'],
    ]);
    expect(rules[4]!.source.pointer).toBe('/SecurityGroups/0/IpPermissionsEgress/0/IpRanges/0');
  });

  it('keeps the group attributes and marks AWS groups stateful', () => {
    const group = translate(groupWithIngress([])).cloud.securityGroups[0]!;
    expect(group).toStrictEqual({
      provider: 'aws',
      id: 'sg-0123456789abcdef0',
      name: 'k8s-nodes',
      stateful: true,
      vpcId: 'vpc-1',
      rules: [],
      source: { document: 'sg.json', pointer: '/SecurityGroups/0' },
    });
  });

  it('warns about a permission with no sources instead of dropping it silently', () => {
    const { cloud, warnings } = translate(groupWithIngress([{ ...udp8472, IpRanges: [], UserIdGroupPairs: [] }]));
    expect(cloud.securityGroups[0]!.rules).toEqual([]);
    expect(warnings.map((w) => [w.code, w.source?.pointer])).toEqual([
      [AwsWarningCode.permissionWithoutSources, '/SecurityGroups/0/IpPermissions/0'],
    ]);
  });

  const perm = '/SecurityGroups/0/IpPermissions/0';
  it.each([
    { name: 'invalid IPv4 CIDR', source: { IpRanges: [{ CidrIp: '10.0.0.300/8' }] }, pointer: `${perm}/IpRanges/0/CidrIp`, value: '10.0.0.300/8', reason: /not a valid CIDR/ },
    { name: 'bare address instead of CIDR', source: { IpRanges: [{ CidrIp: '10.0.0.1' }] }, pointer: `${perm}/IpRanges/0/CidrIp`, value: '10.0.0.1', reason: /not a valid CIDR/ },
    { name: 'IpRanges entry without CidrIp', source: { IpRanges: [{ Description: 'x' }] }, pointer: `${perm}/IpRanges/0/CidrIp`, value: undefined, reason: /required field "CidrIp"/ },
    { name: 'prefix length too long', source: { Ipv6Ranges: [{ CidrIpv6: '2001:db8::/129' }] }, pointer: `${perm}/Ipv6Ranges/0/CidrIpv6`, value: '2001:db8::/129', reason: /not a valid CIDR/ },
    { name: 'IPv6 CIDR in IpRanges', source: { IpRanges: [{ CidrIp: '::/0' }] }, pointer: `${perm}/IpRanges/0/CidrIp`, value: '::/0', reason: /must be an IPv4 CIDR/ },
    { name: 'IPv4 CIDR in Ipv6Ranges', source: { Ipv6Ranges: [{ CidrIpv6: '0.0.0.0/0' }] }, pointer: `${perm}/Ipv6Ranges/0/CidrIpv6`, value: '0.0.0.0/0', reason: /must be an IPv6 CIDR/ },
    { name: 'group pair without GroupId', source: { UserIdGroupPairs: [{ GroupName: 'default', UserId: '1' }] }, pointer: `${perm}/UserIdGroupPairs/0/GroupId`, value: undefined, reason: /required field "GroupId"/ },
    { name: 'IpRanges not a list', source: { IpRanges: { CidrIp: '10.0.0.0/8' } }, pointer: `${perm}/IpRanges`, value: { CidrIp: '10.0.0.0/8' }, reason: /to be a list/ },
  ])('rejects $name', ({ source, pointer, value, reason }) => {
    const problems = problemsOf(groupWithIngress([{ ...udp8472, ...source }]));
    expect(problems[0]).toMatchObject({ document: 'sg.json', pointer });
    expect(problems[0]!.value).toEqual(value);
    expect(problems[0]!.reason).toMatch(reason);
  });

  it('rejects a group without GroupId', () => {
    expect(problemsOf(doc('sg.json', { SecurityGroups: [{ GroupName: 'x' }] }))).toEqual([
      { document: 'sg.json', pointer: '/SecurityGroups/0/GroupId', reason: 'required field "GroupId" is missing' },
    ]);
  });
});

describe('describe-security-group-rules', () => {
  it.each([
    { name: 'CidrIpv4', peerFields: { CidrIpv4: '172.16.0.7/16' }, peer: { kind: 'cidr', cidr: '172.16.0.0/16' } },
    { name: 'CidrIpv6', peerFields: { CidrIpv4: undefined, CidrIpv6: '2001:db8::/32' }, peer: { kind: 'cidr', cidr: '2001:db8::/32' } },
    { name: 'PrefixListId', peerFields: { CidrIpv4: undefined, PrefixListId: 'pl-63a5400a' }, peer: { kind: 'prefix-list', prefixListId: 'pl-63a5400a' } },
    {
      name: 'ReferencedGroupInfo with peering',
      peerFields: {
        CidrIpv4: undefined,
        ReferencedGroupInfo: { GroupId: 'sg-9', UserId: '444455556666', VpcId: 'vpc-9', VpcPeeringConnectionId: 'pcx-9', PeeringStatus: 'active' },
      },
      peer: { kind: 'security-group', groupId: 'sg-9', ownerId: '444455556666', vpcId: 'vpc-9', vpcPeeringConnectionId: 'pcx-9', peeringStatus: 'active' },
    },
  ])('$name', ({ peerFields, peer }) => {
    const { cloud } = translate(rulesDoc([sgRule({ ...peerFields, Description: 'vxlan' })]));
    expect(cloud.securityGroups[0]!.rules).toStrictEqual([
      {
        id: 'sgr-0000000000000000a',
        groupId: 'sg-0123456789abcdef0',
        direction: 'ingress',
        protocol: { kind: 'number', number: 17 },
        ports: { kind: 'range', from: 8472, to: 8472 },
        peer,
        description: 'vxlan',
        source: { document: 'sgr.json', pointer: '/SecurityGroupRules/0' },
      },
    ]);
  });

  it('maps IsEgress to the direction', () => {
    const { cloud } = translate(rulesDoc([sgRule({ SecurityGroupRuleId: 'sgr-e', IsEgress: true })]));
    expect(cloud.securityGroups[0]!.rules[0]!.direction).toBe('egress');
  });

  it('creates a stateful group without a name when only its rules were exported', () => {
    const { cloud } = translate(rulesDoc([sgRule({ GroupId: 'sg-only-rules' })]));
    expect(cloud.securityGroups).toStrictEqual([
      {
        provider: 'aws',
        id: 'sg-only-rules',
        stateful: true,
        rules: [expect.objectContaining({ id: 'sgr-0000000000000000a' })],
        source: { document: 'sgr.json', pointer: '/SecurityGroupRules/0' },
      },
    ]);
  });

  it.each([
    { name: 'no peer field', fields: { CidrIpv4: undefined }, pointer: '/SecurityGroupRules/0', reason: /exactly one of .*found none/ },
    { name: 'two peer fields', fields: { CidrIpv6: '::/0' }, pointer: '/SecurityGroupRules/0', reason: /found CidrIpv4, CidrIpv6/ },
    { name: 'IsEgress missing', fields: { IsEgress: undefined }, pointer: '/SecurityGroupRules/0/IsEgress', reason: /required field "IsEgress"/ },
    { name: 'IsEgress as a string', fields: { IsEgress: 'false' }, pointer: '/SecurityGroupRules/0/IsEgress', reason: /true or false/ },
    { name: 'rule id missing', fields: { SecurityGroupRuleId: undefined }, pointer: '/SecurityGroupRules/0/SecurityGroupRuleId', reason: /required field/ },
    { name: 'bad CidrIpv4', fields: { CidrIpv4: '172.16.0.0/33' }, pointer: '/SecurityGroupRules/0/CidrIpv4', reason: /not a valid CIDR/ },
    { name: 'referenced group without id', fields: { CidrIpv4: undefined, ReferencedGroupInfo: { UserId: '1' } }, pointer: '/SecurityGroupRules/0/ReferencedGroupInfo/GroupId', reason: /required field "GroupId"/ },
  ])('rejects $name', ({ fields, pointer, reason }) => {
    const problems = problemsOf(rulesDoc([sgRule(fields)]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ document: 'sgr.json', pointer });
    expect(problems[0]!.reason).toMatch(reason);
  });
});

describe('inline permissions versus SecurityGroupRules', () => {
  it('uses the SecurityGroupRules of a group and drops its inline rules with a warning', () => {
    const { cloud, warnings } = translate(fixture('describe-security-groups.json'), fixture('describe-security-group-rules.json'));
    const storage = cloud.securityGroups.find((g) => g.id === 'sg-0fedcba9876543210')!;
    expect(storage.name).toBe('storage');
    expect(storage.rules.map((r) => r.id)).toEqual(['sgr-0b1c2d3e4f5a60001', 'sgr-0b1c2d3e4f5a60002']);
    expect(warnings.filter((w) => w.code === AwsWarningCode.inlineRulesReplaced)).toEqual([
      expect.objectContaining({
        source: { document: 'testdata/describe-security-groups.json', pointer: '/SecurityGroups/1' },
        message: expect.stringMatching(/sg-0fedcba9876543210.*using the 2 SecurityGroupRules and dropping the 1 inline/),
      }),
    ]);
    // The other group had no standalone rules and keeps its inline ones.
    const nodes = cloud.securityGroups.find((g) => g.id === 'sg-0123456789abcdef0')!;
    expect(nodes.rules.every((r) => r.id.startsWith('sg-0123456789abcdef0/'))).toBe(true);
    expect(nodes.rules).toHaveLength(8);
  });

  it('does not warn when the group had no inline rules', () => {
    const { cloud, warnings } = translate(groupWithIngress([]), rulesDoc([sgRule({})]));
    expect(cloud.securityGroups[0]!.name).toBe('k8s-nodes');
    expect(cloud.securityGroups[0]!.rules.map((r) => r.id)).toEqual(['sgr-0000000000000000a']);
    expect(warnings).toEqual([]);
  });

  it('is independent of document order', () => {
    const a = translate(fixture('describe-security-groups.json'), fixture('describe-security-group-rules.json'));
    const b = translate(fixture('describe-security-group-rules.json'), fixture('describe-security-groups.json'));
    const byId = (t: typeof a) => Object.fromEntries(t.cloud.securityGroups.map((g) => [g.id, g.rules.map((r) => r.id)]));
    expect(byId(b)).toEqual(byId(a));
  });
});
