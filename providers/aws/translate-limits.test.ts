import { describe, expect, it } from 'vitest';
import { InputError, type InputProblem } from '../../src/model/source.js';
import { translateAwsDocuments } from './translate.js';

function problemsOf(body: unknown): InputProblem[] {
  try {
    translateAwsDocuments([{ name: 'ec2.json', body }]);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

const eni = (fields: Record<string, unknown>) => ({
  NetworkInterfaceId: 'eni-0a1',
  SubnetId: 'subnet-a',
  VpcId: 'vpc-1',
  PrivateIpAddress: '172.16.10.11',
  PrivateIpAddresses: [{ PrivateIpAddress: '172.16.10.11', Primary: true }],
  Groups: [{ GroupId: 'sg-1' }],
  ...fields,
});

describe('translateAwsDocuments: stricter fields', () => {
  it('refuses an ENI PrivateIpAddress that is not an IP even when PrivateIpAddresses lists a good one', () => {
    expect(problemsOf({ NetworkInterfaces: [eni({ PrivateIpAddress: 'not-an-ip' })] })).toEqual([
      { document: 'ec2.json', pointer: '/NetworkInterfaces/0/PrivateIpAddress', reason: '"PrivateIpAddress" is not a valid IP address', value: 'not-an-ip' },
    ]);
  });

  it('refuses a bad PrivateIpAddresses[].PrivateIpAddress', () => {
    expect(problemsOf({ NetworkInterfaces: [eni({ PrivateIpAddresses: [{ PrivateIpAddress: 'not-an-ip' }] })] })).toEqual([
      { document: 'ec2.json', pointer: '/NetworkInterfaces/0/PrivateIpAddresses/0/PrivateIpAddress', reason: '"PrivateIpAddress" is not a valid IP address', value: 'not-an-ip' },
    ]);
  });

  it('refuses an instance PrivateIpAddress that is not an IP', () => {
    const body = { Reservations: [{ Instances: [{ InstanceId: 'i-1', PrivateIpAddress: 'not-an-ip', NetworkInterfaces: [] }] }] };
    expect(problemsOf(body)).toEqual([{ document: 'ec2.json', pointer: '/Reservations/0/Instances/0/PrivateIpAddress', reason: '"PrivateIpAddress" is not a valid IP address', value: 'not-an-ip' }]);
  });

  it.each(['IpPermissions', 'IpPermissionsEgress'])('refuses %s: null (a list when present), which would read as "no rules"', (key) => {
    expect(problemsOf({ SecurityGroups: [{ GroupId: 'sg-1', [key]: null }] })).toEqual([
      { document: 'ec2.json', pointer: `/SecurityGroups/0/${key}`, reason: `expected "${key}" to be a list when present`, value: null },
    ]);
  });

  it('still reads absent permission lists as none', () => {
    expect(translateAwsDocuments([{ name: 'ec2.json', body: { SecurityGroups: [{ GroupId: 'sg-1' }] } }]).cloud.securityGroups[0]!.rules).toEqual([]);
  });

  it.each([
    ['a group id', { SecurityGroups: [{ GroupId: `sg-${'0'.repeat(300)}` }] }, '/SecurityGroups/0/GroupId', 'GroupId', 303],
    ['a group name', { SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'd'.repeat(256) }] }, '/SecurityGroups/0/GroupName', 'GroupName', 256],
    ['an ENI group id', { NetworkInterfaces: [eni({ Groups: [{ GroupId: `sg-${'1'.repeat(300)}` }] })] }, '/NetworkInterfaces/0/Groups/0/GroupId', 'GroupId', 303],
  ])('refuses %s longer than 255 characters with its length and the limit', (_what, body, pointer, key, length) => {
    expect(problemsOf(body)).toContainEqual(expect.objectContaining({ document: 'ec2.json', pointer, reason: `"${key}" is ${length} characters long; EC2 allows at most 255` }));
  });
});
