import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../src/model/source.js';
import { awsInterface, ENI_LISTS, entryFields, type AwsInterfaceFields, type EntryList } from './translate-interfaces.js';
import { asObject, at, child, optArray, type At, type JsonObject } from './translate-read.js';
import { withoutUndefined } from './translate-util.js';
import { AwsWarningCode } from './translate-warnings.js';
import { doc, fixture, problemsOf, translate } from './translate-test-support.js';

const eniDoc = (enis: unknown[], name = 'enis.json') => doc(name, { NetworkInterfaces: enis });
const instancesDoc = (instances: unknown[], name = 'instances.json') =>
  doc(name, { Reservations: [{ ReservationId: 'r-1', Instances: instances }] });

describe('describe-instances', () => {
  it('reads every ENI of every instance with its addresses, prefixes and groups', () => {
    const { cloud, warnings } = translate(fixture('describe-instances.json'));
    expect(warnings).toEqual([]);
    expect(cloud.providedKinds).toEqual(['network-interface']);
    expect(cloud.interfaces).toStrictEqual([
      {
        provider: 'aws',
        id: 'eni-0a1b2c3d4e5f60a01',
        instanceId: 'i-0a1b2c3d4e5f60001',
        networkId: 'vpc-0f1e2d3c4b5a69788',
        addresses: [
          { ip: '172.16.10.11', subnetId: 'subnet-0aa11bb22cc33dd01' },
          { ip: '172.16.10.21', subnetId: 'subnet-0aa11bb22cc33dd01' },
          { ip: '2600:1f18:4a3:6b00:8e2f:1a7c:51d0:9a11', subnetId: 'subnet-0aa11bb22cc33dd01' },
        ],
        allowedAddressPairs: ['172.16.10.48/28'],
        securityGroupIds: ['sg-0123456789abcdef0'],
        portSecurity: 'enabled',
        sourceDestCheck: true,
        source: { document: 'testdata/describe-instances.json', pointer: '/Reservations/0/Instances/0/NetworkInterfaces/0' },
      },
      {
        provider: 'aws',
        id: 'eni-0a1b2c3d4e5f60a02',
        instanceId: 'i-0a1b2c3d4e5f60001',
        networkId: 'vpc-0f1e2d3c4b5a69788',
        addresses: [{ ip: '172.16.20.11', subnetId: 'subnet-0aa11bb22cc33dd02' }],
        allowedAddressPairs: [],
        securityGroupIds: ['sg-0fedcba9876543210'],
        portSecurity: 'enabled',
        sourceDestCheck: true,
        source: { document: 'testdata/describe-instances.json', pointer: '/Reservations/0/Instances/0/NetworkInterfaces/1' },
      },
      {
        provider: 'aws',
        id: 'eni-0a1b2c3d4e5f60b01',
        instanceId: 'i-0a1b2c3d4e5f60002',
        networkId: 'vpc-0f1e2d3c4b5a69788',
        addresses: [{ ip: '172.16.11.12', subnetId: 'subnet-0aa11bb22cc33dd03' }],
        allowedAddressPairs: [],
        securityGroupIds: ['sg-0123456789abcdef0'],
        portSecurity: 'enabled',
        // The ENI entry lacks SourceDestCheck; the instance-level value belongs to its primary ENI.
        sourceDestCheck: false,
        source: { document: 'testdata/describe-instances.json', pointer: '/Reservations/1/Instances/0/NetworkInterfaces/0' },
      },
    ]);
  });

  it('does not give a secondary ENI the instance-level SourceDestCheck', () => {
    const { cloud } = translate(
      instancesDoc([
        {
          InstanceId: 'i-1',
          SourceDestCheck: false,
          NetworkInterfaces: [{ NetworkInterfaceId: 'eni-2', Attachment: { DeviceIndex: 1 }, PrivateIpAddress: '10.0.0.2' }],
        },
      ]),
    );
    expect(cloud.interfaces[0]!.sourceDestCheck).toBeUndefined();
  });

  it('falls back to PrivateIpAddress when PrivateIpAddresses is absent', () => {
    const { cloud } = translate(
      instancesDoc([{ InstanceId: 'i-1', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', PrivateIpAddress: '10.0.0.5' }] }]),
    );
    expect(cloud.interfaces[0]!.addresses).toEqual([{ ip: '10.0.0.5' }]);
  });

  it('reports an instance without NetworkInterfaces as unavailable by address, with a warning', () => {
    const { cloud, warnings } = translate(
      instancesDoc([{ InstanceId: 'i-trimmed', PrivateIpAddress: '10.0.0.9', SecurityGroups: [{ GroupId: 'sg-1' }] }]),
    );
    expect(cloud.interfaces).toEqual([]);
    expect(cloud.unavailable).toEqual([
      { kind: 'network-interface', ip: '10.0.0.9', reason: expect.stringContaining('i-trimmed') },
    ]);
    expect(warnings.map((w) => [w.code, w.source?.pointer])).toEqual([
      [AwsWarningCode.instanceWithoutInterfaces, '/Reservations/0/Instances/0'],
    ]);
  });

  it('drops that unavailable entry when another export describes the ENI owning the address', () => {
    const { cloud } = translate(
      instancesDoc([{ InstanceId: 'i-1', PrivateIpAddress: '10.0.0.9' }]),
      eniDoc([{ NetworkInterfaceId: 'eni-9', Attachment: { InstanceId: 'i-1' }, PrivateIpAddress: '10.0.0.9' }]),
    );
    expect(cloud.unavailable).toEqual([]);
    expect(cloud.interfaces.map((i) => [i.id, i.instanceId])).toEqual([['eni-9', 'i-1']]);
  });
});

describe('describe-network-interfaces', () => {
  it('takes the instance id from the attachment and keeps an absent SourceDestCheck undefined', () => {
    const { cloud } = translate(
      eniDoc([
        {
          NetworkInterfaceId: 'eni-1',
          Attachment: { InstanceId: 'i-1', DeviceIndex: 0 },
          SubnetId: 'subnet-1',
          VpcId: 'vpc-1',
          Groups: [{ GroupId: 'sg-1', GroupName: 'a' }, { GroupId: 'sg-2', GroupName: 'b' }],
          PrivateIpAddress: '10.0.0.1',
          PrivateIpAddresses: [{ PrivateIpAddress: '10.0.0.1', Primary: true }],
          Ipv6Addresses: [{ Ipv6Address: '2001:db8::1' }],
          Ipv4Prefixes: [{ Ipv4Prefix: '10.0.0.16/28' }],
          Ipv6Prefixes: [{ Ipv6Prefix: '2001:db8:0:0:1::/80' }],
        },
        { NetworkInterfaceId: 'eni-unattached', SubnetId: 'subnet-1', PrivateIpAddress: '10.0.0.2', SourceDestCheck: false },
      ]),
    );
    expect(cloud.interfaces[0]).toMatchObject({
      id: 'eni-1',
      instanceId: 'i-1',
      networkId: 'vpc-1',
      securityGroupIds: ['sg-1', 'sg-2'],
      addresses: [
        { ip: '10.0.0.1', subnetId: 'subnet-1' },
        { ip: '2001:db8::1', subnetId: 'subnet-1' },
      ],
      allowedAddressPairs: ['10.0.0.16/28', '2001:db8:0:0:1::/80'],
      portSecurity: 'enabled',
      source: { document: 'enis.json', pointer: '/NetworkInterfaces/0' },
    });
    expect('sourceDestCheck' in cloud.interfaces[0]!).toBe(false);
    expect(cloud.interfaces[1]).toMatchObject({ id: 'eni-unattached', sourceDestCheck: false });
    expect('instanceId' in cloud.interfaces[1]!).toBe(false);
  });

  it.each([
    { name: 'bad private IP', eni: { NetworkInterfaceId: 'eni-1', PrivateIpAddresses: [{ PrivateIpAddress: '10.0.0.256' }] }, pointer: '/NetworkInterfaces/0/PrivateIpAddresses/0/PrivateIpAddress', value: '10.0.0.256' },
    { name: 'CIDR where an IP belongs', eni: { NetworkInterfaceId: 'eni-1', Ipv6Addresses: [{ Ipv6Address: '2001:db8::/64' }] }, pointer: '/NetworkInterfaces/0/Ipv6Addresses/0/Ipv6Address', value: '2001:db8::/64' },
    { name: 'bad delegated prefix', eni: { NetworkInterfaceId: 'eni-1', Ipv4Prefixes: [{ Ipv4Prefix: '10.0.0.0/40' }] }, pointer: '/NetworkInterfaces/0/Ipv4Prefixes/0/Ipv4Prefix', value: '10.0.0.0/40' },
    { name: 'group without id', eni: { NetworkInterfaceId: 'eni-1', Groups: [{ GroupName: 'default' }] }, pointer: '/NetworkInterfaces/0/Groups/0/GroupId', value: undefined },
    { name: 'missing ENI id', eni: { PrivateIpAddress: '10.0.0.1' }, pointer: '/NetworkInterfaces/0/NetworkInterfaceId', value: undefined },
    { name: 'SourceDestCheck as string', eni: { NetworkInterfaceId: 'eni-1', SourceDestCheck: 'false' }, pointer: '/NetworkInterfaces/0/SourceDestCheck', value: 'false' },
  ])('rejects $name', ({ eni, pointer, value }) => {
    const problems = problemsOf(eniDoc([eni]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ document: 'enis.json', pointer });
    expect(problems[0]!.value).toEqual(value);
  });
});

describe('one ENI in both exports', () => {
  it('merges into one interface without warnings when the views agree', () => {
    const { cloud, warnings } = translate(fixture('describe-instances.json'), fixture('describe-network-interfaces.json'));
    expect(warnings).toEqual([]);
    expect(cloud.interfaces.map((i) => i.id)).toEqual([
      'eni-0a1b2c3d4e5f60a01',
      'eni-0a1b2c3d4e5f60a02',
      'eni-0a1b2c3d4e5f60b01',
      'eni-0a1b2c3d4e5f60c01',
    ]);
    expect(cloud.interfaces[0]!.source.document).toBe('testdata/describe-network-interfaces.json');
  });

  it.each([
    { order: 'instances first', eniFirst: false },
    { order: 'network interfaces first', eniFirst: true },
  ])('lets the describe-network-interfaces groups win on conflict ($order)', ({ eniFirst }) => {
    const instances = instancesDoc([
      {
        InstanceId: 'i-1',
        SourceDestCheck: true,
        NetworkInterfaces: [
          { NetworkInterfaceId: 'eni-1', Attachment: { DeviceIndex: 0 }, Groups: [{ GroupId: 'sg-old' }], PrivateIpAddress: '10.0.0.1', VpcId: 'vpc-1' },
        ],
      },
    ]);
    const enis = eniDoc([{ NetworkInterfaceId: 'eni-1', Groups: [{ GroupId: 'sg-new' }], PrivateIpAddress: '10.0.0.1' }]);
    const { cloud, warnings } = eniFirst ? translate(enis, instances) : translate(instances, enis);
    expect(cloud.interfaces).toHaveLength(1);
    // Fields only the instance view has are kept.
    expect(cloud.interfaces[0]).toMatchObject({
      id: 'eni-1',
      securityGroupIds: ['sg-new'],
      instanceId: 'i-1',
      networkId: 'vpc-1',
      sourceDestCheck: true,
      source: { document: 'enis.json', pointer: '/NetworkInterfaces/0' },
    });
    expect(warnings).toEqual([
      {
        code: AwsWarningCode.interfaceViewConflict,
        message: expect.stringMatching(/eni-1: security groups differ between instances\.json#.*\[sg-old\] and enis\.json#\/NetworkInterfaces\/0 \[sg-new\]/),
        source: { document: 'enis.json', pointer: '/NetworkInterfaces/0' },
      },
    ]);
  });

  it('treats the same groups in another order as no conflict', () => {
    const { warnings } = translate(
      instancesDoc([{ InstanceId: 'i-1', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', Groups: [{ GroupId: 'sg-a' }, { GroupId: 'sg-b' }] }] }]),
      eniDoc([{ NetworkInterfaceId: 'eni-1', Groups: [{ GroupId: 'sg-b' }, { GroupId: 'sg-a' }] }]),
    );
    expect(warnings).toEqual([]);
  });

  it('warns on conflicting addresses and SourceDestCheck too', () => {
    const { warnings } = translate(
      instancesDoc([{ InstanceId: 'i-1', NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', PrivateIpAddress: '10.0.0.1', SourceDestCheck: true }] }]),
      eniDoc([{ NetworkInterfaceId: 'eni-1', PrivateIpAddress: '10.0.0.2', SourceDestCheck: false }]),
    );
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/addresses differ .*\[10\.0\.0\.1\].*\[10\.0\.0\.2\]/),
      expect.stringMatching(/SourceDestCheck is true in .* and false in /),
    ]);
  });
});

/** The value a reader returns, or the problems of the InputError it throws. */
function outcome(read: () => unknown): unknown {
  try {
    return { value: read() };
  } catch (err) {
    if (err instanceof InputError) return { problems: err.problems };
    throw err;
  }
}

describe('entryFields, the fast reader of ENI entry lists', () => {
  // The obvious version it must agree with: every entry read through its position.
  const obvious = (eni: JsonObject, list: EntryList, where: At): string[] => {
    const listAt = child(where, list.listKey);
    return optArray(eni, list.listKey, where).map((entry, i) => {
      const entryAt = child(listAt, i);
      return list.read(asObject(entry, entryAt, list.what), list.key, entryAt);
    });
  };

  const text = fc.constantFrom('10.0.0.5', '10.0.0.5/24', '10.0.0.0/24', '2600:1f18::1', '2600:1f18::/56', '2600:1F18::/56', 'sg-1', '', ' 10.0.0.5', '10.0.0.256', 'a/b~c');
  const field = fc.oneof(text, fc.constantFrom(undefined, null, 42, true, ['sg-1'], { x: 1 }));
  const entry = (key: string) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.tuple(field, fc.boolean()).map(([v, primary]) => (v === undefined ? { Primary: primary } : { Primary: primary, [key]: v })) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'sg-1', 7, [], ['10.0.0.5']) },
    );
  const lists = Object.values(ENI_LISTS) as EntryList[];

  it('returns what the obvious version returns, or throws the same problem', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...lists).chain((list) =>
          fc.tuple(fc.constant(list), fc.oneof({ weight: 6, arbitrary: fc.array(entry(list.key), { maxLength: 5 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'x', {}) })),
        ),
        ([list, entries]) => {
          const eni: JsonObject = entries === undefined ? {} : { [list.listKey]: entries };
          const where = at('enis.json', '/NetworkInterfaces/3');
          expect(outcome(() => entryFields(eni, list, where))).toEqual(outcome(() => obvious(eni, list, where)));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('awsInterface', () => {
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const fields = fc
    .record({
      id: fc.constantFrom('eni-1', 'eni-2'),
      instanceId: optional(fc.constantFrom('i-1', 'i-2')),
      networkId: optional(fc.constant('vpc-1')),
      sourceDestCheck: optional(fc.boolean()),
    })
    .map(
      (f): AwsInterfaceFields => ({
        ...f,
        addresses: [{ ip: '10.0.0.5', subnetId: 'subnet-1' }],
        allowedAddressPairs: ['10.0.1.0/28'],
        securityGroupIds: ['sg-1'],
        source: { document: 'enis.json', pointer: '/NetworkInterfaces/0' },
      }),
    );

  it('is withoutUndefined of the fields, key order included', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const { id, instanceId, networkId, addresses, allowedAddressPairs, securityGroupIds, sourceDestCheck, source } = f;
        const plain = withoutUndefined({ provider: 'aws', id, instanceId, networkId, addresses, allowedAddressPairs, securityGroupIds, portSecurity: 'enabled', sourceDestCheck, source });
        const built = awsInterface(f);
        expect(built).toStrictEqual(plain);
        expect(Object.keys(built)).toEqual(Object.keys(plain));
      }),
      { numRuns: 500 },
    );
  });
});
