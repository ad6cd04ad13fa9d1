import { getMaxListeners, setMaxListeners } from 'node:events';
import type { ConfigurationOptions, V1ConfigMap, V1DaemonSetList, V1DeploymentList, V1PodList, V1Secret } from '@kubernetes/client-node';
import type { RawDocument } from '../../src/model/documents.js';
import type { Warning } from '../../src/model/source.js';
import { BoundedCallError } from './bounded-call.js';
import { describeKubernetesFailure, httpStatusOf } from './collect-errors.js';
import { failureCause, read, toKubectlJson, type KubernetesApis, type Reader } from './collect-reader.js';

/** Where every CNI's own manifests and charts keep their configuration and agents (calico.yaml, canal.yaml, cilium's chart, RKE2). */
export const CNI_NAMESPACE = 'kube-system';

/** What happened to one CNI read. A 404 (no such object, or the CRD is not installed) is `absent`, not a failure. */
export type CniReadOutcome =
  | { outcome: 'found'; items?: number }
  | { outcome: 'absent' }
  /**
   * Refused (403), failed, or not answered in time: detection goes on without it, and a warning
   * names it. `reason` is the whole sentence: "cannot read … on <server>: HTTP 403 (…); the identity needs …".
   */
  | { outcome: 'unavailable'; reason: string; status?: number; timedOut: boolean };

export type CniRead = { what: string; document: string } & CniReadOutcome;

export interface CniCollection {
  documents: RawDocument[];
  reads: CniRead[];
  warnings: Warning[];
}

/**
 * Workloads detection and the Calico parser look at. A kube-system list holds every add-on's
 * pod templates, whose literal env values may be credentials; only these are kept, so a saved
 * collection (`sgaudit collect`) carries nothing beyond what the audit reads.
 */
const CNI_WORKLOADS = new Set([
  'calico-node', 'rke2-calico', 'canal', 'rke2-canal', 'cilium', 'calico-typha', 'calico-kube-controllers', 'tigera-operator', 'cilium-operator',
]);
const isCniWorkload = (name: string | undefined): boolean => name !== undefined && (CNI_WORKLOADS.has(name) || name.startsWith('kube-flannel-ds'));

const TYPHA_SELECTOR = 'k8s-app=calico-typha';

/** One RBAC grant a read needs; deploy/rbac.yaml and the chart give exactly these (rbac-manifest.test.ts). */
export interface Grant {
  apiGroup: string;
  resource: string;
  verb: 'get' | 'list';
  /** Absent: cluster scope. */
  namespace?: string;
  resourceName?: string;
}

export interface Target {
  what: string;
  document: string;
  grant: Grant;
  /** The RBAC rule a 403 is missing, as deploy/rbac.yaml grants it. */
  permission: string;
  /** The object (or the List, trimmed to what matters) in kubectl's JSON shape; undefined: nothing there. */
  fetch: (apis: KubernetesApis, options: ConfigurationOptions) => Promise<Record<string, unknown> | undefined>;
}

function configMap(name: string): Target {
  return {
    what: `ConfigMap ${CNI_NAMESPACE}/${name}`,
    document: `live:kubernetes/configmaps/${CNI_NAMESPACE}/${name}`,
    grant: { apiGroup: '', resource: 'configmaps', verb: 'get', namespace: CNI_NAMESPACE, resourceName: name },
    permission: `a Role in namespace ${CNI_NAMESPACE} with \`configmaps\` verb \`get\` for resourceNames [${name}] (deploy/rbac.yaml)`,
    fetch: async (apis, options) => {
      const cm: V1ConfigMap = await apis.core.readNamespacedConfigMap({ namespace: CNI_NAMESPACE, name }, options);
      return toKubectlJson({ apiVersion: 'v1', kind: 'ConfigMap', ...cm }, 'V1ConfigMap');
    },
  };
}

function secret(name: string): Target {
  return {
    what: `Secret ${CNI_NAMESPACE}/${name}`,
    document: `live:kubernetes/secrets/${CNI_NAMESPACE}/${name}`,
    grant: { apiGroup: '', resource: 'secrets', verb: 'get', namespace: CNI_NAMESPACE, resourceName: name },
    permission: `a Role in namespace ${CNI_NAMESPACE} with \`secrets\` verb \`get\` for resourceNames [${name}] (deploy/rbac.yaml)`,
    fetch: async (apis, options) => {
      const s: V1Secret = await apis.core.readNamespacedSecret({ namespace: CNI_NAMESPACE, name }, options);
      return redactedSecret(toKubectlJson({ apiVersion: 'v1', kind: 'Secret', ...s }, 'V1Secret'));
    },
  };
}

