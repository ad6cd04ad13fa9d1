import type { ClusterNode, FlannelBackend, FlannelConfig } from '../../src/model/cluster.js';
import type { CniName } from '../../src/model/cni.js';
import { InputError, type Warning } from '../../src/model/source.js';
import { isPlainObject, type IssueCollector } from '../../src/model/issues.js';
import { pointerJoin } from '../../src/model/source.js';
import { describeObject, type CniObject } from './cni-documents.js';
import { translateFlannel } from './translate-flannel.js';

const NET_CONF_KEY = 'net-conf.json';

/** The flannel configuration objects among the documents: raw net-conf.json, ConfigMaps holding one, RKE2's Secret. */
export function flannelConfigObjects(objects: CniObject[]): CniObject[] {
  return objects.filter(
    (o) =>
      o.kind === 'net-conf' ||
      (o.kind === 'ConfigMap' && isPlainObject(o.body.data) && NET_CONF_KEY in o.body.data) ||
      (o.kind === 'Secret' && o.name === 'rke2-canal-config'),
  );
}

/**
 * The effective flannel configuration for flannel, Canal, k3s and RKE2. A configuration document
 * goes through translateFlannel (its problems keep pointers into the original document); without
 * one, k3s's `--flannel-backend` from `k3s.io/node-args`, then the node annotations, then the
 * distribution's defaults.
 */
export function flannelFamilyConfig(name: CniName, objects: CniObject[], nodes: ClusterNode[], issues: IssueCollector): FlannelConfig | undefined {
  const configs = flannelConfigObjects(objects);
  if (configs.length > 1) {
    for (const c of configs.slice(1)) {
      issues.problem(c.source.document, c.source.pointer, `more than one flannel configuration given (the first is ${describeObject(configs[0]!)}); pass exactly one`);
    }
    return undefined;
  }
  const [config] = configs;
  if (config) return fromDocument(config, nodes, issues);
  if (name === 'k3s') {
    const fromArgs = k3sFromNodeArgs(nodes, issues);
    if (fromArgs !== 'none') return fromArgs;
  }
  if (nodes.some((n) => n.backendTypeAnnotation !== undefined) || name === 'flannel') {
    return issues.absorb(() => collect(translateFlannel([], nodes), issues));
  }
  // Canal and RKE2 ship vxlan with no Port (the kernel's 8472); k3s defaults to --flannel-backend=vxlan.
  const note = `no flannel configuration document and no flannel node annotations: ${name}'s default backend vxlan (UDP 8472) is assumed`;
  issues.warn('flannel-default-assumed', note);
  return { enableIPv4: true, enableIPv6: false, backend: { type: 'vxlan', port: undefined, vni: 1, directRouting: false, gbp: false }, origin: { kind: 'node-annotations', note } };
}

function fromDocument(o: CniObject, nodes: ClusterNode[], issues: IssueCollector): FlannelConfig | undefined {
  let body: Record<string, unknown> = o.body;
  if (o.kind === 'Secret') {
    const decoded = secretNetConf(o, issues);
    if (decoded === undefined) return undefined;
    body = { kind: 'ConfigMap', metadata: o.body.metadata, data: { [NET_CONF_KEY]: decoded } };
  }
  const prefix = o.source.pointer;
  try {
    const result = translateFlannel([{ name: o.source.document, body }], nodes);
    const flannel = result.flannel;
    if (flannel.origin.kind !== 'node-annotations') flannel.origin.source = { document: o.source.document, pointer: prefix + flannel.origin.source.pointer };
    if (o.kind === 'Secret' && flannel.origin.kind === 'configmap') flannel.origin = { ...flannel.origin, kind: 'secret' };
    for (const w of result.warnings) issues.warnings.push(rebase(w, prefix));
    return flannel;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    for (const p of e.problems) issues.problems.push(p.document === o.source.document ? { ...p, pointer: prefix + p.pointer } : p);
    return undefined;
  }
}

function rebase(w: Warning, prefix: string): Warning {
  return w.source ? { ...w, source: { document: w.source.document, pointer: prefix + w.source.pointer } } : w;
}

function collect<T extends { warnings: Warning[] }>(r: T & { flannel: FlannelConfig }, issues: IssueCollector): FlannelConfig {
  issues.warnings.push(...r.warnings);
  return r.flannel;
}

