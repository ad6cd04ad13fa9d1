import type { ClusterNode, FlannelBackend, FlannelConfig, FlannelConfigOrigin } from '../../src/model/cluster.js';
import { pointerJoin, type Warning } from '../../src/model/source.js';
import type { RawDocument } from '../../src/model/documents.js';
import { IssueCollector, describeType, isPlainObject } from '../../src/model/issues.js';
import { parseJsonText } from '../../src/model/json-text.js';
import { canonicalCidr, cidrContainsCidr, ipFamily, isPlainCidr, tryParseCidr } from '../../src/model/cidr.js';
import { GoJsonReader } from './go-json.js';
import { BACKEND_PARSERS, isSupportedBackend, unsupportedBackendReason } from './flannel-backends.js';
import { flannelFromAnnotations } from './flannel-from-annotations.js';

const NET_CONF_KEY = 'net-conf.json';

/** Top-level net-conf.json keys (pkg/subnet/config.go); any one of them marks a raw net-conf object. */
const NET_CONF_KEYS = [
  'Network', 'IPv6Network', 'EnableIPv4', 'EnableIPv6', 'EnableNFTables', 'Backend',
  'SubnetLen', 'SubnetMin', 'SubnetMax', 'IPv6SubnetLen', 'IPv6SubnetMin', 'IPv6SubnetMax',
].map((k) => k.toLowerCase());

/** One net-conf.json found in the inputs, already parsed. */
interface NetConfCandidate {
  document: string;
  /** Pointer of the net-conf object inside its document (`/data/net-conf.json` for a ConfigMap). */
  base: string;
  conf: Record<string, unknown>;
  origin: FlannelConfigOrigin;
}

/**
 * Reads the effective flannel configuration from the kube-flannel-cfg (or Canal canal-config)
 * ConfigMap, a raw net-conf.json, or, with no documents, from the nodes' flannel annotations.
 * Defaults are flannel's own, including its quirks (no Backend means udp).
 */
export function translateFlannel(docs: RawDocument[], nodes: ClusterNode[]): { flannel: FlannelConfig; warnings: Warning[] } {
  const issues = new IssueCollector();
  if (docs.length === 0) {
    const flannel = flannelFromAnnotations(nodes, issues);
    issues.throwIfProblems();
    if (!flannel) throw new Error('internal: no flannel config and no problem recorded');
    return { flannel, warnings: issues.warnings };
  }

  const candidates = docs.flatMap((doc) => findNetConfs(doc, issues));
  if (candidates.length > 1) {
    const [first, ...rest] = candidates;
    for (const c of rest) {
      issues.problem(c.document, c.base, `more than one flannel configuration given (the first is ${first!.document}#${first!.base}); pass exactly one`);
    }
  }
  const chosen = candidates[0];
  if (!chosen && issues.problems.length === 0) {
    issues.problem(docs[0]!.name, '', `no ${NET_CONF_KEY} found in the flannel documents`);
  }
  issues.throwIfProblems();

  const flannel = parseNetConf(chosen!, issues);
  issues.throwIfProblems();
  warnPodCidrsOutsideNetwork(flannel!, nodes, issues);
  return { flannel: flannel!, warnings: issues.warnings };
}

function findNetConfs(doc: RawDocument, issues: IssueCollector): NetConfCandidate[] {
  const body = doc.body;
  if (!isPlainObject(body)) {
    issues.problem(doc.name, '', `expected a flannel ConfigMap or a net-conf.json object, got ${describeType(body)}`);
    return [];
  }
  if (body.kind === 'List' || body.kind === 'ConfigMapList') return fromList(doc, body, issues);
  if (body.kind === 'ConfigMap') return fromConfigMap(doc, body, '', issues, true);
  if (body.kind === 'Secret') {
    issues.problem(doc.name, '/kind', `Secrets are not read (RKE2's rke2-canal-config can hold the IPsec PSK); save the ${NET_CONF_KEY} value to a file and pass that`, body.kind);
    return [];
  }
  if (body.kind !== undefined) {
    issues.problem(doc.name, '/kind', `expected a v1 ConfigMap with data["${NET_CONF_KEY}"] or a net-conf.json object, got kind ${JSON.stringify(body.kind)}`, body.kind);
    return [];
  }
  if (Object.keys(body).some((k) => NET_CONF_KEYS.includes(k.toLowerCase()))) {
    return [{ document: doc.name, base: '', conf: body, origin: { kind: 'net-conf', source: { document: doc.name, pointer: '' } } }];
  }
  issues.problem(doc.name, '', 'expected a flannel ConfigMap or a net-conf.json object (one with a Network, Backend, EnableIPv4 or EnableIPv6 key)');
  return [];
}

