import type { LiveOptions } from '../inputs/live.js';
import { CollectionDeadline, timedOutAfter } from '../model/deadline.js';
import { emptyInputs, type AuditInputs } from '../model/documents.js';
import { AccessError, type Warning } from '../model/source.js';
import type { ClusterTarget } from './config-file.js';

export interface CollectedTarget {
  inputs: AuditInputs;
  /** Collection notes (no flannel ConfigMap found, ...), added to the report's warnings. */
  warnings: Warning[];
}

/**
 * Reads a configured cluster live; injected into the app so tests can stand in for real APIs.
 * `signal` aborts when the request is given up (client gone, server shutting down); the
 * collection then stops its upstream calls.
 */
export type LiveCollector = (target: ClusterTarget, signal: AbortSignal) => Promise<CollectedTarget>;

/**
 * The live providers, driven only by the server's configuration: nodes and the flannel
 * ConfigMap from the Kubernetes API, then the cloud objects around the nodes' VTEP addresses.
 * One deadline covers the whole collection: cloud calls it cuts short become `unavailable`
 * (their pairs `unknown`); a Kubernetes API that did not answer leaves nothing to audit.
 */
export const collectTarget: LiveCollector = async (target, signal) => {
  const deadline = new CollectionDeadline(target.limits, signal);
  const progress: Progress = { upstream: 'the Kubernetes API' };
  try {
    const collected = await collectWithin(target, deadline, progress);
    // The cluster's configured CNI choice and requirement groups travel with its inputs to the audit.
    if (target.cni !== undefined) collected.inputs.cniChoice = target.cni;
    if (target.controlPlane === true) collected.inputs.requirementOptions = { controlPlane: true };
    return collected;
  } catch (e) {
    throw timeoutOf(e, target, deadline, progress) ?? e;
  } finally {
    deadline.dispose();
  }
};

/**
 * The collectors and the SDKs behind them (about 100 MB of memory) load on first use, so a
 * server without configured clusters never holds them; one with clusters preloads them after it
 * starts listening, so the first live audit's deadline is not spent loading modules.
 */
export async function preloadLiveCollectors(): Promise<void> {
  await Promise.all([import('../inputs/live.js'), import('../inputs/live-openstack.js')]);
}

/** Which upstream the collection is waiting for, so a timeout names the right one. */
interface Progress {
  upstream: string;
}

async function collectWithin(target: ClusterTarget, deadline: CollectionDeadline, progress: Progress): Promise<CollectedTarget> {
  const { collectLiveInputs } = await import('../inputs/live.js');
  const k = target.kubernetes;
  const kubernetes: NonNullable<LiveOptions['kubernetes']> =
    k.kind === 'in-cluster'
      ? { inCluster: true }
      : { ...(k.kubeconfig !== undefined ? { kubeconfig: k.kubeconfig } : {}), ...(k.context !== undefined ? { context: k.context } : {}) };
  const cloud = target.cloud;
  if (cloud === undefined) {
    // A probe-only cluster: nodes and flannel only. With no cloud document every pair is
    // `unknown` (no interface is tied to a node), never allowed; the warning says why.
    const live = await collectLiveInputs(emptyInputs(), { kubernetes, deadline });
    return { inputs: live.inputs, warnings: [...live.warnings, cloudNotConfigured(target.name)] };
  }
  if (cloud.provider === 'aws') {
    const aws = {
      ...(cloud.region !== undefined ? { region: cloud.region } : {}),
      ...(cloud.profile !== undefined ? { profile: cloud.profile } : {}),
      ...(cloud.vpcIds !== undefined ? { vpcIds: cloud.vpcIds } : {}),
    };
    // One call for both: AWS failures never throw, they become `unavailable` entries.
    const live = await collectLiveInputs(emptyInputs(), { kubernetes, aws, deadline });
    return { inputs: live.inputs, warnings: live.warnings };
  }
  const live = await collectLiveInputs(emptyInputs(), { kubernetes, deadline });
  progress.upstream = 'the OpenStack API';
  const { collectOpenstackInputs } = await import('../inputs/live-openstack.js');
  const os = await collectOpenstackInputs(
    live.inputs.nodes,
    { osCloud: cloud.cloud, ...(cloud.regionName !== undefined ? { osRegionName: cloud.regionName } : {}) },
    { deadline },
  );
  live.inputs.openstack.push(...os.openstack);
  live.inputs.unavailable.push(...os.unavailable);
  // os.warnings are the node-translation warnings the audit itself reports again.
  return { inputs: live.inputs, warnings: live.warnings };
}

export const CLOUD_NOT_CONFIGURED = 'cloud-not-configured';

function cloudNotConfigured(cluster: string): Warning {
  return {
    code: CLOUD_NOT_CONFIGURED,
    message: `cluster ${cluster} is configured without a cloud (probe-only): no security group, network ACL or port was read, so every pair is unknown by configuration; live probes (POST /v1/clusters/${cluster}/probes) show what the data plane does`,
  };
}

/**
 * An upstream that did not answer in time, as one AccessError with `timedOut` set and a
 * message of our own: the provider's text may name the kubeconfig's server or user, which a
 * REST caller must not learn. Cancellation is not a timeout and is left as it is.
 */
function timeoutOf(e: unknown, target: ClusterTarget, deadline: CollectionDeadline, progress: Progress): AccessError | undefined {
  const stop = deadline.stopped;
  if (stop?.kind === 'cancelled') return undefined;
  const cause =
    stop?.kind === 'deadline'
      ? `${timedOutAfter(stop.deadlineMs)} (collection deadline)`
      : e instanceof AccessError && e.timedOut
        ? `${timedOutAfter(target.limits.requestTimeoutMs)} (request timeout)`
        : undefined;
  if (cause === undefined) return undefined;
  const err = new AccessError(`${progress.upstream} of cluster ${target.name} did not answer: ${cause}`);
  err.timedOut = true;
  return err;
}
