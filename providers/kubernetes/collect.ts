import { CoreV1Api, type ConfigurationOptions, type V1ConfigMap, type V1Node, type V1NodeList } from '@kubernetes/client-node';
// client-node does not re-export its generated serializer; it is the one its own API classes use.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { CollectionDeadline, DEFAULT_CALL_LIMITS } from '../../src/model/deadline.js';
import type { RawDocument } from '../../src/model/documents.js';
import type { Warning } from '../../src/model/source.js';
import {
  describeKubernetesFailure,
  httpStatusOf,
  KubernetesAccessError,
} from './collect-errors.js';
import { boundedCall, BoundedCallError } from './bounded-call.js';
import { DEFAULT_FLANNEL_CONFIGMAPS, formatConfigMapRef, type ConfigMapRef } from './flannel-configmaps.js';
import { loadKubeConfig, type KubeConfigOptions } from './kubeconfig.js';

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
  /** API requests made. */
  calls: number;
}

export const NODES_DOCUMENT = 'live:kubernetes/nodes';

export function configMapDocumentName(ref: ConfigMapRef): string {
  return `live:kubernetes/configmaps/${ref.namespace}/${ref.name}`;
}

const DEFAULT_PAGE_SIZE = 500;

/** Reads the nodes and the flannel ConfigMap, read-only, with the RBAC of deploy/rbac.yaml. */
export async function collectKubernetes(options: CollectKubernetesOptions = {}): Promise<CollectKubernetesResult> {
  const kc = loadKubeConfig(options);
  const ownDeadline = options.deadline === undefined;
  const deadline = options.deadline ?? new CollectionDeadline(DEFAULT_CALL_LIMITS);
  const reader: Reader = {
    api: kc.makeApiClient(CoreV1Api),
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

/** What every read needs: the client, the server it names in errors, the clock, and the request count. */
interface Reader {
  api: CoreV1Api;
  server: string;
  deadline: CollectionDeadline;
  /** Requests sent, retries included. */
  calls: number;
}

async function collectWith(reader: Reader, options: CollectKubernetesOptions): Promise<CollectKubernetesResult> {
  const nodeList = await listAllNodes(reader, options.pageSize ?? DEFAULT_PAGE_SIZE);
  const { flannel, lookups, warnings } = await findFlannelConfigMap(reader, options.flannelConfigMaps ?? [...DEFAULT_FLANNEL_CONFIGMAPS]);
  return {
    nodes: [{ name: NODES_DOCUMENT, body: nodeList }],
    flannel,
    warnings,
    flannelLookups: lookups,
    calls: reader.calls,
  };
}

/** One GET with the collection's timeouts and retries; every attempt is counted. */
function read<T>(reader: Reader, send: (api: CoreV1Api, options: ConfigurationOptions) => Promise<T>): Promise<T> {
  return boundedCall(reader.deadline, (options) => {
    reader.calls += 1;
    return send(reader.api, options);
  });
}

async function listAllNodes(reader: Reader, limit: number): Promise<Record<string, unknown>> {
  const items: V1Node[] = [];
  let resourceVersion: string | undefined;
  let token: string | undefined;
  do {
    let page: V1NodeList;
    try {
      const params = token === undefined ? { limit } : { limit, _continue: token };
      page = await read(reader, (api, options) => api.listNode(params, options));
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
      cm = await read(reader, (api, options) => api.readNamespacedConfigMap({ namespace: ref.namespace, name: ref.name }, options));
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
          `no flannel ConfigMap found (tried ${tried || 'none'}); the flannel settings are taken from the node ` +
          'annotations and flannel defaults. Pass the ConfigMap (namespace/name) if it lives elsewhere.',
      },
    ],
  };
}

/**
 * client-node returns class instances with Date objects and renamed fields (`_continue`);
 * its serializer turns them back into the API's JSON, the same shape `kubectl -o json` prints.
 */
function toKubectlJson(value: object, type: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(ObjectSerializer.serialize(value, type, ''))) as Record<string, unknown>;
}

/** The server's or the connection's error behind a failed read, if there was one. */
function failureCause(error: unknown): unknown {
  if (error instanceof BoundedCallError && error.failure.kind === 'failed') return error.failure.error;
  return error;
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
