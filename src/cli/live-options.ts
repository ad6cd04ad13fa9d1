import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseConfigMapRef, type ConfigMapRef } from '../../providers/kubernetes/flannel-configmaps.js';
import type { LiveOptions } from '../inputs/live.js';
import { parsePositiveInt } from './parse-options.js';

/** The live-source flags shared by `audit` and `collect`. */
export interface LiveCliOptions {
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  flannelConfigmap?: ConfigMapRef[];
  awsRegion?: string;
  awsProfile?: string;
  /** Live AWS with region and credentials from the environment alone. */
  awsLive?: boolean;
  awsVpcId?: string[];
  awsMaxAttempts?: number;
  awsRetryMode?: 'standard' | 'adaptive';
}

export function addLiveOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'read nodes and the flannel ConfigMap live from this cluster')
    .option('--context <name>', 'kubeconfig context to use (default: its current-context)')
    .option('--in-cluster', 'read the cluster with the pod service account (see deploy/rbac.yaml)')
    .option(
      '--flannel-configmap <namespace/name...>',
      'ConfigMaps to try for net-conf.json, in order (default kube-flannel/kube-flannel-cfg kube-system/kube-flannel-cfg kube-system/canal-config)',
      collectConfigMaps,
    )
    .option('--aws-region <region>', 'read security groups, NACLs, subnets and prefix lists live from EC2 in this region')
    .option('--aws-profile <name>', 'shared config/credentials profile for live EC2 (implies live AWS)')
    .option('--aws-live', 'live EC2 with region and credentials from the environment (AWS_REGION, AWS_PROFILE, IMDS, …)')
    .option('--aws-vpc-id <id...>', 'look up VTEP IPs only in these VPCs (when private IPs repeat across VPCs)')
    .option('--aws-max-attempts <n>', 'attempts per EC2 request, retries included (default AWS_MAX_ATTEMPTS or 3)', parsePositiveInt('--aws-max-attempts'))
    .addOption(
      new Option('--aws-retry-mode <mode>', 'SDK retry mode (default AWS_RETRY_MODE or standard)').choices(['standard', 'adaptive']),
    );
}

function collectConfigMaps(value: string, previous: ConfigMapRef[] | undefined): ConfigMapRef[] {
  try {
    return [...(previous ?? []), parseConfigMapRef(value)];
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** Which live sources the flags ask for; undefined parts are not collected. */
export function liveOptionsFrom(opts: LiveCliOptions): LiveOptions {
  const live: LiveOptions = {};
  if (opts.kubeconfig !== undefined || opts.context !== undefined || opts.inCluster) {
    live.kubernetes = {
      ...(opts.kubeconfig !== undefined && { kubeconfig: opts.kubeconfig }),
      ...(opts.context !== undefined && { context: opts.context }),
      ...(opts.inCluster && { inCluster: true }),
      ...(opts.flannelConfigmap !== undefined && { flannelConfigMaps: opts.flannelConfigmap }),
    };
  }
  if (opts.awsRegion !== undefined || opts.awsProfile !== undefined || opts.awsLive) {
    live.aws = {
      ...(opts.awsRegion !== undefined && { region: opts.awsRegion }),
      ...(opts.awsProfile !== undefined && { profile: opts.awsProfile }),
      ...(opts.awsVpcId !== undefined && { vpcIds: opts.awsVpcId }),
      ...(opts.awsMaxAttempts !== undefined && { maxAttempts: opts.awsMaxAttempts }),
      ...(opts.awsRetryMode !== undefined && { retryMode: opts.awsRetryMode }),
    };
  }
  return live;
}
