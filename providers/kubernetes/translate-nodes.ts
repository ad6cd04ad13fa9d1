import type { ClusterNode, VtepSource } from '../../src/model/cluster.js';
import { pointerJoin, type SourceRef, type Warning } from '../../src/model/source.js';
import type { RawDocument } from '../../src/model/documents.js';
import { IssueCollector, describeType, isPlainObject } from '../../src/model/issues.js';
import { plainCanonicalCidr, plainIpFamily } from '../../src/model/cidr.js';
import { FLANNEL_ANNOTATION, OS_LABELS } from './flannel-annotations.js';
import { parseProviderId } from './provider-id.js';
import { CALICO_ANNOTATION, cniMarksOf, poolOf, rolesOf } from './cni-node-marks.js';

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
    for (let i = 0; i < items.length; i++) {
      const item: unknown = items[i];
      const pointer = `/items/${i}`;
      if (!isPlainObject(item)) {
        issues.problem(doc.name, pointer, `expected a Node object, got ${describeType(item)}`);
      } else if (item.kind !== undefined && item.kind !== 'Node') {
        // The API server omits kind on list items; kubectl fills it in. Either is a Node.
        issues.problem(doc.name, pointerJoin(pointer, 'kind'), `expected a Node in the list, got kind ${JSON.stringify(item.kind)}`, item.kind);
      } else if (checkApiVersion(doc, item, pointer, issues)) {
        entries.push({ body: item, pointer });
      }
    }
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
  const base = source.pointer;

  const metadata = objectAt(body.metadata, 'metadata', doc, base, issues, true);
  const name = metadata?.name;
  if (metadata && (typeof name !== 'string' || name === '')) {
    issues.problem(doc, pointerJoin(base, 'metadata', 'name'), name === undefined ? 'missing metadata.name' : 'metadata.name must be a non-empty string', name);
  } else if (typeof name === 'string') {
    const bad = nodeNameProblem(name);
    if (bad) issues.problem(doc, pointerJoin(base, 'metadata', 'name'), bad, name.length > 64 ? `${name.slice(0, 64)}...` : name);
  }
  const annotations = stringMap(metadata?.annotations, doc, base, 'annotations', issues);
  const labels = stringMap(metadata?.labels, doc, base, 'labels', issues);
  const spec = objectAt(body.spec, 'spec', doc, base, issues, false) ?? {};
  const status = objectAt(body.status, 'status', doc, base, issues, false) ?? {};

  const internalIp = readInternalIp(status, doc, base, issues);
  const vtep = readVtep(annotations, base, doc, issues, name, source);
  let vtepSource: VtepSource = vtep.source;
  let vtepIp = vtep.ip;
  if (vtepIp === undefined && internalIp !== undefined && plainIpFamily(internalIp) === 4) {
    vtepIp = internalIp;
    vtepSource = 'internal-ip';
    issues.warn(
      'vtep-from-internal-ip',
      `${nodeLabel(name)} has no ${FLANNEL_ANNOTATION.publicIp} annotation; using its InternalIP ${internalIp} as the VTEP address, but flannel picks the default-route interface, which can differ on multi-NIC hosts`,
      source,
    );
  } else if (vtepIp === undefined) {
    vtepSource = 'none';
    issues.warn('vtep-unknown', `${nodeLabel(name)} has neither a ${FLANNEL_ANNOTATION.publicIp} annotation nor an IPv4 InternalIP; its flows cannot be checked`, source);
  }
  const vtepIpv6 = readIpAnnotation(annotations, IPV6_KEYS, 6, base, doc, issues);

  const os = readOs(labels, doc, base, issues);
  const podCidrs = readPodCidrs(spec, doc, base, issues);
  if (podCidrs.length === 0) {
    issues.warn('pod-cidr-missing', `${nodeLabel(name)} has no spec.podCIDR; flannel refuses to start there ("pod cidr not assigned")`, source);
  }

  let providerId: ClusterNode['providerId'];
  const rawProviderId = spec.providerID;
  if (typeof rawProviderId === 'string' && rawProviderId !== '') {
    const parsed = parseProviderId(rawProviderId);
    providerId = parsed.id;
    if (parsed.problem) issues.warn('provider-id-unparsed', `${nodeLabel(name)}: ${parsed.problem}; the node is matched by address instead`, { document: doc, pointer: pointerJoin(base, 'spec', 'providerID') });
  } else if (rawProviderId !== undefined && rawProviderId !== '') {
    issues.problem(doc, pointerJoin(base, 'spec', 'providerID'), `spec.providerID must be a string, got ${describeType(rawProviderId)}`, rawProviderId);
  }

  const backendType = annotations[FLANNEL_ANNOTATION.backendType];
  const backendData = readBackendData(annotations, base, doc, issues, name);
  const calicoIpv4Address = readCalicoAddress(annotations, CALICO_ANNOTATION.ipv4Address, 4, base, doc, issues);
  const calicoIpv6Address = readCalicoAddress(annotations, CALICO_ANNOTATION.ipv6Address, 6, base, doc, issues);
  const calicoVxlanTunnelAddress = readCalicoTunnelAddress(annotations, CALICO_ANNOTATION.vxlanTunnel, base, doc, issues);

  if (issues.problems.length > before || typeof name !== 'string') return undefined;
  const node: ClusterNode = { name, os, vtepSource, podCidrs, source };
  if (vtepIp !== undefined) node.vtepIp = vtepIp;
  if (vtepIpv6 !== undefined) node.vtepIpv6 = vtepIpv6;
  if (internalIp !== undefined) node.internalIp = internalIp;
  if (providerId) node.providerId = providerId;
  if (backendType !== undefined && backendType !== '') node.backendTypeAnnotation = backendType;
  if (backendData) node.backendData = backendData;
  if (calicoIpv4Address !== undefined) node.calicoIpv4Address = calicoIpv4Address;
  if (calicoIpv6Address !== undefined) node.calicoIpv6Address = calicoIpv6Address;
  if (calicoVxlanTunnelAddress !== undefined) node.calicoVxlanTunnelAddress = calicoVxlanTunnelAddress;
  // Set only when a role label exists, so node objects of clusters without them stay as they were.
  const roles = rolesOf(labels);
  if (roles.length > 0) node.roles = roles;
  const pool = poolOf(labels);
  if (pool !== undefined) node.pool = pool;
  const marks = cniMarksOf(annotations, labels);
  if (marks.length > 0) node.cniMarks = marks;
  return node;
}

