import { AppsV1Api, CoreV1Api, CustomObjectsApi, type V1ConfigMap, type V1Node, type V1NodeList } from '@kubernetes/client-node';
import { CollectionDeadline, DEFAULT_CALL_LIMITS } from '../../src/model/deadline.js';
import type { RawDocument } from '../../src/model/documents.js';
import type { Warning } from '../../src/model/source.js';
import {
  describeKubernetesFailure,
  httpStatusOf,
  KubernetesAccessError,
} from './collect-errors.js';
import { BoundedCallError } from './bounded-call.js';
import { collectCniDocuments, type CniRead } from './collect-cni.js';
import { failureCause, read, toKubectlJson, type Reader } from './collect-reader.js';
import { DEFAULT_FLANNEL_CONFIGMAPS, formatConfigMapRef, type ConfigMapRef } from './flannel-configmaps.js';
import { loadKubeConfig, type KubeConfigOptions } from './kubeconfig.js';

export type { CniRead } from './collect-cni.js';

export interface CollectKubernetesOptions extends KubeConfigOptions {
  /** ConfigMaps tried in order for net-conf.json; the first that exists wins. Default DEFAULT_FLANNEL_CONFIGMAPS. */
  flannelConfigMaps?: ConfigMapRef[];
  /** Nodes per list page (`limit`). */
  pageSize?: number;
  /**
   * The clock of the whole collection (shared with the cloud sources of one audit): every
   * request gets its per-request timeout and its signal. Default: a new one with DEFAULT_CALL_LIMITS.
   */
  deadline?: CollectionDeadline;
  /**
   * Also read the documents CNI detection looks at (collect-cni.ts). Default true; the probe
   * agent, which only needs the node list and whose RBAC grants nothing else, turns it off.
   */
  cniDocuments?: boolean;
}

export type ConfigMapLookup = ConfigMapRef & { outcome: 'found' | 'not-found' };

export interface CollectKubernetesResult {
  /** One v1 NodeList (all pages merged), shaped like `kubectl get nodes -o json`. */
  nodes: RawDocument[];
  /** The flannel ConfigMap, or nothing: the translator then reads node annotations. */
  flannel: RawDocument[];
  warnings: Warning[];
  /** Every ConfigMap looked at, in order, and whether it existed. */
  flannelLookups: ConfigMapLookup[];
  /**
   * The other CNI documents found (calico-config, cilium-config, rke2-canal-config, the kube-system
   * DaemonSets/Deployments of CNIs, Installation/IPPool/FelixConfiguration/BGPConfiguration lists,
   * calico-typha pods), for AuditInputs.cni. Empty when `cniDocuments` is false.
   */
  cni: RawDocument[];
  /** Every CNI read and its outcome; `unavailable` ones also have a warning in `cniWarnings`. */
  cniReads: CniRead[];
  /**
   * One `cni-document-unavailable` warning per CNI read refused or not answered in time. Kept
   * apart from `warnings` (flannel's), which are dropped when flannel files are given.
   */
  cniWarnings: Warning[];
  /** API requests made. */
  calls: number;
}

export const NODES_DOCUMENT = 'live:kubernetes/nodes';

export function configMapDocumentName(ref: ConfigMapRef): string {
  return `live:kubernetes/configmaps/${ref.namespace}/${ref.name}`;
}

const DEFAULT_PAGE_SIZE = 500;

/** Reads the nodes, the flannel ConfigMap and the other CNI documents, read-only, with the RBAC of deploy/rbac.yaml. */
export async function collectKubernetes(options: CollectKubernetesOptions = {}): Promise<CollectKubernetesResult> {
  const kc = loadKubeConfig(options);
  const ownDeadline = options.deadline === undefined;
  const deadline = options.deadline ?? new CollectionDeadline(DEFAULT_CALL_LIMITS);
  const reader: Reader = {
    apis: { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), custom: kc.makeApiClient(CustomObjectsApi) },
    server: kc.getCurrentCluster()?.server ?? '(unknown server)',
    deadline,
    calls: 0,
  };
  try {
    return await collectWith(reader, options);
  } finally {
    if (ownDeadline) deadline.dispose();
  }
}

