import { collectOpenstackInputs } from '../inputs/live-openstack.js';
import { collectLiveInputs, type LiveOptions } from '../inputs/live.js';
import { emptyInputs, type AuditInputs } from '../model/documents.js';
import type { Warning } from '../model/source.js';
import type { ClusterTarget } from './config-file.js';

export interface CollectedTarget {
  inputs: AuditInputs;
  /** Collection notes (no flannel ConfigMap found, ...), added to the report's warnings. */
  warnings: Warning[];
}

/** Reads a configured cluster live; injected into the app so tests can stand in for real APIs. */
export type LiveCollector = (target: ClusterTarget) => Promise<CollectedTarget>;

/**
 * The live providers, driven only by the server's configuration: nodes and the flannel
 * ConfigMap from the Kubernetes API, then the cloud objects around the nodes' VTEP addresses.
 */
export const collectTarget: LiveCollector = async (target) => {
  const k = target.kubernetes;
  const kubernetes: NonNullable<LiveOptions['kubernetes']> =
    k.kind === 'in-cluster'
      ? { inCluster: true }
      : { ...(k.kubeconfig !== undefined ? { kubeconfig: k.kubeconfig } : {}), ...(k.context !== undefined ? { context: k.context } : {}) };
  const cloud = target.cloud;
  if (cloud.provider === 'aws') {
    const aws = {
      ...(cloud.region !== undefined ? { region: cloud.region } : {}),
      ...(cloud.profile !== undefined ? { profile: cloud.profile } : {}),
      ...(cloud.vpcIds !== undefined ? { vpcIds: cloud.vpcIds } : {}),
    };
    const live = await collectLiveInputs(emptyInputs(), { kubernetes, aws });
    return { inputs: live.inputs, warnings: live.warnings };
  }
  const live = await collectLiveInputs(emptyInputs(), { kubernetes });
  const os = await collectOpenstackInputs(live.inputs.nodes, {
    osCloud: cloud.cloud,
    ...(cloud.regionName !== undefined ? { osRegionName: cloud.regionName } : {}),
  });
  live.inputs.openstack.push(...os.openstack);
  live.inputs.unavailable.push(...os.unavailable);
  // os.warnings are the node-translation warnings the audit itself reports again.
  return { inputs: live.inputs, warnings: live.warnings };
};
