import { describe, expect, it } from 'vitest';
import { AwsWarningCode } from './translate-warnings.js';
import { doc, fixture, problemsOf, translate } from './translate-test-support.js';

describe('describe-subnets', () => {
  it('makes one model subnet per CIDR; the IPv6 block keeps the AWS subnet id with family 6', () => {
    const { cloud, warnings } = translate(fixture('describe-subnets.json'));
    expect(cloud.providedKinds).toEqual(['subnet']);
    expect(cloud.subnets).toStrictEqual([
      {
        provider: 'aws',
        id: 'subnet-0aa11bb22cc33dd01',
        cidr: '172.16.10.0/24',
        family: 4,
        networkId: 'vpc-0f1e2d3c4b5a69788',
        source: { document: 'testdata/describe-subnets.json', pointer: '/Subnets/0' },
      },
      {
        provider: 'aws',
        id: 'subnet-0aa11bb22cc33dd01',
        cidr: '2600:1f18:4a3:6b00::/64',
        family: 6,
        networkId: 'vpc-0f1e2d3c4b5a69788',
        source: { document: 'testdata/describe-subnets.json', pointer: '/Subnets/0/Ipv6CidrBlockAssociationSet/0' },
      },
      expect.objectContaining({ id: 'subnet-0aa11bb22cc33dd02', cidr: '172.16.20.0/24', family: 4 }),
      expect.objectContaining({ id: 'subnet-0aa11bb22cc33dd03', cidr: '172.16.11.0/24', family: 4 }),
    ]);
    // The third subnet's IPv6 block is disassociated: left out, and said so.
    expect(warnings.map((w) => [w.code, w.source?.pointer])).toEqual([
      [AwsWarningCode.ipv6BlockNotAssociated, '/Subnets/2/Ipv6CidrBlockAssociationSet/0'],
    ]);
  });

  it('accepts an IPv6-only subnet', () => {
    const { cloud } = translate(
      doc('s.json', { Subnets: [{ SubnetId: 'subnet-6', VpcId: 'vpc-1', Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: '2001:db8:1::/64' }] }] }),
    );
    expect(cloud.subnets.map((s) => [s.id, s.cidr, s.family])).toEqual([['subnet-6', '2001:db8:1::/64', 6]]);
  });

  it.each([
    { name: 'no CIDR at all', subnet: { SubnetId: 'subnet-1' }, pointer: '/Subnets/0', reason: /neither CidrBlock nor/ },
    { name: 'bad CidrBlock', subnet: { SubnetId: 'subnet-1', CidrBlock: '172.16.10.0/2x' }, pointer: '/Subnets/0/CidrBlock', reason: /not a valid CIDR/ },
    { name: 'IPv6 in CidrBlock', subnet: { SubnetId: 'subnet-1', CidrBlock: '2001:db8::/64' }, pointer: '/Subnets/0/CidrBlock', reason: /IPv4 CIDR/ },
    {
      name: 'IPv4 in the IPv6 set',
      subnet: { SubnetId: 'subnet-1', Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: '10.0.0.0/8' }] },
      pointer: '/Subnets/0/Ipv6CidrBlockAssociationSet/0/Ipv6CidrBlock',
      reason: /IPv6 CIDR/,
    },
    { name: 'missing SubnetId', subnet: { CidrBlock: '10.0.0.0/24' }, pointer: '/Subnets/0/SubnetId', reason: /required field/ },
  ])('rejects $name', ({ subnet, pointer, reason }) => {
    const problems = problemsOf(doc('s.json', { Subnets: [subnet] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ document: 's.json', pointer });
    expect(problems[0]!.reason).toMatch(reason);
  });
});
