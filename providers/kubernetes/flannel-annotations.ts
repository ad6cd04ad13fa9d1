/**
 * Node annotations flannel writes (or operators set) under the default
 * `--kube-annotation-prefix`. Clusters that changed the prefix are not supported.
 */
const PREFIX = 'flannel.alpha.coreos.com/';

export const FLANNEL_ANNOTATION = {
  backendType: `${PREFIX}backend-type`,
  backendData: `${PREFIX}backend-data`,
  publicIp: `${PREFIX}public-ip`,
  publicIpOverwrite: `${PREFIX}public-ip-overwrite`,
  publicIpv6: `${PREFIX}public-ipv6`,
  publicIpv6Overwrite: `${PREFIX}public-ipv6-overwrite`,
} as const;

export const OS_LABELS = ['kubernetes.io/os', 'beta.kubernetes.io/os'] as const;