/** net-conf.json of the rke2-canal-config Secret: `stringData` as written, or base64 `data` as the API returns it. */
function secretNetConf(o: CniObject, issues: IssueCollector): string | undefined {
  const stringData = isPlainObject(o.body.stringData) ? o.body.stringData[NET_CONF_KEY] : undefined;
  if (typeof stringData === 'string') return stringData;
  const data = isPlainObject(o.body.data) ? o.body.data[NET_CONF_KEY] : undefined;
  const pointer = pointerJoin(o.source.pointer, 'data', NET_CONF_KEY);
  if (typeof data !== 'string') {
    issues.problem(o.source.document, pointer, `Secret rke2-canal-config has no data["${NET_CONF_KEY}"]`, data);
    return undefined;
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) {
    issues.problem(o.source.document, pointer, 'Secret data must be base64 (as `kubectl get secret -o json` prints it)', data.slice(0, 40));
    return undefined;
  }
  return Buffer.from(data, 'base64').toString('utf8');
}

/** k3s `--flannel-backend` values and the flannel backend each configures (pkg/agent/flannel/setup.go). */
const K3S_BACKENDS: Record<string, FlannelBackend> = {
  vxlan: { type: 'vxlan', port: undefined, vni: 1, directRouting: false, gbp: false },
  'host-gw': { type: 'host-gw' },
  'wireguard-native': { type: 'wireguard', listenPort: 51820, listenPortV6: 51821, mode: 'separate' },
  ipsec: { type: 'ipsec', udpEncap: false },
};

/**
 * k3s records its server flags in the `k3s.io/node-args` annotation (a JSON array, flags and
 * values as separate items, secrets redacted). Undefined: no node says; `none`: flannel is off.
 */
function k3sFromNodeArgs(nodes: ClusterNode[], issues: IssueCollector): FlannelConfig | 'none' | undefined {
  const found: { node: ClusterNode; value: string }[] = [];
  for (const node of nodes) {
    const mark = node.cniMarks?.find((m) => m.key === 'k3s.io/node-args');
    if (!mark) continue;
    let args: unknown;
    try {
      args = JSON.parse(mark.value);
    } catch {
      args = undefined;
    }
    const pointer = pointerJoin(node.source.pointer, 'metadata', 'annotations', 'k3s.io/node-args');
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
      issues.problem(node.source.document, pointer, 'k3s.io/node-args must be a JSON array of strings', mark.value.slice(0, 120));
      continue;
    }
    const list = args as string[];
    if (list.some((a) => a === '--flannel-conf' || a.startsWith('--flannel-conf='))) {
      issues.warn('k3s-flannel-conf', `node ${node.name} runs k3s with --flannel-conf (a custom net-conf.json file on the host); the backend is taken from the node annotations`, { document: node.source.document, pointer });
      return undefined;
    }
    const i = list.findIndex((a) => a === '--flannel-backend' || a.startsWith('--flannel-backend='));
    if (i < 0) continue;
    const value = list[i]!.includes('=') ? list[i]!.slice(list[i]!.indexOf('=') + 1) : list[i + 1];
    if (value !== undefined) found.push({ node, value: value === 'wireguard' ? 'wireguard-native' : value });
  }
  const values = new Set(found.map((f) => f.value));
  if (values.size > 1) {
    issues.problem('--cni', '', `k3s servers disagree on --flannel-backend (${found.map((f) => `${f.node.name}: ${f.value}`).join(', ')})`);
    return undefined;
  }
  const [first] = found;
  if (!first) return undefined;
  const source = { document: first.node.source.document, pointer: pointerJoin(first.node.source.pointer, 'metadata', 'annotations', 'k3s.io/node-args') };
  if (first.value === 'none') {
    issues.problem(source.document, source.pointer, 'k3s runs with --flannel-backend=none, so another CNI carries pod traffic; pass --cni and that CNI\'s documents', first.value);
    return 'none';
  }
  const backend = Object.hasOwn(K3S_BACKENDS, first.value) ? K3S_BACKENDS[first.value] : undefined;
  if (!backend) {
    issues.problem(source.document, source.pointer, `unknown k3s --flannel-backend ${JSON.stringify(first.value)}; k3s accepts vxlan, host-gw, wireguard-native, ipsec, none`, first.value);
    return undefined;
  }
  const enableIPv6 = nodes.some((n) => n.vtepIpv6 !== undefined);
  const note = `k3s --flannel-backend=${first.value} from k3s.io/node-args of node ${first.node.name}; k3s's defaults for the rest`;
  issues.warn('flannel-from-k3s-node-args', note, source);
  return { enableIPv4: true, enableIPv6, backend: { ...backend } as FlannelBackend, origin: { kind: 'node-annotations', note } };
}
