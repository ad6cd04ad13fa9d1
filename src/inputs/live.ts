import type { EC2Client } from '@aws-sdk/client-ec2';
import { collectAws } from '../../providers/aws/collect.js';
import type { AwsRetryMode } from '../../providers/aws/ec2-client.js';
import { collectKubernetes, type ConfigMapLookup } from '../../providers/kubernetes/collect.js';
import type { ConfigMapRef } from '../../providers/kubernetes/flannel-configmaps.js';
import { translateNodes } from '../../providers/kubernetes/translate-nodes.js';
import type { CollectionDeadline } from '../model/deadline.js';
import { InputError, type Warning } from '../model/source.js';
import type { AuditInputs } from '../model/documents.js';
import { candidateNodeAddresses } from './node-addresses.js';

export interface LiveKubernetesOptions {
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  /** Lookup order for net-conf.json; default kube-flannel/kube-flannel-cfg, kube-system/kube-flannel-cfg, kube-system/canal-config. */
  flannelConfigMaps?: ConfigMapRef[];
  pageSize?: number;
}

export interface LiveAwsOptions {
  region?: string;
  profile?: string;
  maxAttempts?: number;
  retryMode?: AwsRetryMode;
  vpcIds?: string[];
  /** Tests and embedders: a ready client (its config wins over the options above). */
  client?: EC2Client;
  pageSize?: number;
}

export interface LiveOptions {
  /** Read nodes (and, unless flannel files were given, the flannel ConfigMap) from the cluster. */
  kubernetes?: LiveKubernetesOptions;
  /** Read the EC2 objects around the nodes' VTEP IPs. */
  aws?: LiveAwsOptions;
  /**
   * One clock for every source of this collection (the caller disposes it). Without it each
   * source runs under its own default deadline (DEFAULT_CALL_LIMITS).
   */
  deadline?: CollectionDeadline;
}

export interface LiveCollection {
  /** The file inputs with the live documents and collection failures added. */
  inputs: AuditInputs;
  /** Collection notes (e.g. no flannel ConfigMap found), to show next to the report's warnings. */
  warnings: Warning[];
  /** Which flannel ConfigMaps were looked at, when the cluster was read. */
  flannelLookups: ConfigMapLookup[];
  /** API requests made, per source. */
  calls: { kubernetes: number; aws: number };
}

/**
 * Adds live sources to inputs read from files, so they mix freely: nodes from a file and AWS
 * live, or everything live. The AWS look-up starts from the nodes' VTEP IPs, so it needs nodes
 * from one side or the other. Throws InputError when the combination cannot work.
 */
export async function collectLiveInputs(files: AuditInputs, options: LiveOptions): Promise<LiveCollection> {
  const inputs: AuditInputs = {
    nodes: [...files.nodes],
    flannel: [...files.flannel],
    ...(files.cni && { cni: [...files.cni] }),
    aws: [...files.aws],
    openstack: [...files.openstack],
    unavailable: [...files.unavailable],
    ...(files.cniChoice !== undefined && { cniChoice: files.cniChoice }),
    ...(files.requirementOptions && { requirementOptions: files.requirementOptions }),
  };
  const result: LiveCollection = { inputs, warnings: [], flannelLookups: [], calls: { kubernetes: 0, aws: 0 } };

  if (options.kubernetes) {
    if (files.nodes.length > 0) {
      throw new InputError([
        { document: '--nodes', pointer: '', reason: 'nodes were given both as files (--nodes) and live (--kubeconfig/--in-cluster); pass one' },
      ]);
    }
    const k8s = await collectKubernetes({ ...options.kubernetes, ...(options.deadline && { deadline: options.deadline }) });
    inputs.nodes.push(...k8s.nodes);
    // CNI documents the user passed are the more deliberate choice; the ones found live are not used then.
    if (files.flannel.length === 0 && (files.cni ?? []).length === 0) {
      inputs.flannel.push(...k8s.flannel);
      if (k8s.cni.length > 0) inputs.cni = [...k8s.cni];
      // A CNI read that was refused or timed out leaves detection to the evidence that was read; the warning says which.
      result.warnings.push(...k8s.warnings, ...k8s.cniWarnings);
      result.flannelLookups = k8s.flannelLookups;
    }
    result.calls.kubernetes = k8s.calls;
  }

  if (options.aws) {
    if (inputs.nodes.length === 0) {
      throw new InputError([
        { document: '--aws-region', pointer: '', reason: 'live AWS collection starts from the nodes\' VTEP IPs: give --nodes or --kubeconfig/--in-cluster too' },
      ]);
    }
    const vtepIps = vtepIpsOf(inputs);
    const aws = await collectAws({ vtepIps, ...options.aws, ...(options.deadline && { deadline: options.deadline }) });
    inputs.aws.push(...aws.documents);
    inputs.unavailable.push(...aws.unavailable);
    result.calls.aws = aws.calls;
  }
  return result;
}

/**
 * The IPv4 addresses the nodes may tunnel from (candidateNodeAddresses), so the ENIs found
 * include the ones the evaluator looks for whichever CNI is detected. IPv4 only:
 * `addresses.private-ip-address` does not match IPv6 ENI addresses.
 */
export function vtepIpsOf(inputs: Pick<AuditInputs, 'nodes'>): string[] {
  const { nodes } = translateNodes(inputs.nodes);
  return candidateNodeAddresses(nodes).filter((a) => !a.includes(':'));
}