/** Annotation keys of the VTEP addresses, for readIpAnnotation (which reads the first one present). */
const IPV4_OVERWRITE_KEYS = [FLANNEL_ANNOTATION.publicIpOverwrite];
const IPV4_KEYS = [FLANNEL_ANNOTATION.publicIp];
const IPV6_KEYS = [FLANNEL_ANNOTATION.publicIpv6Overwrite, FLANNEL_ANNOTATION.publicIpv6];

/** How messages name a node. */
function nodeLabel(name: unknown): string {
  return typeof name === 'string' && name !== '' ? `node ${JSON.stringify(name)}` : 'node';
}

function annotationPointer(base: string, key: string): string {
  return pointerJoin(base, 'metadata', 'annotations', key);
}

/** `v`, the node's `key` (metadata, spec or status), when it is an object. */
function objectAt(v: unknown, key: string, doc: string, base: string, issues: IssueCollector, required: boolean): Record<string, unknown> | undefined {
  if (v === undefined || v === null) {
    if (required) issues.problem(doc, pointerJoin(base, key), 'missing metadata (a Node needs metadata.name)');
    return undefined;
  }
  if (!isPlainObject(v)) {
    issues.problem(doc, pointerJoin(base, key), `expected an object, got ${describeType(v)}`, v);
    return undefined;
  }
  return v;
}

/**
 * Kubernetes node names are DNS subdomains: at most 253 characters, never a control character.
 * The apiserver refuses anything else, so such a name is a forged or corrupted export; refusing
 * it keeps NUL bytes and 200 KB names out of reports, stored audits and terminals.
 */
export const MAX_NODE_NAME_LENGTH = 253;
/** The apiserver's limit on all annotations of one object together (keys and values). */
export const MAX_ANNOTATIONS_SIZE = 256 * 1024;
/** Label keys are at most 317 characters and values 63; 64 labels of both is generous for a node. */
const MAX_LABELS_SIZE = 64 * (317 + 63);

function nodeNameProblem(name: string): string | undefined {
  if (name.length > MAX_NODE_NAME_LENGTH) return `metadata.name is ${name.length} characters long; Kubernetes allows at most ${MAX_NODE_NAME_LENGTH} (a DNS subdomain)`;
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(name);
  if (control) return `metadata.name contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at position ${control.index}; Kubernetes names are DNS subdomains`;
  return undefined;
}

/**
 * `metadata[field]` as a map of strings. A map whose values are all strings is used as it is
 * rather than copied; it is only read. Only the string values are kept when some are not.
 */