function fromList(doc: RawDocument, body: Record<string, unknown>, issues: IssueCollector): NetConfCandidate[] {
  if (!Array.isArray(body.items)) {
    issues.problem(doc.name, '/items', `a List needs an items array, got ${describeType(body.items)}`, body.items);
    return [];
  }
  const found: NetConfCandidate[] = [];
  body.items.forEach((item, i) => {
    const at = pointerJoin('', 'items', i);
    if (isPlainObject(item) && item.kind === 'ConfigMap' && isPlainObject(item.data) && NET_CONF_KEY in item.data) {
      found.push(...fromConfigMap(doc, item, at, issues, true));
    } else {
      // `kubectl get cm -o json` in kube-flannel also lists kube-root-ca.crt; say what was skipped.
      const name = isPlainObject(item) && isPlainObject(item.metadata) ? item.metadata.name : undefined;
      issues.warn('flannel-list-item-ignored', `list item ${String(name ?? i)} is not a ConfigMap with data["${NET_CONF_KEY}"]; ignored`, { document: doc.name, pointer: at });
    }
  });
  if (found.length === 0) issues.problem(doc.name, '/items', `no ConfigMap in the list has data["${NET_CONF_KEY}"]`);
  return found;
}

function fromConfigMap(doc: RawDocument, cm: Record<string, unknown>, at: string, issues: IssueCollector, required: boolean): NetConfCandidate[] {
  const data = cm.data;
  const metadata = isPlainObject(cm.metadata) ? cm.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : undefined;
  if (!isPlainObject(data) || typeof data[NET_CONF_KEY] !== 'string') {
    if (required) {
      const value = isPlainObject(data) ? data[NET_CONF_KEY] : data;
      issues.problem(
        doc.name,
        isPlainObject(data) && NET_CONF_KEY in data ? pointerJoin(at, 'data', NET_CONF_KEY) : pointerJoin(at, 'data'),
        `ConfigMap ${name ? JSON.stringify(name) + ' ' : ''}has no string data["${NET_CONF_KEY}"] (expected kube-flannel-cfg or canal-config)`,
        value,
      );
    }
    return [];
  }
  const base = pointerJoin(at, 'data', NET_CONF_KEY);
  const parsed = parseJsonText(data[NET_CONF_KEY]);
  if (!parsed.ok) {
    issues.problem(doc.name, base, `${NET_CONF_KEY} is not valid: ${parsed.reason}`);
    return [];
  }
  if (!isPlainObject(parsed.value)) {
    issues.problem(doc.name, base, `${NET_CONF_KEY} must hold a JSON object, got ${describeType(parsed.value)}`);
    return [];
  }
  const origin: FlannelConfigOrigin = { kind: 'configmap', source: { document: doc.name, pointer: base } };
  if (typeof metadata.namespace === 'string') origin.namespace = metadata.namespace;
  if (name) origin.name = name;
  return [{ document: doc.name, base, conf: parsed.value, origin }];
}

