import { CoreV1Api, type V1ConfigMap, type V1Node, type V1NodeList } from '@kubernetes/client-node';
// client-node does not re-export its generated serializer; it is the one its own API classes use.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import type { RawDocument } from '../../src/model/documents.js';
import type { Warning } from '../../src/model/source.js';
import {
  describeKubernetesFailure,
  httpStatusOf,
  KubernetesAccessError,
} from './collect-errors.js';
import { DEFAULT_FLANNEL_CONFIGMAPS, formatConfigMapRef, type ConfigMapRef } from './flannel-configmaps.js';
import { loadKubeConfig, type KubeConfigOptions } from './kubeconfig.js';

export interface CollectKubernetesOptions extends KubeConfigOptions {
  /** ConfigMaps tried in order for net-conf.json; the first that exists wins. Default DEFAULT_FLANNEL_CONFIGMAPS. */
  flannelConfigMaps?: ConfigMapRef[];
  /** Nodes per list page (`limit`). */
  pageSize?: number;
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
  const api = kc.makeApiClient(CoreV1Api);
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  const counter = { calls: 0 };

  const nodeList = await listAllNodes(api, options.pageSize ?? DEFAULT_PAGE_SIZE, server, counter);
  const { flannel, lookups, warnings } = await findFlannelConfigMap(
    api,
    options.flannelConfigMaps ?? [...DEFAULT_FLANNEL_CONFIGMAPS],
    server,
    counter,
  );
  return {
    nodes: [{ name: NODES_DOCUMENT, body: nodeList }],
    flannel,
    warnings,
    flannelLookups: lookups,
    calls: counter.calls,
  };
}

async function listAllNodes(
  api: CoreV1Api,
  limit: number,
  server: string,
  counter: { calls: number },
): Promise<Record<string, unknown>> {
  const items: V1Node[] = [];
  let resourceVersion: string | undefined;
  let token: string | undefined;
  do {
    let page: V1NodeList;
    try {
      counter.calls += 1;
      page = await api.listNode(token === undefined ? { limit } : { limit, _continue: token });
    } catch (error) {
      throw accessError(error, 'list nodes', server, 'a ClusterRole with `nodes` verbs `get`, `list` (deploy/rbac.yaml)');
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
  api: CoreV1Api,
  candidates: ConfigMapRef[],
  server: string,
  counter: { calls: number },
): Promise<{ flannel: RawDocument[]; lookups: ConfigMapLookup[]; warnings: Warning[] }> {
  const lookups: ConfigMapLookup[] = [];
  for (const ref of candidates) {
    let cm: V1ConfigMap;
    try {
      counter.calls += 1;
      cm = await api.readNamespacedConfigMap({ namespace: ref.namespace, name: ref.name });
    } catch (error) {
      if (httpStatusOf(error) === 404) {
        lookups.push({ ...ref, outcome: 'not-found' });
        continue;
      }
      throw accessError(
        error,
        `read ConfigMap ${formatConfigMapRef(ref)}`,
        server,
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

function accessError(error: unknown, what: string, server: string, permission: string): KubernetesAccessError {
  const status = httpStatusOf(error);
  const detail = describeKubernetesFailure(`cannot ${what} on ${server}`, error);
  if (status === 403) return new KubernetesAccessError(`${detail}; the identity needs ${permission}`, status);
  if (status === 401) {
    return new KubernetesAccessError(`${detail}; the kubeconfig credentials were rejected (expired token or wrong user?)`, status);
  }
  return new KubernetesAccessError(detail, status);
}
