import type { RawDocument } from '../../src/model/documents.js';
import { describeType, isPlainObject, type IssueCollector } from '../../src/model/issues.js';
import { pointerJoin, type SourceRef } from '../../src/model/source.js';

/** Kinds a CNI document may hold, as `kubectl get … -o json` prints them. */
export const CNI_KINDS = ['ConfigMap', 'Secret', 'Installation', 'IPPool', 'FelixConfiguration', 'BGPConfiguration', 'DaemonSet', 'Deployment', 'Pod'] as const;
export type CniKind = (typeof CNI_KINDS)[number];

/** One Kubernetes object out of the CNI documents (a single object or an item of a List). */
export interface CniObject {
  kind: CniKind | 'net-conf';
  name?: string;
  namespace?: string;
  body: Record<string, unknown>;
  source: SourceRef;
}

const NET_CONF_KEYS = ['network', 'ipv6network', 'enableipv4', 'enableipv6', 'backend', 'subnetlen'];

/**
 * Flattens the documents into objects. A List (`List`, `IPPoolList`, …) contributes its items;
 * an item of an unrelated kind is skipped with a warning (a `kubectl get cm -o json` of a namespace
 * lists many ConfigMaps), while an unrelated top-level document is a problem: it was passed on purpose.
 */
export function cniObjects(documents: RawDocument[], issues: IssueCollector): CniObject[] {
  const out: CniObject[] = [];
  for (const doc of documents) {
    const body = doc.body;
    if (!isPlainObject(body)) {
      issues.problem(doc.name, '', `expected a Kubernetes object, a List of them, or a raw net-conf.json object, got ${describeType(body)}`);
      continue;
    }
    if (typeof body.kind === 'string' && (body.kind === 'List' || body.kind.endsWith('List'))) {
      if (!Array.isArray(body.items)) {
        issues.problem(doc.name, '/items', `a ${body.kind} needs an items array, got ${describeType(body.items)}`, body.items);
        continue;
      }
      // Items of a typed list from the API server carry no kind; the list's kind names it.
      const listKind = body.kind === 'List' ? undefined : body.kind.slice(0, -'List'.length);
      body.items.forEach((item, i) => {
        const pointer = pointerJoin('', 'items', i);
        const obj = isPlainObject(item) ? toObject(item, doc.name, pointer, listKind) : undefined;
        if (obj) out.push(obj);
        else issues.warn('cni-document-ignored', `list item ${String(itemName(item) ?? i)} (kind ${JSON.stringify(isPlainObject(item) ? (item.kind ?? listKind) : describeType(item))}) is not a CNI document sgaudit reads; ignored`, { document: doc.name, pointer });
      });
      continue;
    }
    if (body.kind === undefined && Object.keys(body).some((k) => NET_CONF_KEYS.includes(k.toLowerCase()))) {
      out.push({ kind: 'net-conf', body, source: { document: doc.name, pointer: '' } });
      continue;
    }
    const obj = toObject(body, doc.name, '', undefined);
    if (obj) out.push(obj);
    else {
      issues.problem(
        doc.name,
        body.kind === undefined ? '' : '/kind',
        `expected one of ${CNI_KINDS.join(', ')} (or a List of them, or a raw net-conf.json object), got ${body.kind === undefined ? 'an object without kind' : `kind ${JSON.stringify(body.kind)}`}`,
        body.kind,
      );
    }
  }
  return out;
}

function toObject(item: Record<string, unknown>, document: string, pointer: string, listKind: string | undefined): CniObject | undefined {
  const kind = item.kind ?? listKind;
  if (typeof kind !== 'string' || !(CNI_KINDS as readonly string[]).includes(kind)) return undefined;
  const metadata = isPlainObject(item.metadata) ? item.metadata : {};
  const obj: CniObject = { kind: kind as CniKind, body: item, source: { document, pointer } };
  if (typeof metadata.name === 'string') obj.name = metadata.name;
  if (typeof metadata.namespace === 'string') obj.namespace = metadata.namespace;
  return obj;
}

function itemName(item: unknown): string | undefined {
  return isPlainObject(item) && isPlainObject(item.metadata) && typeof item.metadata.name === 'string' ? item.metadata.name : undefined;
}

/** "ConfigMap kube-system/calico-config", for evidence and messages. */
export function describeObject(o: CniObject): string {
  if (o.kind === 'net-conf') return `net-conf.json ${o.source.document}`;
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name ?? '(unnamed)'}`;
}

/** `data` of a ConfigMap (or decoded Secret) as strings; non-string values are problems. */
export function stringData(o: CniObject, issues: IssueCollector): Map<string, { value: string; pointer: string }> {
  const out = new Map<string, { value: string; pointer: string }>();
  const data = o.body.data;
  if (data === undefined || data === null) return out;
  if (!isPlainObject(data)) {
    issues.problem(o.source.document, pointerJoin(o.source.pointer, 'data'), `data must be a map of strings, got ${describeType(data)}`, data);
    return out;
  }
  for (const [k, v] of Object.entries(data)) {
    const pointer = pointerJoin(o.source.pointer, 'data', k);
    if (typeof v !== 'string') issues.problem(o.source.document, pointer, `ConfigMap data values must be strings, got ${describeType(v)}`, v);
    else out.set(k, { value: v, pointer });
  }
  return out;
}

/** An object's `spec`, or an empty one; a non-object spec is a problem. */
export function specOf(o: CniObject, issues: IssueCollector): Record<string, unknown> {
  const spec = o.body.spec;
  if (spec === undefined || spec === null) return {};
  if (!isPlainObject(spec)) {
    issues.problem(o.source.document, pointerJoin(o.source.pointer, 'spec'), `spec must be an object, got ${describeType(spec)}`, spec);
    return {};
  }
  return spec;
}

/** Literal `env` values of a workload's containers by name (valueFrom entries are skipped: their source is another document). */
export function containerEnv(o: CniObject): Map<string, { value: string; pointer: string }> {
  const out = new Map<string, { value: string; pointer: string }>();
  const podSpec = o.kind === 'Pod' ? o.body.spec : (o.body.spec as { template?: { spec?: unknown } } | undefined)?.template?.spec;
  const base = o.kind === 'Pod' ? pointerJoin(o.source.pointer, 'spec') : pointerJoin(o.source.pointer, 'spec', 'template', 'spec');
  if (!isPlainObject(podSpec) || !Array.isArray(podSpec.containers)) return out;
  podSpec.containers.forEach((c: unknown, ci) => {
    if (!isPlainObject(c) || !Array.isArray(c.env)) return;
    c.env.forEach((e: unknown, ei) => {
      if (isPlainObject(e) && typeof e.name === 'string' && typeof e.value === 'string' && !out.has(e.name)) {
        out.set(e.name, { value: e.value, pointer: pointerJoin(base, 'containers', ci, 'env', ei, 'value') });
      }
    });
  });
  return out;
}
