import { describe, expect, it } from 'vitest';
import { doc, fixture, problemsOf, translate } from './translate-test-support.js';

describe('describe-network-acls', () => {
  it('reads entries in both directions, both families, and the subnet associations', () => {
    const { cloud, warnings } = translate(fixture('describe-network-acls.json'));
    expect(warnings).toEqual([]);
    expect(cloud.providedKinds).toEqual(['network-acl']);
    const [defaultAcl, custom] = cloud.networkAcls;
    expect(defaultAcl).toMatchObject({
      provider: 'aws',
      id: 'acl-0d1c2b3a495867001',
      vpcId: 'vpc-0f1e2d3c4b5a69788',
      isDefault: true,
      subnetIds: ['subnet-0aa11bb22cc33dd01', 'subnet-0aa11bb22cc33dd02'],
      source: { document: 'testdata/describe-network-acls.json', pointer: '/NetworkAcls/0' },
    });
    expect(defaultAcl!.entries.map((e) => [e.ruleNumber, e.direction, e.action, e.cidr])).toEqual([
      [100, 'egress', 'allow', '0.0.0.0/0'],
      [101, 'egress', 'allow', '::/0'],
      [32767, 'egress', 'deny', '0.0.0.0/0'],
      [32768, 'egress', 'deny', '::/0'],
      [100, 'ingress', 'allow', '0.0.0.0/0'],
      [32767, 'ingress', 'deny', '0.0.0.0/0'],
    ]);
    expect(custom!.isDefault).toBe(false);
    expect(custom!.subnetIds).toEqual(['subnet-0aa11bb22cc33dd03']);
    expect(custom!.entries[0]).toStrictEqual({
      ruleNumber: 100,
      direction: 'ingress',
      action: 'allow',
      protocol: { kind: 'number', number: 17 },
      ports: { kind: 'range', from: 8472, to: 8472 },
      cidr: '172.16.0.0/16',
      source: { document: 'testdata/describe-network-acls.json', pointer: '/NetworkAcls/1/Entries/0' },
    });
  });

  const acl = (entry: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    doc('acl.json', {
      NetworkAcls: [
        {
          NetworkAclId: 'acl-1',
          Entries: [{ RuleNumber: 100, Egress: false, RuleAction: 'allow', Protocol: '-1', CidrBlock: '10.0.0.0/8', ...entry }],
          ...extra,
        },
      ],
    });

  it('canonicalizes entry CIDRs', () => {
    expect(translate(acl({ CidrBlock: '10.1.2.3/8' })).cloud.networkAcls[0]!.entries[0]!.cidr).toBe('10.0.0.0/8');
  });

  const e = '/NetworkAcls/0/Entries/0';
  it.each([
    { name: 'unknown RuleAction', entry: { RuleAction: 'reject' }, pointer: `${e}/RuleAction`, value: 'reject', reason: /"allow" or "deny"/ },
    { name: 'rule number 0', entry: { RuleNumber: 0 }, pointer: `${e}/RuleNumber`, value: 0, reason: /between 1 and 65535/ },
    { name: 'rule number missing', entry: { RuleNumber: undefined }, pointer: `${e}/RuleNumber`, value: undefined, reason: /required field/ },
    { name: 'Egress missing', entry: { Egress: undefined }, pointer: `${e}/Egress`, value: undefined, reason: /required field "Egress"/ },
    { name: 'no CIDR', entry: { CidrBlock: undefined }, pointer: e, value: undefined, reason: /found none/ },
    { name: 'both CIDRs', entry: { Ipv6CidrBlock: '::/0' }, pointer: e, value: undefined, reason: /found both/ },
    { name: 'invalid CIDR', entry: { CidrBlock: '10.0.0.0/99' }, pointer: `${e}/CidrBlock`, value: '10.0.0.0/99', reason: /not a valid CIDR/ },
    { name: 'IPv6 in CidrBlock', entry: { CidrBlock: '::/0' }, pointer: `${e}/CidrBlock`, value: '::/0', reason: /IPv4 CIDR/ },
  ])('rejects $name', ({ entry, pointer, value, reason }) => {
    const problems = problemsOf(acl(entry));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ document: 'acl.json', pointer });
    expect(problems[0]!.value).toEqual(value);
    expect(problems[0]!.reason).toMatch(reason);
  });

  it('rejects an association without SubnetId', () => {
    expect(problemsOf(acl({}, { Associations: [{ NetworkAclAssociationId: 'aclassoc-1' }] }))).toEqual([
      { document: 'acl.json', pointer: '/NetworkAcls/0/Associations/0/SubnetId', reason: 'required field "SubnetId" is missing' },
    ]);
  });
});
