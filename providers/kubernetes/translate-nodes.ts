import type { ClusterNode, VtepSource } from '../../src/model/cluster.js';
import { pointerJoin, type SourceRef, type Warning } from '../../src/model/source.js';
import type { RawDocument } from '../../src/inputs/types.js';
import { IssueCollector, describeType, isPlainObject } from '../../src/inputs/issues.js';
import { canonicalCidr, ipFamily, isPlainCidr, isPlainIp } from '../../src/net/cidr.js';
import { FLANNEL_ANNOTATION, OS_LABELS } from './flannel-annotations.js';
import { parseProviderId } from './provider-id.js';

/**
 * Translates `kubectl get nodes -o json|yaml` output (a v1 List/NodeList), single Node
 * documents, or the body of a live `GET /api/v1/nodes`, into ClusterNodes.
 * Throws one InputError listing every unusable field of every document.
 */
export function translateNodes(docs: RawDocument[]): { nodes: ClusterNode[]; warnings: Warning[] } {
  const issues = new IssueCollector();
  const byName = new Map<string, ClusterNode>();
  for (const doc of docs) {
    for (const entry of nodeEntries(doc, issues)) {
      const node = translateNode(entry.body, { document: doc.name, pointer: entry.pointer }, issues);
      if (!node) continue;
      const earlier = byName.get(node.name);
      if (!earlier) {
        byName.set(node.name, node);
      } else if (!sameNode(earlier, node)) {
        issues.problem(
          doc.name,
          pointerJoin(entry.pointer, 'metadata', 'name'),
          `node ${JSON.stringify(node.name)} appears twice with different content (first at ${earlier.source.document}#${earlier.source.pointer}); give one export per cluster`,
          node.name,
        );
      }
    }
  }
  issues.throwIfProblems();
  const nodes = [...byName.values()];
  warnSharedVteps(nodes, issues);
  return { nodes, warnings: issues.warnings };
}

interface NodeEntry {
  body: Record<string, unknown>;
  pointer: string;
}

function nodeEntries(doc: RawDocument, issues: IssueCollector): NodeEntry[] {
  const body = doc.body;
  if (!isPlainObject(body)) {
    issues.problem(doc.name, '', `expected a v1 Node or NodeList (kind), got ${describeType(body)}`);
    return [];
  }
  const kind = body.kind;
  if (kind === 'Node') return checkApiVersion(doc, body, '', issues) ? [{ body, pointer: '' }] : [];
  if (kind === 'List' || kind === 'NodeList') {
    if (!checkApiVersion(doc, body, '', issues)) return [];
    const items = body.items;
    if (!Array.isArray(items)) {
      issues.problem(doc.name, '/items', `a ${kind} needs an items array, got ${describeType(items)}`);
      return [];
    }
    const entries: NodeEntry[] = [];
    items.forEach((item, i) => {
      const pointer = pointerJoin('', 'items', i);
      if (!isPlainObject(item)) {
        issues.problem(doc.name, pointer, `expected a Node object, got ${describeType(item)}`);
      } else if (item.kind !== undefined && item.kind !== 'Node') {
        // The API server omits kind on list items; kubectl fills it in. Either is a Node.
        issues.problem(doc.name, pointerJoin(pointer, 'kind'), `expected a Node in the list, got kind ${JSON.stringify(item.kind)}`, item.kind);
      } else if (checkApiVersion(doc, item, pointer, issues)) {
        entries.push({ body: item, pointer });
      }
    });
    return entries;
  }
  issues.problem(
    doc.name,
    kind === undefined ? '' : '/kind',
    kind === undefined
      ? 'expected a v1 Node or NodeList (kind), got an object without kind'
      : `expected a v1 Node or NodeList (kind), got kind ${JSON.stringify(kind)}`,
    kind,
  );
  return [];
}

function checkApiVersion(doc: RawDocument, obj: Record<string, unknown>, pointer: string, issues: IssueCollector): boolean {
  if (obj.apiVersion === undefined || obj.apiVersion === 'v1') return true;
  issues.problem(doc.name, pointerJoin(pointer, 'apiVersion'), `expected apiVersion "v1" for ${String(obj.kind ?? 'a Node')}`, obj.apiVersion);
  return false;
}

