import { describe, expect, it } from 'vitest';
import { InputError, type InputProblem } from '../../src/model/source.js';
import type { ClusterNode } from '../../src/model/cluster.js';
import { translateFlannel } from './translate-flannel.js';
import { translateNodes } from './translate-nodes.js';
import { kubeFlannelCfg, UPSTREAM_NET_CONF } from './testdata/flannel.js';
import { awsNode, nodeList } from './testdata/nodes.js';

function problemsOf(fn: () => unknown): InputProblem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

const doc = (body: unknown, name = 'flannel.json') => ({ name, body });
const nodesFrom = (...items: Record<string, unknown>[]): ClusterNode[] => translateNodes([{ name: 'nodes.json', body: nodeList(...items) }]).nodes;
const twoNodes = nodesFrom(awsNode('n1', '10.0.0.1', '10.244.1.0/24'), awsNode('n2', '10.0.0.2', '10.244.2.0/24'));

describe('translateFlannel: documents', () => {
  it('reads the upstream kube-flannel-cfg ConfigMap', () => {
    const { flannel, warnings } = translateFlannel([doc(kubeFlannelCfg(UPSTREAM_NET_CONF), 'kube-flannel-cfg.yaml')], twoNodes);
    expect(warnings).toEqual([]);
    expect(flannel).toEqual({
      network: '10.244.0.0/16',
      enableIPv4: true,
      enableIPv6: false,
      backend: { type: 'vxlan', port: undefined, vni: 1, directRouting: false, gbp: false },
      origin: { kind: 'configmap', name: 'kube-flannel-cfg', namespace: 'kube-flannel', source: { document: 'kube-flannel-cfg.yaml', pointer: '/data/net-conf.json' } },
    });
  });

  it('reads Canal\'s canal-config ConfigMap', () => {
    const { flannel } = translateFlannel([doc(kubeFlannelCfg({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan' } }, 'canal-config', 'kube-system'))], twoNodes);
    expect(flannel.origin).toMatchObject({ kind: 'configmap', name: 'canal-config', namespace: 'kube-system' });
  });

  it('reads a raw net-conf.json object and gives the same config as the ConfigMap', () => {
    const raw = translateFlannel([doc(JSON.parse(UPSTREAM_NET_CONF), 'net-conf.json')], twoNodes).flannel;
    const cm = translateFlannel([doc(kubeFlannelCfg(UPSTREAM_NET_CONF))], twoNodes).flannel;
    expect(raw.origin).toEqual({ kind: 'net-conf', source: { document: 'net-conf.json', pointer: '' } });
    expect({ ...raw, origin: undefined }).toEqual({ ...cm, origin: undefined });
  });

  it('picks the flannel ConfigMap out of a ConfigMap List and says what it skipped', () => {
    const list = { kind: 'List', apiVersion: 'v1', items: [{ kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----' } }, kubeFlannelCfg(UPSTREAM_NET_CONF)] };
    const { flannel, warnings } = translateFlannel([doc(list)], twoNodes);
    expect(flannel.origin).toMatchObject({ kind: 'configmap', source: { pointer: '/items/1/data/net-conf.json' } });
    expect(warnings).toEqual([expect.objectContaining({ code: 'flannel-list-item-ignored', message: expect.stringContaining('kube-root-ca.crt'), source: { document: 'flannel.json', pointer: '/items/0' } })]);
  });
});

describe('translateFlannel: flannel defaulting', () => {
  it.each([
    ['Backend', 'Port', 'VNI', 'DirectRouting'],
    ['backend', 'port', 'vni', 'directRouting'],
    ['BACKEND', 'PORT', 'Vni', 'directrouting'],
  ])('keys are case-insensitive (%s/%s/%s/%s)', (backendKey, portKey, vniKey, drKey) => {
    const { flannel } = translateFlannel([doc({ network: '10.244.0.0/16', [backendKey]: { type: 'VXLAN', [portKey]: 4790, [vniKey]: 7, [drKey]: true } })], twoNodes);
    expect(flannel.network).toBe('10.244.0.0/16');
    expect(flannel.backend).toEqual({ type: 'vxlan', port: 4790, vni: 7, directRouting: true, gbp: false });
  });

  it('a missing Backend means udp 8285, with a warning saying the docs are wrong', () => {
    const { flannel, warnings } = translateFlannel([doc(kubeFlannelCfg({ Network: '10.244.0.0/16' }))], twoNodes);
    expect(flannel.backend).toEqual({ type: 'udp', port: 8285 });
    expect(warnings).toEqual([expect.objectContaining({ code: 'flannel-backend-missing', message: expect.stringMatching(/udp backend .*not vxlan as its documentation says/), source: { document: 'flannel.json', pointer: '/data/net-conf.json' } })]);
  });

  it.each<[string, Record<string, unknown>, unknown]>([
    ['vxlan Port 0 is left to the kernel', { Type: 'vxlan', Port: 0 }, { type: 'vxlan', port: undefined, vni: 1, directRouting: false, gbp: false }],
    ['vxlan with GBP and MTU', { Type: 'vxlan', GBP: true, MTU: 8951, Port: 8472 }, { type: 'vxlan', port: 8472, vni: 1, directRouting: false, gbp: true, mtu: 8951 }],
    ['vxlan Port null keeps the default', { Type: 'vxlan', Port: null }, { type: 'vxlan', port: undefined, vni: 1, directRouting: false, gbp: false }],
    ['udp default port', { Type: 'udp' }, { type: 'udp', port: 8285 }],
    ['udp custom port', { Type: 'udp', Port: 9000 }, { type: 'udp', port: 9000 }],
    ['wireguard defaults', { Type: 'wireguard' }, { type: 'wireguard', listenPort: 51820, listenPortV6: 51821, mode: 'separate' }],
    ['wireguard custom', { Type: 'WireGuard', listenPort: 51000, ListenPortV6: 51001, Mode: 'auto', PSK: 'x' }, { type: 'wireguard', listenPort: 51000, listenPortV6: 51001, mode: 'auto' }],
    ['host-gw', { Type: 'host-gw' }, { type: 'host-gw' }],
    ['ipsec', { Type: 'ipsec', UDPEncap: true, PSK: 'a'.repeat(96) }, { type: 'ipsec', udpEncap: true }],
    ['ipip with DirectRouting', { Type: 'ipip', DirectRouting: true }, { type: 'ipip', directRouting: true }],
  ])('%s', (_name, backend, expected) => {
    expect(translateFlannel([doc({ Network: '10.244.0.0/16', Backend: backend })], twoNodes).flannel.backend).toEqual(expected);
  });

  it('EnableIPv4 defaults to true and dual-stack reads IPv6Network', () => {
    const { flannel } = translateFlannel([doc({ Network: '10.244.0.0/16', IPv6Network: 'FD00:10:244::/56', EnableIPv6: true, Backend: { Type: 'vxlan' } })], twoNodes);
    expect(flannel).toMatchObject({ enableIPv4: true, enableIPv6: true, ipv6Network: 'fd00:10:244::/56' });
  });

  it('the last of several case-variant keys wins, as in Go, with a warning', () => {
    const { flannel, warnings } = translateFlannel([doc({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan', Port: 8472, port: 4789 } })], twoNodes);
    expect(flannel.backend).toMatchObject({ port: 4789 });
    expect(warnings).toEqual([expect.objectContaining({ code: 'flannel-duplicate-key', source: { document: 'flannel.json', pointer: '/Backend/port' } })]);
  });

  it('warns about a podCIDR outside Network', () => {
    const nodes = nodesFrom(awsNode('n1', '10.0.0.1', '10.244.1.0/24'), awsNode('n2', '10.0.0.2', '10.42.2.0/24'));
    const { warnings } = translateFlannel([doc({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan' } })], nodes);
    expect(warnings).toEqual([expect.objectContaining({ code: 'pod-cidr-outside-network', message: expect.stringContaining('"n2" podCIDR 10.42.2.0/24 is outside'), source: { document: 'nodes.json', pointer: '/items/1' } })]);
  });
});

describe('translateFlannel: bad input names pointer, value and reason', () => {
  const supported = 'supported types: vxlan, host-gw, udp, wireguard, ipsec, ipip';
  const cm = (netConf: unknown) => kubeFlannelCfg(netConf as Record<string, unknown>);
  const cases: { name: string; body: unknown; pointer: string; reason: string; value?: unknown }[] = [
    { name: 'unknown type', body: cm({ Network: '10.244.0.0/16', Backend: { Type: 'geneve' } }), pointer: '/data/net-conf.json/Backend/Type', reason: `unknown flannel backend type "geneve"; ${supported}`, value: 'geneve' },
    { name: 'removed aws-vpc', body: cm({ Network: '10.244.0.0/16', Backend: { Type: 'aws-vpc' } }), pointer: '/data/net-conf.json/Backend/Type', reason: `backend type "aws-vpc" was removed in flannel v0.20.0; ${supported}`, value: 'aws-vpc' },
    { name: 'removed gce (upper case)', body: cm({ Network: '10.244.0.0/16', backend: { type: 'GCE' } }), pointer: '/data/net-conf.json/backend/type', reason: `backend type "gce" was removed in flannel v0.20.0; ${supported}`, value: 'GCE' },
    { name: 'ali-vpc', body: cm({ Network: '10.244.0.0/16', Backend: { Type: 'ali-vpc' } }), pointer: '/data/net-conf.json/Backend/Type', reason: `backend type "ali-vpc" was removed in flannel v0.20.0; ${supported}`, value: 'ali-vpc' },
    { name: 'alloc', body: cm({ Network: '10.244.0.0/16', Backend: { Type: 'alloc' } }), pointer: '/data/net-conf.json/Backend/Type', reason: `backend type "alloc" is not supported by sgaudit (it only allocates subnets and forwards no traffic); ${supported}`, value: 'alloc' },
    { name: 'extension', body: cm({ Network: '10.244.0.0/16', Backend: { Type: 'extension' } }), pointer: '/data/net-conf.json/Backend/Type', reason: `backend type "extension" is not supported by sgaudit (its traffic depends on user-defined commands); ${supported}`, value: 'extension' },
    { name: 'tencent-vpc', body: cm({ Network: '10.244.0.0/16', Backend: { Type: 'tencent-vpc' } }), pointer: '/data/net-conf.json/Backend/Type', reason: `backend type "tencent-vpc" is not supported by sgaudit (it programs cloud route tables, which sgaudit does not audit); ${supported}`, value: 'tencent-vpc' },
    { name: 'Port "abc"', body: cm({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan', Port: 'abc' } }), pointer: '/data/net-conf.json/Backend/Port', reason: 'Port must be an integer, got string', value: 'abc' },
    { name: 'Port 70000', body: cm({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan', Port: 70000 } }), pointer: '/data/net-conf.json/Backend/Port', reason: 'Port must be between 0 and 65535', value: 70000 },
    { name: 'Port 8472.5', body: { Network: '10.244.0.0/16', Backend: { Type: 'vxlan', port: 8472.5 } }, pointer: '/Backend/port', reason: 'Port must be an integer, got number', value: 8472.5 },
    { name: 'udp Port 0', body: { Network: '10.244.0.0/16', Backend: { Type: 'udp', Port: 0 } }, pointer: '/Backend/Port', reason: 'Port must be between 1 and 65535', value: 0 },
    { name: 'wireguard ListenPort -1', body: { Network: '10.244.0.0/16', Backend: { Type: 'wireguard', ListenPort: -1 } }, pointer: '/Backend/ListenPort', reason: 'ListenPort must be between 1 and 65535', value: -1 },
    { name: 'wireguard Mode', body: { Network: '10.244.0.0/16', Backend: { Type: 'wireguard', Mode: 'Separate' } }, pointer: '/Backend/Mode', reason: 'Mode must be one of separate, auto, ipv4, ipv6', value: 'Separate' },
    { name: 'DirectRouting "true"', body: { Network: '10.244.0.0/16', Backend: { Type: 'vxlan', DirectRouting: 'true' } }, pointer: '/Backend/DirectRouting', reason: 'DirectRouting must be true or false, got string', value: 'true' },
    { name: 'Network not a CIDR', body: cm({ Network: '10.244.0.0', Backend: { Type: 'vxlan' } }), pointer: '/data/net-conf.json/Network', reason: 'Network must be an IPv4 CIDR such as 10.244.0.0/16', value: '10.244.0.0' },
    { name: 'Network IPv6', body: { Network: 'fd00::/56', Backend: { Type: 'vxlan' } }, pointer: '/Network', reason: 'Network must be an IPv4 CIDR such as 10.244.0.0/16', value: 'fd00::/56' },
    { name: 'Type missing', body: { Network: '10.244.0.0/16', Backend: { Port: 1 } }, pointer: '/Backend', reason: 'Backend has no Type (flannel rejects an empty backend type)' },
    { name: 'Backend null', body: { Network: '10.244.0.0/16', Backend: null }, pointer: '/Backend', reason: 'Backend must be an object with a Type, got null', value: null },
    { name: 'Type a number', body: { Network: '10.244.0.0/16', Backend: { Type: 4 } }, pointer: '/Backend/Type', reason: 'Type must be a string, got number', value: 4 },
    { name: 'both families off', body: { Network: '10.244.0.0/16', EnableIPv4: false, Backend: { Type: 'vxlan' } }, pointer: '', reason: 'EnableIPv4 and EnableIPv6 are both false; flannel needs at least one address family' },
    { name: 'embedded JSON broken', body: cm('{\n  "Network": "10.244.0.0/16",\n  "Backend": {"Type": "vxlan",}\n}'), pointer: '/data/net-conf.json', reason: 'net-conf.json is not valid: malformed JSON at line 3 column 31: Expected double-quoted property name' },
    { name: 'embedded JSON not an object', body: cm('[1]'), pointer: '/data/net-conf.json', reason: 'net-conf.json must hold a JSON object, got array' },
    { name: 'ConfigMap without net-conf.json', body: { kind: 'ConfigMap', metadata: { name: 'coredns' }, data: { Corefile: '.:53 {}' } }, pointer: '/data', reason: 'ConfigMap "coredns" has no string data["net-conf.json"] (expected kube-flannel-cfg or canal-config)' },
    { name: 'a Node', body: { kind: 'Node', metadata: { name: 'n1' } }, pointer: '/kind', reason: 'expected a v1 ConfigMap with data["net-conf.json"] or a net-conf.json object, got kind "Node"', value: 'Node' },
    { name: 'a Secret', body: { kind: 'Secret', metadata: { name: 'rke2-canal-config' }, stringData: {} }, pointer: '/kind', reason: 'Secrets are not read (RKE2\'s rke2-canal-config can hold the IPsec PSK); save the net-conf.json value to a file and pass that', value: 'Secret' },
    { name: 'unrelated object', body: { foo: 1 }, pointer: '', reason: 'expected a flannel ConfigMap or a net-conf.json object (one with a Network, Backend, EnableIPv4 or EnableIPv6 key)' },
  ];
  it.each(cases)('$name', ({ body, pointer, reason, value }) => {
    const problems = problemsOf(() => translateFlannel([doc(body)], twoNodes));
    expect(problems).toEqual([value === undefined ? { document: 'flannel.json', pointer, reason } : { document: 'flannel.json', pointer, reason, value }]);
  });

  it('collects several bad fields at once', () => {
    const problems = problemsOf(() => translateFlannel([doc({ Network: 'x', EnableIPv6: 'yes', Backend: { Type: 'vxlan', Port: 'p', VNI: -1 } })], twoNodes));
    expect(problems.map((p) => p.pointer)).toEqual(['/EnableIPv6', '/Network', '/Backend/Port', '/Backend/VNI']);
  });

  it('rejects two flannel configurations', () => {
    const problems = problemsOf(() => translateFlannel([doc(kubeFlannelCfg(UPSTREAM_NET_CONF), 'a.yaml'), doc(JSON.parse(UPSTREAM_NET_CONF), 'b.json')], twoNodes));
    expect(problems).toEqual([{ document: 'b.json', pointer: '', reason: 'more than one flannel configuration given (the first is a.yaml#/data/net-conf.json); pass exactly one' }]);
  });
});

describe('translateFlannel: no documents, from node annotations', () => {
  const annotated = (name: string, ip: string, cidr: string, annotations: Record<string, string>) => awsNode(name, ip, cidr, { annotations });

  it('vxlan: port left to the catalog, and the note says exactly what was assumed', () => {
    const { flannel, warnings } = translateFlannel([], twoNodes);
    expect(flannel.backend).toEqual({ type: 'vxlan', port: undefined, vni: 1, directRouting: false, gbp: false });
    expect(flannel).toMatchObject({ enableIPv4: true, enableIPv6: false });
    expect(flannel.origin).toEqual({ kind: 'node-annotations', note: expect.stringContaining("no --flannel given: backend vxlan from node annotations; VXLAN port not recorded in annotations, so flannel's default is assumed") });
    expect(warnings).toEqual([expect.objectContaining({ code: 'flannel-from-annotations' })]);
  });

  it('wireguard: Port from backend-data', () => {
    const data = { 'flannel.alpha.coreos.com/backend-type': 'wireguard', 'flannel.alpha.coreos.com/backend-data': '{"PublicKey":"8WCv2Sd0fVZ8fMyxhlU3RD1qUbTnvE7nuJvjWJUQLV8=","Port":51999}' };
    const nodes = nodesFrom(annotated('n1', '10.0.0.1', '10.244.1.0/24', data), annotated('n2', '10.0.0.2', '10.244.2.0/24', data));
    const { flannel } = translateFlannel([], nodes);
    expect(flannel.backend).toEqual({ type: 'wireguard', listenPort: 51999, listenPortV6: 51821, mode: 'separate' });
    expect(flannel.origin.kind === 'node-annotations' && flannel.origin.note).toContain('wireguard ListenPort 51999 from flannel.alpha.coreos.com/backend-data');
  });

  it('dual-stack is inferred from public-ipv6 annotations', () => {
    const v6 = { 'flannel.alpha.coreos.com/public-ipv6': '2001:db8::1' };
    const { flannel } = translateFlannel([], nodesFrom(annotated('n1', '10.0.0.1', '10.244.1.0/24', v6)));
    expect(flannel).toMatchObject({ enableIPv4: true, enableIPv6: true });
  });

  it('no annotations at all is an input error', () => {
    const bare = awsNode('n1', '10.0.0.1', '10.244.1.0/24');
    (bare.metadata as Record<string, unknown>).annotations = {};
    expect(problemsOf(() => translateFlannel([], nodesFrom(bare)))).toEqual([
      { document: '--flannel', pointer: '', reason: 'no --flannel given and nodes carry no flannel.alpha.coreos.com/backend-type annotation; pass the kube-flannel-cfg ConfigMap with --flannel' },
    ]);
  });

  it('nodes that disagree are an input error, never a majority vote', () => {
    const nodes = nodesFrom(
      awsNode('n1', '10.0.0.1', '10.244.1.0/24'),
      awsNode('n2', '10.0.0.2', '10.244.2.0/24'),
      annotated('n3', '10.0.0.3', '10.244.3.0/24', { 'flannel.alpha.coreos.com/backend-type': 'host-gw' }),
    );
    expect(problemsOf(() => translateFlannel([], nodes))).toEqual([
      { document: '--flannel', pointer: '', reason: 'no --flannel given and nodes disagree on flannel.alpha.coreos.com/backend-type (vxlan: n1, n2; host-gw: n3); pass the kube-flannel-cfg ConfigMap with --flannel' },
    ]);
  });

  it('an unsupported annotated type points at the annotation', () => {
    const nodes = nodesFrom(annotated('n1', '10.0.0.1', '10.244.1.0/24', { 'flannel.alpha.coreos.com/backend-type': 'aws-vpc' }));
    expect(problemsOf(() => translateFlannel([], nodes))).toEqual([
      expect.objectContaining({ document: 'nodes.json', pointer: '/items/0/metadata/annotations/flannel.alpha.coreos.com~1backend-type', value: 'aws-vpc', reason: expect.stringContaining('removed in flannel v0.20.0') }),
    ]);
  });

  it('a node without the annotation is a warning when the others agree', () => {
    const bare = awsNode('n3', '10.0.0.3', '10.244.3.0/24');
    (bare.metadata as Record<string, unknown>).annotations = { 'flannel.alpha.coreos.com/public-ip': '10.0.0.3' };
    const { warnings } = translateFlannel([], nodesFrom(awsNode('n1', '10.0.0.1', '10.244.1.0/24'), bare));
    expect(warnings.map((w) => w.code)).toEqual(['backend-type-annotation-missing', 'flannel-from-annotations']);
  });
});