const NET_CONF_KEY = 'net-conf.json';
const REDACTED = '(redacted by sgaudit)';

/**
 * RKE2's rke2-canal-config can hold flannel's IPsec PSK (Backend.PSK), and a Secret's
 * last-applied annotation repeats its data. Only net-conf.json is kept, with any PSK replaced:
 * the audit reads the backend's type and ports, and a saved collection must not carry a key.
 * A net-conf.json that is not JSON cannot be redacted field by field, so it is dropped whole and
 * the translator reports the Secret without it.
 */
export function redactedSecret(secret: Record<string, unknown>): Record<string, unknown> {
  const meta = (secret.metadata ?? {}) as Record<string, unknown>;
  const metadata = Object.fromEntries(['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'labels'].filter((k) => meta[k] !== undefined).map((k) => [k, meta[k]]));
  const encoded = (secret.data as Record<string, unknown> | undefined)?.[NET_CONF_KEY];
  const data: Record<string, string> = {};
  if (typeof encoded === 'string') {
    const redacted = redactNetConf(Buffer.from(encoded, 'base64').toString('utf8'));
    if (redacted !== undefined) data[NET_CONF_KEY] = Buffer.from(redacted, 'utf8').toString('base64');
  }
  return { apiVersion: 'v1', kind: 'Secret', ...(secret.type !== undefined && { type: secret.type }), metadata, data };
}

function redactNetConf(text: string): string | undefined {
  let conf: unknown;
  try {
    conf = JSON.parse(text);
  } catch {
    return undefined;
  }
  const backend = (conf as { Backend?: unknown } | null)?.Backend;
  if (backend === null || typeof backend !== 'object' || Array.isArray(backend)) return text;
  const keys = Object.keys(backend).filter((k) => k.toLowerCase() === 'psk');
  // Without a key the text is kept as written, so pointers and messages match the cluster's.
  if (keys.length === 0) return text;
  for (const key of keys) (backend as Record<string, unknown>)[key] = REDACTED;
  return JSON.stringify(conf, null, 2);
}

function workloads(resource: 'daemonsets' | 'deployments'): Target {
  const kind = resource === 'daemonsets' ? 'DaemonSet' : 'Deployment';
  return {
    what: `${kind}s in ${CNI_NAMESPACE}`,
    document: `live:kubernetes/${resource}/${CNI_NAMESPACE}`,
    grant: { apiGroup: 'apps', resource, verb: 'list', namespace: CNI_NAMESPACE },
    permission: `a Role in namespace ${CNI_NAMESPACE} with apps \`${resource}\` verb \`list\` (deploy/rbac.yaml)`,
    fetch: async (apis, options) => {
      const list: V1DaemonSetList | V1DeploymentList =
        resource === 'daemonsets'
          ? await apis.apps.listNamespacedDaemonSet({ namespace: CNI_NAMESPACE }, options)
          : await apis.apps.listNamespacedDeployment({ namespace: CNI_NAMESPACE }, options);
      return listOf(`apps/v1`, kind, list.items.filter((i) => isCniWorkload(i.metadata?.name)), `V1${kind}`);
    },
  };
}

/** Cluster-scoped Calico/Tigera resources through the custom-objects API; a CRD that is not installed answers 404. */
function customResources(group: string, version: string, plural: string, kind: string): Target {
  return {
    what: `${plural}.${group}`,
    document: `live:kubernetes/${plural}.${group}`,
    grant: { apiGroup: group, resource: plural, verb: 'list' },
    permission: `a ClusterRole with ${group} \`${plural}\` verb \`list\` (deploy/rbac.yaml)`,
    fetch: async (apis, options) => {
      const list = (await apis.custom.listClusterCustomObject({ group, version, plural }, options)) as { items?: unknown };
      const items = Array.isArray(list.items) ? (list.items as Record<string, unknown>[]) : [];
      if (items.length === 0) return undefined;
      // Items from the custom-objects API are plain JSON and carry their kind already.
      return { apiVersion: `${group}/${version}`, kind: `${kind}List`, metadata: {}, items };
    },
  };
}

const typhaPods: Target = {
  what: `pods with label ${TYPHA_SELECTOR}`,
  document: `live:kubernetes/pods/${TYPHA_SELECTOR}`,
  grant: { apiGroup: '', resource: 'pods', verb: 'list' },
  permission: 'a ClusterRole with `pods` verb `list` (deploy/rbac.yaml)',
  fetch: async (apis, options) => {
    // All namespaces: manifests run Typha in kube-system, the operator in calico-system.
    const list: V1PodList = await apis.core.listPodForAllNamespaces({ labelSelector: TYPHA_SELECTOR }, options);
    return listOf('v1', 'Pod', list.items, 'V1Pod');
  },
};

function listOf(apiVersion: string, kind: string, items: object[], itemType: string): Record<string, unknown> | undefined {
  if (items.length === 0) return undefined;
  return { apiVersion, kind: `${kind}List`, metadata: {}, items: items.map((i) => toKubectlJson(i, itemType)) };
}

/** Every read, in the order documents are returned; all are sent at once. */
export const CNI_TARGETS: readonly Target[] = [
  configMap('calico-config'),
  configMap('cilium-config'),
  secret('rke2-canal-config'),
  workloads('daemonsets'),
  workloads('deployments'),
  customResources('operator.tigera.io', 'v1', 'installations', 'Installation'),
  customResources('crd.projectcalico.org', 'v1', 'ippools', 'IPPool'),
  customResources('crd.projectcalico.org', 'v1', 'felixconfigurations', 'FelixConfiguration'),
  customResources('crd.projectcalico.org', 'v1', 'bgpconfigurations', 'BGPConfiguration'),
  typhaPods,
];

/**
 * Reads the documents CNI detection looks at (translate-cni.ts), concurrently, each under the
 * collection's clock. None is essential: a read that is refused or times out is reported and
 * detection decides on the evidence that could be read, so it never throws for one of them.
 */
export async function collectCniDocuments(reader: Reader): Promise<CniCollection> {
  // Every read in flight listens on the collection's signal; past Node's default of 10 it would
  // warn of a leak, which these bounded, short-lived listeners are not.
  const signal = reader.deadline.signal;
  setMaxListeners(getMaxListeners(signal) + CNI_TARGETS.length, signal);
  const results = await Promise.all(CNI_TARGETS.map((t) => readTarget(reader, t)));
  const out: CniCollection = { documents: [], reads: [], warnings: [] };
  results.forEach(({ read: r, body }) => {
    out.reads.push(r);
    if (body !== undefined) out.documents.push({ name: r.document, body });
    if (r.outcome === 'unavailable') {
      out.warnings.push({
        code: 'cni-document-unavailable',
        message: `${r.reason}; the CNI is detected and configured from the documents that could be read`,
        source: { document: r.document, pointer: '' },
      });
    }
  });
  return out;
}

async function readTarget(reader: Reader, target: Target): Promise<{ read: CniRead; body?: Record<string, unknown> }> {
  const base = { what: target.what, document: target.document };
  let body: Record<string, unknown> | undefined;
  try {
    body = await read(reader, target.fetch);
  } catch (error) {
    return { read: { ...base, ...failed(error, target, reader.server) } };
  }
  if (body === undefined) return { read: { ...base, outcome: 'absent' } };
  const items = Array.isArray(body.items) ? body.items.length : undefined;
  return { read: { ...base, outcome: 'found', ...(items !== undefined && { items }) }, body };
}

function failed(error: unknown, target: Target, server: string): CniReadOutcome {
  const where = `cannot read ${target.what} on ${server}`;
  if (error instanceof BoundedCallError && error.failure.kind !== 'failed') {
    // No answer in time, or the collection stopped: the cause says which.
    return { outcome: 'unavailable', reason: `${where}: ${error.message}`, timedOut: error.failure.kind === 'timed-out' || error.failure.deadline };
  }
  const cause = failureCause(error);
  const status = httpStatusOf(cause);
  if (status === 404) return { outcome: 'absent' };
  const attempts = error instanceof BoundedCallError && error.failure.kind === 'failed' && error.failure.attempts > 1 ? ` (${error.failure.attempts} attempts)` : '';
  const hint = status === 403 ? `; the identity needs ${target.permission}` : '';
  return {
    outcome: 'unavailable',
    reason: `${describeKubernetesFailure(where, cause)}${attempts}${hint}`,
    ...(status !== undefined && { status }),
    timedOut: false,
  };
}