function translateNode(body: Record<string, unknown>, source: SourceRef, issues: IssueCollector): ClusterNode | undefined {
  const before = issues.problems.length;
  const doc = source.document;
  const at = (...segments: (string | number)[]) => pointerJoin(source.pointer, ...segments);

  const metadata = objectAt(body.metadata, doc, at('metadata'), issues, true);
  const name = metadata?.name;
  if (metadata && (typeof name !== 'string' || name === '')) {
    issues.problem(doc, at('metadata', 'name'), name === undefined ? 'missing metadata.name' : 'metadata.name must be a non-empty string', name);
  }
  const annotations = stringMap(metadata?.annotations, doc, at('metadata', 'annotations'), issues);
  const labels = stringMap(metadata?.labels, doc, at('metadata', 'labels'), issues);
  const spec = objectAt(body.spec, doc, at('spec'), issues, false) ?? {};
  const status = objectAt(body.status, doc, at('status'), issues, false) ?? {};
  const annotationPointer = (key: string) => at('metadata', 'annotations', key);
  const label = typeof name === 'string' && name !== '' ? `node ${JSON.stringify(name)}` : 'node';

  const internalIp = readInternalIp(status, doc, at('status', 'addresses'), issues);
  const vtep = readVtep(annotations, annotationPointer, doc, issues, label, source);
  let vtepSource: VtepSource = vtep.source;
  let vtepIp = vtep.ip;
  if (vtepIp === undefined && internalIp !== undefined && ipFamily(internalIp) === 4) {
    vtepIp = internalIp;
    vtepSource = 'internal-ip';
    issues.warn(
      'vtep-from-internal-ip',
      `${label} has no ${FLANNEL_ANNOTATION.publicIp} annotation; using its InternalIP ${internalIp} as the VTEP address, but flannel picks the default-route interface, which can differ on multi-NIC hosts`,
      source,
    );
  } else if (vtepIp === undefined) {
    vtepSource = 'none';
    issues.warn('vtep-unknown', `${label} has neither a ${FLANNEL_ANNOTATION.publicIp} annotation nor an IPv4 InternalIP; its flows cannot be checked`, source);
  }
  const vtepIpv6 = readIpAnnotation(annotations, [FLANNEL_ANNOTATION.publicIpv6Overwrite, FLANNEL_ANNOTATION.publicIpv6], 6, annotationPointer, doc, issues);

  const os = readOs(labels, doc, at('metadata', 'labels'), issues);
  const podCidrs = readPodCidrs(spec, doc, at('spec'), issues);
  if (podCidrs.length === 0) {
    issues.warn('pod-cidr-missing', `${label} has no spec.podCIDR; flannel refuses to start there ("pod cidr not assigned")`, source);
  }

  let providerId: ClusterNode['providerId'];
  const rawProviderId = spec.providerID;
  if (typeof rawProviderId === 'string' && rawProviderId !== '') {
    const parsed = parseProviderId(rawProviderId);
    providerId = parsed.id;
    if (parsed.problem) issues.warn('provider-id-unparsed', `${label}: ${parsed.problem}; the node is matched by address instead`, { document: doc, pointer: at('spec', 'providerID') });
  } else if (rawProviderId !== undefined && rawProviderId !== '') {
    issues.problem(doc, at('spec', 'providerID'), `spec.providerID must be a string, got ${describeType(rawProviderId)}`, rawProviderId);
  }

  const backendType = annotations[FLANNEL_ANNOTATION.backendType];
  const backendData = readBackendData(annotations, annotationPointer(FLANNEL_ANNOTATION.backendData), doc, issues, label);

  if (issues.problems.length > before || typeof name !== 'string') return undefined;
  const node: ClusterNode = { name, os, vtepSource, podCidrs, source };
  if (vtepIp !== undefined) node.vtepIp = vtepIp;
  if (vtepIpv6 !== undefined) node.vtepIpv6 = vtepIpv6;
  if (internalIp !== undefined) node.internalIp = internalIp;
  if (providerId) node.providerId = providerId;
  if (backendType !== undefined && backendType !== '') node.backendTypeAnnotation = backendType;
  if (backendData) node.backendData = backendData;
  return node;
}

function objectAt(v: unknown, doc: string, pointer: string, issues: IssueCollector, required: boolean): Record<string, unknown> | undefined {
  if (v === undefined || v === null) {
    if (required) issues.problem(doc, pointer, 'missing metadata (a Node needs metadata.name)');
    return undefined;
  }
  if (!isPlainObject(v)) {
    issues.problem(doc, pointer, `expected an object, got ${describeType(v)}`, v);
    return undefined;
  }
  return v;
}

function stringMap(v: unknown, doc: string, pointer: string, issues: IssueCollector): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) {
    issues.problem(doc, pointer, `expected a map of strings, got ${describeType(v)}`, v);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value === 'string') out[k] = value;
    else issues.problem(doc, pointerJoin(pointer, k), `annotation and label values must be strings, got ${describeType(value)}`, value);
  }
  return out;
}

function readVtep(
  annotations: Record<string, string>,
  pointerOf: (key: string) => string,
  doc: string,
  issues: IssueCollector,
  label: string,
  source: SourceRef,
): { ip?: string; source: VtepSource } {
  const overwrite = readIpAnnotation(annotations, [FLANNEL_ANNOTATION.publicIpOverwrite], 4, pointerOf, doc, issues);
  const publicIp = readIpAnnotation(annotations, [FLANNEL_ANNOTATION.publicIp], 4, pointerOf, doc, issues);
  if (overwrite !== undefined) {
    if (publicIp !== undefined && publicIp !== overwrite) {
      // flannel copies the overwrite into public-ip when it (re)registers; a mismatch means it has not yet.
      issues.warn(
        'vtep-overwrite-pending',
        `${label}: ${FLANNEL_ANNOTATION.publicIpOverwrite} ${overwrite} differs from ${FLANNEL_ANNOTATION.publicIp} ${publicIp}; flannel applies the overwrite when it next registers the node, so ${overwrite} is audited`,
        source,
      );
    }
    return { ip: overwrite, source: 'public-ip-overwrite-annotation' };
  }
  if (publicIp !== undefined) return { ip: publicIp, source: 'public-ip-annotation' };
  return { source: 'none' };
}

