import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addLiveOptions, liveOptionsFrom, type LiveCliOptions } from './live-options.js';
import { awsFileName } from './commands/collect.js';

function parse(args: string[]): LiveCliOptions {
  const cmd = addLiveOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => {} }));
  cmd.parse(args, { from: 'user' });
  return cmd.opts<LiveCliOptions>();
}

describe('live CLI options', () => {
  it.each([
    { args: [], live: {} },
    { args: ['--kubeconfig', 'k.yaml', '--context', 'prod'], live: { kubernetes: { kubeconfig: 'k.yaml', context: 'prod' } } },
    { args: ['--in-cluster'], live: { kubernetes: { inCluster: true } } },
    { args: ['--aws-region', 'eu-west-1'], live: { aws: { region: 'eu-west-1' } } },
    { args: ['--aws-profile', 'audit'], live: { aws: { profile: 'audit' } } },
    { args: ['--aws-live', '--aws-max-attempts', '5', '--aws-retry-mode', 'adaptive'], live: { aws: { maxAttempts: 5, retryMode: 'adaptive' } } },
    { args: ['--aws-region', 'r', '--aws-vpc-id', 'vpc-1', 'vpc-2'], live: { aws: { region: 'r', vpcIds: ['vpc-1', 'vpc-2'] } } },
    {
      args: ['--context', 'c', '--flannel-configmap', 'net/a', '--flannel-configmap', 'kube-system/canal-config'],
      live: { kubernetes: { context: 'c', flannelConfigMaps: [{ namespace: 'net', name: 'a' }, { namespace: 'kube-system', name: 'canal-config' }] } },
    },
  ])('$args', ({ args, live }) => {
    expect(liveOptionsFrom(parse(args))).toEqual(live);
  });

  it.each([
    ['--flannel-configmap', 'no-slash'],
    ['--flannel-configmap', 'Kube/X'],
    ['--aws-max-attempts', '0'],
    ['--aws-retry-mode', 'legacy'],
  ])('rejects %s %s', (flag, value) => {
    expect(() => parse([flag, value])).toThrow();
  });
});

describe('awsFileName', () => {
  it.each([
    { name: 'live:aws/describe-subnets', file: 'aws-describe-subnets.json' },
    { name: 'live:aws/get-managed-prefix-list-entries/pl-0123', file: 'aws-get-managed-prefix-list-entries-pl-0123.json' },
    { name: '/tmp/exports/sgs.json', file: 'aws-file-3-sgs.json' },
  ])('$name -> $file', ({ name, file }) => {
    expect(awsFileName({ name, body: {} }, 2)).toBe(file);
  });
});