function parseNetConf(c: NetConfCandidate, issues: IssueCollector): FlannelConfig | undefined {
  const r = new GoJsonReader(issues, c.document);
  const enableIPv4 = r.bool(c.conf, 'EnableIPv4', c.base) ?? true;
  const enableIPv6 = r.bool(c.conf, 'EnableIPv6', c.base) ?? false;
  const network = readNetwork(r, c, 'Network', 4, issues);
  const ipv6Network = readNetwork(r, c, 'IPv6Network', 6, issues);
  const source = { document: c.document, pointer: c.base };
  if (!enableIPv4 && !enableIPv6) {
    issues.problem(c.document, c.base, 'EnableIPv4 and EnableIPv6 are both false; flannel needs at least one address family');
  }
  if (enableIPv4 && !network) issues.warn('flannel-network-missing', 'net-conf.json has no Network although EnableIPv4 is on; flannel refuses to start', source);
  if (enableIPv6 && !ipv6Network) issues.warn('flannel-network-missing', 'net-conf.json has no IPv6Network although EnableIPv6 is on; flannel refuses to start', source);

  const backend = readBackend(r, c, issues);
  if (!backend) return undefined;
  if (enableIPv6 && !['vxlan', 'wireguard', 'host-gw'].includes(backend.type)) {
    issues.warn('flannel-ipv6-unsupported', `EnableIPv6 is set but flannel supports IPv6 only with vxlan, wireguard and host-gw, not ${backend.type}; only IPv4 flows are audited`, source);
  }
  const flannel: FlannelConfig = { enableIPv4, enableIPv6, backend, origin: c.origin };
  if (network) flannel.network = network;
  if (ipv6Network) flannel.ipv6Network = ipv6Network;
  return flannel;
}

function readNetwork(r: GoJsonReader, c: NetConfCandidate, key: string, family: 4 | 6, issues: IssueCollector): string | undefined {
  const f = r.string(c.conf, key, c.base);
  if (!f) return undefined;
  if (!isPlainCidr(f.value) || ipFamily(f.value.slice(0, f.value.indexOf('/'))) !== family) {
    issues.problem(c.document, f.pointer, `${key} must be an IPv${family} CIDR such as ${family === 4 ? '10.244.0.0/16' : 'fd00:10:244::/56'}`, f.value);
    return undefined;
  }
  return canonicalCidr(f.value);
}

function readBackend(r: GoJsonReader, c: NetConfCandidate, issues: IssueCollector): FlannelBackend | undefined {
  // `Backend` is a json.RawMessage in flannel: an explicit null reaches parseBackendType as "null".
  const field = r.field(c.conf, 'Backend', c.base, { keepNull: true });
  if (!field) {
    issues.warn(
      'flannel-backend-missing',
      'net-conf.json has no Backend; flannel then uses the udp backend (parseBackendType), not vxlan as its documentation says; auditing udp port 8285',
      { document: c.document, pointer: c.base },
    );
    return { type: 'udp', port: 8285 };
  }
  if (!isPlainObject(field.value)) {
    issues.problem(c.document, field.pointer, `Backend must be an object with a Type, got ${describeType(field.value)}`, field.value);
    return undefined;
  }
  const typeField = r.string(field.value, 'Type', field.pointer);
  if (!typeField) {
    if (!r.has(field.value, 'Type')) issues.problem(c.document, field.pointer, 'Backend has no Type (flannel rejects an empty backend type)');
    return undefined;
  }
  const type = typeField.value.toLowerCase();
  if (!isSupportedBackend(type)) {
    issues.problem(c.document, typeField.pointer, unsupportedBackendReason(type), typeField.value);
    return undefined;
  }
  return BACKEND_PARSERS[type](field.value, field.pointer, r);
}

function warnPodCidrsOutsideNetwork(flannel: FlannelConfig, nodes: ClusterNode[], issues: IssueCollector): void {
  const networks = [flannel.network, flannel.ipv6Network].flatMap((n) => (n ? [tryParseCidr(n)!] : []));
  for (const node of nodes) {
    for (const cidr of node.podCidrs) {
      const parsed = tryParseCidr(cidr)!;
      const network = networks.find((n) => n.family === parsed.family);
      if (network && !cidrContainsCidr(network, parsed)) {
        issues.warn(
          'pod-cidr-outside-network',
          `node ${JSON.stringify(node.name)} podCIDR ${cidr} is outside flannel's ${parsed.family === 4 ? 'Network' : 'IPv6Network'} ${parsed.family === 4 ? flannel.network : flannel.ipv6Network}; flannel refuses to start there`,
          node.source,
        );
      }
    }
  }
}