function stringMap(v: unknown, doc: string, base: string, field: 'annotations' | 'labels', issues: IssueCollector): Readonly<Record<string, string>> {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) {
    issues.problem(doc, pointerJoin(base, 'metadata', field), `expected a map of strings, got ${describeType(v)}`, v);
    return {};
  }
  let allStrings = true;
  let size = 0;
  for (const k in v) {
    if (Object.hasOwn(v, k)) size += k.length + (typeof v[k] === 'string' ? (v[k] as string).length : 0);
    if (typeof v[k] === 'string' || !Object.hasOwn(v, k)) continue;
    allStrings = false;
    issues.problem(doc, pointerJoin(base, 'metadata', field, k), `annotation and label values must be strings, got ${describeType(v[k])}`, v[k]);
  }
  const limit = field === 'annotations' ? MAX_ANNOTATIONS_SIZE : MAX_LABELS_SIZE;
  if (size > limit) {
    issues.problem(doc, pointerJoin(base, 'metadata', field), `the ${field} hold ${size} characters of keys and values; Kubernetes allows at most ${limit}`);
    return {};
  }
  if (allStrings) return v as Record<string, string>;
  return Object.fromEntries(Object.entries(v).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
}

function readVtep(
  annotations: Readonly<Record<string, string>>,
  base: string,
  doc: string,
  issues: IssueCollector,
  name: unknown,
  source: SourceRef,
): { ip?: string; source: VtepSource } {
  const overwrite = readIpAnnotation(annotations, IPV4_OVERWRITE_KEYS, 4, base, doc, issues);
  const publicIp = readIpAnnotation(annotations, IPV4_KEYS, 4, base, doc, issues);
  if (overwrite !== undefined) {
    if (publicIp !== undefined && publicIp !== overwrite) {
      // flannel copies the overwrite into public-ip when it (re)registers; a mismatch means it has not yet.
      issues.warn(
        'vtep-overwrite-pending',
        `${nodeLabel(name)}: ${FLANNEL_ANNOTATION.publicIpOverwrite} ${overwrite} differs from ${FLANNEL_ANNOTATION.publicIp} ${publicIp}; flannel applies the overwrite when it next registers the node, so ${overwrite} is audited`,
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
  annotations: Readonly<Record<string, string>>,
  keys: readonly string[],
  family: 4 | 6,
  base: string,
  doc: string,
  issues: IssueCollector,
): string | undefined {
  for (const key of keys) {
    const value = annotations[key];
    if (value === undefined || value === '') continue;
    if (plainIpFamily(value) !== family) {
      issues.problem(doc, annotationPointer(base, key), `not a valid IPv${family} address`, value);
      return undefined;
    }
    return value;
  }
  return undefined;
}

/** Calico's address annotation: a CIDR whose address is the node's BGP and tunnel address (`10.0.1.5/24`). */
function readCalicoAddress(
  annotations: Readonly<Record<string, string>>,
  key: string,
  family: 4 | 6,
  base: string,
  doc: string,
  issues: IssueCollector,
): string | undefined {
  const value = annotations[key];
  if (value === undefined || value === '') return undefined;
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const prefix = slash < 0 ? undefined : Number(value.slice(slash + 1));
  const maxPrefix = family === 4 ? 32 : 128;
  if (plainIpFamily(address) !== family || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= maxPrefix && /^\d+$/.test(value.slice(slash + 1))))) {
    issues.problem(doc, annotationPointer(base, key), `not an IPv${family} address with prefix length such as ${family === 4 ? '10.0.1.5/24' : 'fd00::5/64'}`, value);
    return undefined;
  }
  return value;
}

/** Calico's tunnel address annotation: a plain IPv4 address (`10.244.3.0`), the address of vxlan.calico. */
function readCalicoTunnelAddress(
  annotations: Readonly<Record<string, string>>,
  key: string,
  base: string,
  doc: string,
  issues: IssueCollector,
): string | undefined {
  const value = annotations[key];
  if (value === undefined || value === '') return undefined;
  if (plainIpFamily(value) !== 4) {
    issues.problem(doc, annotationPointer(base, key), 'not a plain IPv4 address such as 10.244.3.0', value);
    return undefined;
  }
  return value;
}

/** The node's InternalIP; IPv4 is preferred because the VTEP fallback and `public-ip` are IPv4. */
function readInternalIp(status: Record<string, unknown>, doc: string, base: string, issues: IssueCollector): string | undefined {
  const addresses = status.addresses;
  if (addresses === undefined || addresses === null) return undefined;
  if (!Array.isArray(addresses)) {
    issues.problem(doc, pointerJoin(base, 'status', 'addresses'), `status.addresses must be an array, got ${describeType(addresses)}`, addresses);
    return undefined;
  }
  let first: string | undefined;
  let firstV4: string | undefined;
  for (let i = 0; i < addresses.length; i++) {
    const a: unknown = addresses[i];
    if (!isPlainObject(a) || a.type !== 'InternalIP') continue;
    const family = typeof a.address === 'string' ? plainIpFamily(a.address) : undefined;
    if (family === undefined) {
      issues.problem(doc, pointerJoin(base, 'status', 'addresses', i, 'address'), 'InternalIP address is not a valid IP address', a.address);
      continue;
    }
    first ??= a.address as string;
    if (family === 4) firstV4 ??= a.address as string;
  }
  return firstV4 ?? first;
}

function readOs(labels: Readonly<Record<string, string>>, doc: string, base: string, issues: IssueCollector): 'linux' | 'windows' {
  for (const key of OS_LABELS) {
    const value = labels[key];
    if (value === undefined) continue;
    if (value === 'linux' || value === 'windows') return value;
    issues.problem(doc, pointerJoin(base, 'metadata', 'labels', key), 'flannel runs only on linux and windows nodes', value);
    return 'linux';
  }
  return 'linux';
}

function readPodCidrs(spec: Record<string, unknown>, doc: string, base: string, issues: IssueCollector): string[] {
  const list = spec.podCIDRs;
  if (Array.isArray(list) && list.length > 0) {
    const out: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const c: unknown = list[i];
      const canonical = typeof c === 'string' ? plainCanonicalCidr(c) : undefined;
      if (canonical) out.push(canonical);
      else issues.problem(doc, pointerJoin(base, 'spec', 'podCIDRs', i), 'not a valid CIDR', c);
    }
    return out;
  }
  if (list !== undefined && list !== null && !Array.isArray(list)) {
    issues.problem(doc, pointerJoin(base, 'spec', 'podCIDRs'), `spec.podCIDRs must be an array, got ${describeType(list)}`, list);
    return [];
  }
  const single = spec.podCIDR;
  if (single === undefined || single === null || single === '') return [];
  const canonical = typeof single === 'string' ? plainCanonicalCidr(single) : undefined;
  if (!canonical) {
    issues.problem(doc, pointerJoin(base, 'spec', 'podCIDR'), 'not a valid CIDR', single);
    return [];
  }
  return [canonical];
}