async function collectWith(reader: Reader, options: CollectKubernetesOptions): Promise<CollectKubernetesResult> {
  // Nodes first: without them there is nothing to audit, and nothing else is worth asking for.
  const nodeList = await listAllNodes(reader, options.pageSize ?? DEFAULT_PAGE_SIZE);
  const [flannelLookup, cniLookup] = await Promise.allSettled([
    findFlannelConfigMap(reader, options.flannelConfigMaps ?? [...DEFAULT_FLANNEL_CONFIGMAPS]),
    options.cniDocuments === false ? Promise.resolve({ documents: [], reads: [], warnings: [] }) : collectCniDocuments(reader),
  ]);
  // Settled both before throwing: no read is left running behind a failed collection.
  if (flannelLookup.status === 'rejected') throw flannelLookup.reason;
  if (cniLookup.status === 'rejected') throw cniLookup.reason;
  const { flannel, lookups, warnings } = flannelLookup.value;
  return {
    nodes: [{ name: NODES_DOCUMENT, body: nodeList }],
    flannel,
    warnings,
    flannelLookups: lookups,
    cni: cniLookup.value.documents,
    cniReads: cniLookup.value.reads,
    cniWarnings: cniLookup.value.warnings,
    calls: reader.calls,
  };
}

async function listAllNodes(reader: Reader, limit: number): Promise<Record<string, unknown>> {
  const items: V1Node[] = [];
  let resourceVersion: string | undefined;
  let token: string | undefined;
  do {
    let page: V1NodeList;
    try {
      const params = token === undefined ? { limit } : { limit, _continue: token };
      page = await read(reader, (apis, options) => apis.core.listNode(params, options));
    } catch (error) {
      throw accessError(error, 'list nodes', reader.server, 'a ClusterRole with `nodes` verbs `get`, `list` (deploy/rbac.yaml)');
    }
    items.push(...page.items);
    resourceVersion ??= page.metadata?.resourceVersion;
    token = page.metadata?._continue || undefined;
  } while (token !== undefined);

  const merged: V1NodeList = {
    apiVersion: 'v1',
    kind: 'NodeList',
    metadata: resourceVersion === undefined ? {} : { resourceVersion },
    items,
  };
  return toKubectlJson(merged, 'V1NodeList');
}

async function findFlannelConfigMap(
  reader: Reader,
  candidates: ConfigMapRef[],
): Promise<{ flannel: RawDocument[]; lookups: ConfigMapLookup[]; warnings: Warning[] }> {
  const lookups: ConfigMapLookup[] = [];
  for (const ref of candidates) {
    let cm: V1ConfigMap;
    try {
      cm = await read(reader, (apis, options) => apis.core.readNamespacedConfigMap({ namespace: ref.namespace, name: ref.name }, options));
    } catch (error) {
      if (httpStatusOf(failureCause(error)) === 404) {
        lookups.push({ ...ref, outcome: 'not-found' });
        continue;
      }
      throw accessError(
        error,
        `read ConfigMap ${formatConfigMapRef(ref)}`,
        reader.server,
        `a Role in namespace ${ref.namespace} with \`configmaps\` verb \`get\` for resourceNames [${ref.name}] (deploy/rbac.yaml)`,
      );
    }
    lookups.push({ ...ref, outcome: 'found' });
    const body = toKubectlJson({ apiVersion: 'v1', kind: 'ConfigMap', ...cm }, 'V1ConfigMap');
    return { flannel: [{ name: configMapDocumentName(ref), body }], lookups, warnings: [] };
  }
  const tried = candidates.map(formatConfigMapRef).join(', ');
  return {
    flannel: [],
    lookups,
    warnings: [
      {
        code: 'flannel-configmap-not-found',
        message:
          `no flannel ConfigMap found (tried ${tried || 'none'}); if the cluster runs a flannel-based CNI, its settings are ` +
          'taken from the node annotations and flannel defaults. Pass the ConfigMap (namespace/name) if it lives elsewhere.',
      },
    ],
  };
}

function accessError(error: unknown, what: string, server: string, permission: string): KubernetesAccessError {
  const where = `cannot ${what} on ${server}`;
  if (error instanceof BoundedCallError && error.failure.kind !== 'failed') {
    // No answer in time: the server, or the path to it, is down or overloaded, not refusing.
    const timedOut = new KubernetesAccessError(`${where}: ${error.message}`);
    timedOut.timedOut = error.failure.kind === 'timed-out' || error.failure.deadline;
    return timedOut;
  }
  const cause = failureCause(error);
  const attempts = error instanceof BoundedCallError && error.failure.kind === 'failed' && error.failure.attempts > 1 ? ` (${error.failure.attempts} attempts)` : '';
  const status = httpStatusOf(cause);
  const detail = `${describeKubernetesFailure(where, cause)}${attempts}`;
  if (status === 403) return new KubernetesAccessError(`${detail}; the identity needs ${permission}`, status);
  if (status === 401) {
    return new KubernetesAccessError(`${detail}; the kubeconfig credentials were rejected (expired token or wrong user?)`, status);
  }
  return new KubernetesAccessError(detail, status);
}
