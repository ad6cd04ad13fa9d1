import type {
  DescribeNetworkInterfacesCommandOutput,
  DescribeSecurityGroupRulesCommandOutput,
  GetManagedPrefixListEntriesCommandOutput,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/source.js';
import { translateAwsDocuments } from './translate.js';
import { AwsWarningCode } from './translate-warnings.js';
import { doc, fixture, groupWithIngress, problemsOf, rulesDoc, sgRule, translate } from './translate-test-support.js';

const ALL_FIXTURES = [
  'describe-instances.json',
  'describe-network-interfaces.json',
  'describe-security-groups.json',
  'describe-security-group-rules.json',
  'describe-network-acls.json',
  'describe-subnets.json',
  'pl-0a1b2c3d4e5f60789.json',
  'describe-managed-prefix-lists.json',
];

describe('translateAwsDocuments: documents', () => {
  it('translates a full set of CLI exports', () => {
    const { cloud, warnings } = translate(...ALL_FIXTURES.map(fixture));
    expect([...cloud.providedKinds].sort()).toEqual(['network-acl', 'network-interface', 'prefix-list', 'security-group', 'subnet']);
    expect(cloud.interfaces).toHaveLength(4);
    expect(cloud.securityGroups.map((g) => g.id)).toEqual(['sg-0123456789abcdef0', 'sg-0fedcba9876543210', 'sg-0aaaabbbbccccdddd']);
    expect(cloud.networkAcls).toHaveLength(2);
    expect(cloud.subnets).toHaveLength(4);
    expect(cloud.prefixLists.map((p) => p.id)).toEqual(['pl-0a1b2c3d4e5f60789']);
    expect(cloud.addressGroups).toEqual([]);
    expect(warnings.map((w) => w.code).sort()).toEqual(
      [AwsWarningCode.inlineRulesReplaced, AwsWarningCode.ipv6BlockNotAssociated, AwsWarningCode.prefixListEntriesMissing].sort(),
    );
  });

  it('reads several exports from one document', () => {
    const { cloud } = translate(
      doc('combined.json', {
        SecurityGroups: [{ GroupId: 'sg-1', IpPermissions: [], IpPermissionsEgress: [] }],
        Subnets: [{ SubnetId: 'subnet-1', CidrBlock: '10.0.0.0/24' }],
      }),
    );
    expect(cloud.securityGroups.map((g) => g.id)).toEqual(['sg-1']);
    expect(cloud.subnets.map((s) => s.id)).toEqual(['subnet-1']);
    expect([...cloud.providedKinds].sort()).toEqual(['security-group', 'subnet']);
  });

  it('accepts AWS SDK v3 outputs and ignores $metadata', () => {
    const { cloud, warnings } = translate(
      doc('live:aws', {
        $metadata: { httpStatusCode: 200, requestId: '6b1c…', attempts: 1, totalRetryDelay: 0 },
        SecurityGroupRules: [sgRule({})],
      }),
    );
    expect(warnings).toEqual([]);
    expect(cloud.securityGroups[0]!.rules[0]!.id).toBe('sgr-0000000000000000a');
  });

  it('reads objects typed as the SDK v3 command outputs', () => {
    const metadata = { httpStatusCode: 200, requestId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', attempts: 1, totalRetryDelay: 0 };
    const enis: DescribeNetworkInterfacesCommandOutput = {
      $metadata: metadata,
      NetworkInterfaces: [
        {
          NetworkInterfaceId: 'eni-1',
          Attachment: { InstanceId: 'i-1', DeviceIndex: 0 },
          Groups: [{ GroupId: 'sg-1', GroupName: 'nodes' }],
          PrivateIpAddresses: [{ PrivateIpAddress: '10.0.0.1', Primary: true }],
          SubnetId: 'subnet-1',
          VpcId: 'vpc-1',
          SourceDestCheck: false,
        },
      ],
    };
    const rules: DescribeSecurityGroupRulesCommandOutput = {
      $metadata: metadata,
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-1',
          GroupId: 'sg-1',
          IsEgress: false,
          IpProtocol: 'udp',
          FromPort: 8472,
          ToPort: 8472,
          ReferencedGroupInfo: { GroupId: 'sg-1', UserId: '111122223333' },
        },
      ],
    };
    const entries: GetManagedPrefixListEntriesCommandOutput & { PrefixListId: string } = {
      $metadata: metadata,
      PrefixListId: 'pl-63a5400a',
      Entries: [{ Cidr: '10.0.0.0/8' }],
    };
    const { cloud, warnings } = translate(doc('live:aws/enis', enis), doc('live:aws/rules', rules), doc('live:aws/pl', entries));
    expect(warnings).toEqual([]);
    expect(cloud.interfaces.map((i) => [i.id, i.instanceId, i.sourceDestCheck, i.securityGroupIds])).toEqual([['eni-1', 'i-1', false, ['sg-1']]]);
    expect(cloud.securityGroups[0]!.rules[0]!.peer).toEqual({ kind: 'security-group', groupId: 'sg-1', ownerId: '111122223333' });
    expect(cloud.prefixLists.map((p) => p.id)).toEqual(['pl-63a5400a']);
  });

  it('an empty export still says which kind it provided', () => {
    const { cloud } = translate(doc('acls.json', { NetworkAcls: [] }));
    expect(cloud.providedKinds).toEqual(['network-acl']);
    expect(cloud.networkAcls).toEqual([]);
  });

  it('warns that a page with a NextToken is incomplete', () => {
    const { warnings } = translate(doc('page1.json', { NetworkInterfaces: [], NextToken: 'eyJ2IjoiMiJ9' }));
    expect(warnings.map((w) => [w.code, w.source?.pointer])).toEqual([[AwsWarningCode.partialPage, '/NextToken']]);
  });

  it('warns about unrecognized keys next to a recognized one', () => {
    const { warnings } = translate(doc('sg.json', { SecurityGroups: [], ResponseMetadata: {} }));
    expect(warnings).toEqual([
      {
        code: AwsWarningCode.ignoredKey,
        message: expect.stringContaining('"ResponseMetadata"'),
        source: { document: 'sg.json', pointer: '/ResponseMetadata' },
      },
    ]);
  });

  it.each([
    { name: 'unknown top-level keys', body: { Vpcs: [], RouteTables: [] }, reason: /found top-level keys \[Vpcs, RouteTables\], expected at least one of \[Reservations, NetworkInterfaces, SecurityGroups, SecurityGroupRules, NetworkAcls, Subnets, Entries, PrefixLists\]/ },
    { name: 'an empty object', body: {}, reason: /found top-level keys \[\]/ },
    { name: 'only envelope keys', body: { $metadata: {}, NextToken: 'x' }, reason: /found top-level keys \[\$metadata, NextToken\]/ },
    { name: 'PrefixListId without Entries', body: { PrefixListId: 'pl-63a5400a' }, reason: /found top-level keys \[PrefixListId\]/ },
    { name: 'a bare list', body: [{ GroupId: 'sg-1' }], reason: /expected an EC2 export .* to be a JSON object/ },
    { name: 'null', body: null, reason: /to be a JSON object/ },
  ])('rejects $name at the document root', ({ body, reason }) => {
    const problems = problemsOf(doc('export.json', body));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ document: 'export.json', pointer: '' });
    expect(problems[0]!.reason).toMatch(reason);
  });

  it('rejects a recognized key that is not a list', () => {
    expect(problemsOf(doc('sg.json', { SecurityGroups: { GroupId: 'sg-1' } }))).toEqual([
      { document: 'sg.json', pointer: '/SecurityGroups', value: { GroupId: 'sg-1' }, reason: 'expected "SecurityGroups" to be a list' },
    ]);
  });

  it('reports every bad entry of every document in one InputError', () => {
    let error: unknown;
    try {
      translateAwsDocuments([
        groupWithIngress([
          { IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, IpRanges: [{ CidrIp: 'bad' }] },
          { IpProtocol: 'xyz', IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        ]),
        rulesDoc([sgRule({ IsEgress: undefined })]),
        doc('other.json', { Foo: 1 }),
      ]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    const problems = (error as InputError).problems;
    expect(problems.map((p) => `${p.document}#${p.pointer}`)).toEqual([
      'sg.json#/SecurityGroups/0/IpPermissions/0/IpRanges/0/CidrIp',
      'sg.json#/SecurityGroups/0/IpPermissions/1/IpProtocol',
      'sgr.json#/SecurityGroupRules/0/IsEgress',
      'other.json#',
    ]);
    expect((error as InputError).message).toContain('sg.json#/SecurityGroups/0/IpPermissions/0/IpRanges/0/CidrIp: "CidrIp" is not a valid CIDR');
  });

  it('keeps reading other entries of a list after a bad one', () => {
    const problems = problemsOf(
      doc('enis.json', {
        NetworkInterfaces: [
          { NetworkInterfaceId: 'eni-1', PrivateIpAddress: 'x' },
          { NetworkInterfaceId: 'eni-2' },
          { NetworkInterfaceId: 'eni-3', PrivateIpAddress: 'y' },
        ],
      }),
    );
    expect(problems.map((p) => p.pointer)).toEqual(['/NetworkInterfaces/0/PrivateIpAddress', '/NetworkInterfaces/2/PrivateIpAddress']);
  });
});

describe('translateAwsDocuments: the same object in several files', () => {
  it('merges identical copies silently and keeps the first source', () => {
    const { cloud, warnings } = translate(
      { ...fixture('describe-network-acls.json'), name: 'a/acls.json' },
      { ...fixture('describe-network-acls.json'), name: 'b/acls.json' },
    );
    expect(warnings).toEqual([]);
    expect(cloud.networkAcls.map((a) => a.source.document)).toEqual(['a/acls.json', 'a/acls.json']);
  });

  it.each([
    {
      kind: 'security group',
      first: groupWithIngress([{ IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }]),
      second: { ...groupWithIngress([{ IpProtocol: 'udp', FromPort: 4789, ToPort: 4789, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }]), name: 'sg-later.json' },
      pick: (c: ReturnType<typeof translate>['cloud']) => c.securityGroups.map((g) => g.rules.map((r) => r.ports)),
      expected: [[{ kind: 'range', from: 4789, to: 4789 }]],
    },
    {
      kind: 'security group rule',
      first: rulesDoc([sgRule({ CidrIpv4: '10.0.0.0/8' })], 'sgr-a.json'),
      second: rulesDoc([sgRule({ CidrIpv4: '10.1.0.0/16' })], 'sgr-b.json'),
      pick: (c: ReturnType<typeof translate>['cloud']) => c.securityGroups.map((g) => g.rules.map((r) => r.peer)),
      expected: [[{ kind: 'cidr', cidr: '10.1.0.0/16' }]],
    },
    {
      kind: 'subnet',
      first: doc('s1.json', { Subnets: [{ SubnetId: 'subnet-1', CidrBlock: '10.0.0.0/24' }] }),
      second: doc('s2.json', { Subnets: [{ SubnetId: 'subnet-1', CidrBlock: '10.0.1.0/24' }] }),
      pick: (c: ReturnType<typeof translate>['cloud']) => c.subnets.map((s) => s.cidr),
      expected: ['10.0.1.0/24'],
    },
    {
      kind: 'prefix list',
      first: doc('pl-63a5400a.json', { Entries: [{ Cidr: '10.0.0.0/8' }] }),
      second: doc('later/pl-63a5400a.json', { Entries: [{ Cidr: '10.0.0.0/8' }, { Cidr: '192.168.0.0/16' }] }),
      pick: (c: ReturnType<typeof translate>['cloud']) => c.prefixLists.map((p) => p.cidrs),
      expected: [['10.0.0.0/8', '192.168.0.0/16']],
    },
  ])('lets the later $kind win with a warning naming both files', ({ first, second, pick, expected }) => {
    const { cloud, warnings } = translate(first, second);
    expect(pick(cloud)).toEqual(expected);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.code).toBe(AwsWarningCode.duplicateObject);
    expect(warnings[0]!.message).toContain(first.name);
    expect(warnings[0]!.message).toContain(second.name);
    expect(warnings[0]!.source?.document).toBe(second.name);
  });
});