function readBackendData(
  annotations: Readonly<Record<string, string>>,
  base: string,
  doc: string,
  issues: IssueCollector,
  name: unknown,
): Record<string, unknown> | undefined {
  const raw = annotations[FLANNEL_ANNOTATION.backendData];
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    issues.warn('backend-data-unparsable', `${nodeLabel(name)}: ${FLANNEL_ANNOTATION.backendData} is not valid JSON (${(e as Error).message}); ignored`, { document: doc, pointer: annotationPointer(base, FLANNEL_ANNOTATION.backendData) });
    return undefined;
  }
  // host-gw writes the literal `null`.
  if (parsed === null) return undefined;
  if (!isPlainObject(parsed)) {
    issues.warn('backend-data-unparsable', `${nodeLabel(name)}: ${FLANNEL_ANNOTATION.backendData} is JSON ${describeType(parsed)}, not an object; ignored`, { document: doc, pointer: annotationPointer(base, FLANNEL_ANNOTATION.backendData) });
    return undefined;
  }
  return parsed;
}

function sameNode(a: ClusterNode, b: ClusterNode): boolean {
  const strip = ({ source: _source, ...rest }: ClusterNode) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function warnSharedVteps(nodes: ClusterNode[], issues: IssueCollector): void {
  const nodesPerIp = new Map<string, number>();
  for (const n of nodes) {
    if (n.vtepIp !== undefined) nodesPerIp.set(n.vtepIp, (nodesPerIp.get(n.vtepIp) ?? 0) + 1);
  }
  nodesPerIp.forEach((count, ip) => {
    if (count < 2) return;
    const names = nodes.filter((n) => n.vtepIp === ip).map((n) => JSON.stringify(n.name));
    issues.warn('vtep-shared', `nodes ${names.join(', ')} share the VTEP address ${ip}; flannel cannot tell them apart`);
  });
}