/** The first present annotation of `keys`, validated as an address of `family`. */
function readIpAnnotation(
  annotations: Record<string, string>,
  keys: string[],
  family: 4 | 6,
  pointerOf: (key: string) => string,
  doc: string,
  issues: IssueCollector,
): string | undefined {
  for (const key of keys) {
    const value = annotations[key];
    if (value === undefined || value === '') continue;
    if (!isPlainIp(value) || ipFamily(value) !== family) {
      issues.problem(doc, pointerOf(key), `not a valid IPv${family} address`, value);
      return undefined;
    }
    return value;
  }
  return undefined;
}

function readInternalIp(status: Record<string, unknown>, doc: string, pointer: string, issues: IssueCollector): string | undefined {
  const addresses = status.addresses;
  if (addresses === undefined || addresses === null) return undefined;
  if (!Array.isArray(addresses)) {
    issues.problem(doc, pointer, `status.addresses must be an array, got ${describeType(addresses)}`, addresses);
    return undefined;
  }
  const internal: string[] = [];
  addresses.forEach((a, i) => {
    if (!isPlainObject(a) || a.type !== 'InternalIP') return;
    if (typeof a.address === 'string' && isPlainIp(a.address)) internal.push(a.address);
    else issues.problem(doc, pointerJoin(pointer, i, 'address'), 'InternalIP address is not a valid IP address', a.address);
  });
  // Prefer IPv4: the VTEP fallback and the `public-ip` annotation are IPv4.
  return internal.find((ip) => ipFamily(ip) === 4) ?? internal[0];
}

function readOs(labels: Record<string, string>, doc: string, pointer: string, issues: IssueCollector): 'linux' | 'windows' {
  for (const key of OS_LABELS) {
    const value = labels[key];
    if (value === undefined) continue;
    if (value === 'linux' || value === 'windows') return value;
    issues.problem(doc, pointerJoin(pointer, key), 'flannel runs only on linux and windows nodes', value);
    return 'linux';
  }
  return 'linux';
}

function readPodCidrs(spec: Record<string, unknown>, doc: string, pointer: string, issues: IssueCollector): string[] {
  const list = spec.podCIDRs;
  if (Array.isArray(list) && list.length > 0) {
    const out: string[] = [];
    list.forEach((c, i) => {
      const canonical = typeof c === 'string' && isPlainCidr(c) ? canonicalCidr(c) : undefined;
      if (canonical) out.push(canonical);
      else issues.problem(doc, pointerJoin(pointer, 'podCIDRs', i), 'not a valid CIDR', c);
    });
    return out;
  }
  if (list !== undefined && list !== null && !Array.isArray(list)) {
    issues.problem(doc, pointerJoin(pointer, 'podCIDRs'), `spec.podCIDRs must be an array, got ${describeType(list)}`, list);
    return [];
  }
  const single = spec.podCIDR;
  if (single === undefined || single === null || single === '') return [];
  const canonical = typeof single === 'string' && isPlainCidr(single) ? canonicalCidr(single) : undefined;
  if (!canonical) {
    issues.problem(doc, pointerJoin(pointer, 'podCIDR'), 'not a valid CIDR', single);
    return [];
  }
  return [canonical];
}

function readBackendData(
  annotations: Record<string, string>,
  pointer: string,
  doc: string,
  issues: IssueCollector,
  label: string,
): Record<string, unknown> | undefined {
  const raw = annotations[FLANNEL_ANNOTATION.backendData];
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    issues.warn('backend-data-unparsable', `${label}: ${FLANNEL_ANNOTATION.backendData} is not valid JSON (${(e as Error).message}); ignored`, { document: doc, pointer });
    return undefined;
  }
  // host-gw writes the literal `null`.
  if (parsed === null) return undefined;
  if (!isPlainObject(parsed)) {
    issues.warn('backend-data-unparsable', `${label}: ${FLANNEL_ANNOTATION.backendData} is JSON ${describeType(parsed)}, not an object; ignored`, { document: doc, pointer });
    return undefined;
  }
  return parsed;
}

function sameNode(a: ClusterNode, b: ClusterNode): boolean {
  const strip = ({ source: _source, ...rest }: ClusterNode) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function warnSharedVteps(nodes: ClusterNode[], issues: IssueCollector): void {
  const byIp = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.vtepIp === undefined) continue;
    byIp.set(n.vtepIp, [...(byIp.get(n.vtepIp) ?? []), n.name]);
  }
  for (const [ip, names] of byIp) {
    if (names.length > 1) {
      issues.warn('vtep-shared', `nodes ${names.map((n) => JSON.stringify(n)).join(', ')} share the VTEP address ${ip}; flannel cannot tell them apart`);
    }
  }
}
