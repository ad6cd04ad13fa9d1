import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/source.js';
import type { CniChoice } from '../../src/model/cni.js';
import { translateNodes } from './translate-nodes.js';
import { translateCni } from './translate-cni.js';
import { awsNode } from './testdata/nodes.js';
import {
  bgpConfiguration, calicoConfig, canalConfig, ciliumConfig, configMap, daemonSet, felixConfiguration, installation, ipPool, list, node, rke2CanalSecret, typhaPod,
} from './testdata/cni.js';

const flannelNodes = [awsNode('ip-10-0-1-10', '10.0.1.10', '10.244.0.0/24'), awsNode('ip-10-0-1-11', '10.0.1.11', '10.244.1.0/24')];
const calicoNodes = [
  node('c-0', '10.0.1.20', { annotations: { 'projectcalico.org/IPv4Address': '10.0.1.20/24', 'projectcalico.org/IPv4IPIPTunnelAddr': '192.168.10.0' }, labels: { 'node-role.kubernetes.io/control-plane': '' } }),
  node('c-1', '10.0.1.21', { annotations: { 'projectcalico.org/IPv4Address': '10.0.2.21/24' } }),
  node('c-2', '10.0.1.22'),
];
const ciliumNodes = [node('s-0', '10.0.3.5', { annotations: { 'io.cilium.network.ipv4-cilium-host': '10.0.0.177' } }), node('s-1', '10.0.3.6')];
const k3sArgs = (backend: string): string => JSON.stringify(['server', '--flannel-backend', backend, '--token', '********']);
const k3sNode = (name: string, ip: string, extra: Record<string, string> = {}): Record<string, unknown> =>
  node(name, ip, { annotations: { 'k3s.io/hostname': name, 'k3s.io/internal-ip': ip, ...extra }, labels: { 'node.kubernetes.io/instance-type': 'k3s' } });

function nodesOf(...items: Record<string, unknown>[]) {
  return translateNodes([{ name: 'nodes.json', body: list(...items) }]).nodes;
}
function run(docs: Record<string, unknown>[], nodeItems: Record<string, unknown>[], choice: CniChoice = 'auto') {
  return translateCni(docs.map((body, i) => ({ name: `cni-${i}.json`, body })), nodesOf(...nodeItems), choice);
}
function problems(f: () => unknown): { document: string; pointer: string; reason: string; value?: unknown }[] {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('translateCni: detection', () => {
  it.each([
    ['flannel ConfigMap', [configMap('kube-flannel-cfg', { 'net-conf.json': '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","Port":4789}}' }, 'kube-flannel')], flannelNodes, 'flannel'],
    ['flannel node annotations only', [], flannelNodes, 'flannel'],
    ['canal-config', [canalConfig()], flannelNodes, 'canal'],
    ['calico-config bird', [calicoConfig('bird')], calicoNodes, 'calico'],
    ['operator Installation', [installation({ bgp: 'Disabled', ipPools: [{ cidr: '10.48.0.0/16', encapsulation: 'VXLAN' }] })], calicoNodes, 'calico'],
    ['calico-node DaemonSet', [list(daemonSet('calico-node', [{ name: 'CALICO_NETWORKING_BACKEND', value: 'bird' }]), daemonSet('kube-proxy'))], calicoNodes, 'calico'],
    ['cilium-config', [ciliumConfig()], ciliumNodes, 'cilium'],
    ['cilium node annotations only', [], ciliumNodes, 'cilium'],
    ['k3s marks and flannel annotations', [], [k3sNode('k-0', '10.0.5.1', { 'k3s.io/node-args': k3sArgs('vxlan'), 'flannel.alpha.coreos.com/backend-type': 'vxlan', 'flannel.alpha.coreos.com/public-ip': '10.0.5.1' })], 'k3s'],
    ['rke2 Secret', [rke2CanalSecret('{"Network":"10.42.0.0/16","Backend":{"Type":"vxlan","Port":0}}')], flannelNodes, 'rke2'],
  ] as const)('%s -> %s', (_label, docs, nodes, expected) => {
    const r = run([...docs], [...nodes]);
    expect(r.cni.name).toBe(expected);
    expect(r.detection.how).toBe('detected');
    expect(r.detection.evidence.length).toBeGreaterThan(0);
    expect(r.detection.conflicts).toEqual([]);
  });

  it('with no evidence at all, names what it looked for and asks for --cni', () => {
    const [p] = problems(() => run([], [node('n-0', '10.0.0.1')]));
    expect(p!.document).toBe('--cni');
    expect(p!.reason).toMatch(/no evidence found \(looked for ConfigMaps kube-flannel-cfg.*\); pass --cni/);
  });

  it('cilium-config and calico-node disagree: cilium by precedence, the disagreement listed and warned', () => {
    const r = run([ciliumConfig(), daemonSet('calico-node')], ciliumNodes);
    expect(r.cni.name).toBe('cilium');
    expect(r.detection.conflicts).toHaveLength(1);
    expect(r.detection.conflicts[0]).toMatch(/DaemonSet kube-system\/calico-node runs calico-node, which points at calico, not cilium \(cni-1.json#\)/);
    expect(r.warnings.filter((w) => w.code === 'cni-evidence-conflict')).toHaveLength(1);
  });

  it('a configuration document outranks another CNI\'s node annotations', () => {
    const r = run([calicoConfig('vxlan')], [...calicoNodes, ...ciliumNodes]);
    expect(r.cni.name).toBe('calico');
    expect(r.detection.conflicts.join('\n')).toMatch(/cilium annotations.*points at cilium, not calico/);
  });

  it('a given CNI is used, and evidence for another is a conflict', () => {
    const r = run([], flannelNodes, 'cilium');
    expect(r.detection.how).toBe('given');
    expect(r.cni).toMatchObject({ name: 'cilium', cilium: { routing: { mode: 'tunnel', protocol: 'vxlan', port: 8472 } } });
    expect(r.detection.conflicts[0]).toMatch(/backend-type.*points at flannel, not cilium/);
  });

  it('Calico CRDs next to a flannel configuration mean canal, without a conflict', () => {
    const r = run([configMap('kube-flannel-cfg', { 'net-conf.json': '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}' }), felixConfiguration({})], flannelNodes);
    expect(r.cni.name).toBe('canal');
    expect(r.detection.conflicts).toEqual([]);
  });
});

describe('translateCni: flannel family', () => {
  it('rke2 Secret: base64 net-conf, Port 0 is the kernel default (8472)', () => {
    const r = run([rke2CanalSecret('{"Network":"10.42.0.0/16","Backend":{"Type":"vxlan","Port":0}}')], flannelNodes);
    expect(r.cni).toMatchObject({ name: 'rke2', flannel: { backend: { type: 'vxlan', port: undefined }, origin: { kind: 'secret', source: { document: 'cni-0.json', pointer: '/data/net-conf.json' } } } });
  });

  it.each([
    ['vxlan', { type: 'vxlan', port: undefined }],
    ['wireguard-native', { type: 'wireguard', listenPort: 51820, listenPortV6: 51821 }],
    ['host-gw', { type: 'host-gw' }],
  ])('k3s --flannel-backend=%s from k3s.io/node-args', (backend, expected) => {
    const r = run([], [k3sNode('k-0', '10.0.5.1', { 'k3s.io/node-args': k3sArgs(backend) }), k3sNode('k-1', '10.0.5.2')]);
    expect(r.cni.name).toBe('k3s');
    expect(r.cni.name !== 'calico' && r.cni.name !== 'cilium' && r.cni.flannel.backend).toMatchObject(expected);
  });

  it('k3s with --flannel-backend=none and nothing else: an error pointing at the annotation', () => {
    const [p] = problems(() => run([], [k3sNode('k-0', '10.0.5.1', { 'k3s.io/node-args': k3sArgs('none') })]));
    expect(p).toMatchObject({ document: 'nodes.json', pointer: '/items/0/metadata/annotations/k3s.io~1node-args', value: 'none' });
  });

  it('a bad net-conf inside a List keeps the pointer into the List', () => {
    const ps = problems(() => run([list(configMap('kube-root-ca.crt', { 'ca.crt': 'x' }), canalConfig('{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","Port":"8472"}}'))], flannelNodes));
    expect(ps).toEqual([expect.objectContaining({ document: 'cni-0.json', pointer: '/items/1/data/net-conf.json/Backend/Port', value: '8472' })]);
  });
});

describe('translateCni: calico', () => {
  it('IPPools, Felix and BGP settings; VTEP from projectcalico.org/IPv4Address, InternalIP fallback; typha placement', () => {
    const r = run(
      [
        calicoConfig('bird', 'calico-typha'),
        list(ipPool('default-ipv4-ippool', { cidr: '192.168.0.0/16', ipipMode: 'CrossSubnet', vxlanMode: 'Never' }), ipPool('v6', { cidr: 'fd00:10::/48', vxlanMode: 'Always' })),
        felixConfiguration({ vxlanPort: 4790, vxlanVNI: 4097, wireguardEnabled: true, wireguardListeningPort: 51830 }),
        bgpConfiguration({ listenPort: 1179, nodeToNodeMeshEnabled: true }),
        list(typhaPod('calico-typha-6c5f-abcde', 'c-1')),
      ],
      calicoNodes,
    );
    if (r.cni.name !== 'calico') throw new Error(r.cni.name);
    const c = r.cni.calico;
    expect(c.bgp).toEqual({ enabled: true, port: 1179 });
    expect(c.pools.map((p) => [p.name, p.cidr, p.ipipMode, p.vxlanMode])).toEqual([['default-ipv4-ippool', '192.168.0.0/16', 'CrossSubnet', 'Never'], ['v6', 'fd00:10::/48', 'Never', 'Always']]);
    expect(c.vxlan).toEqual({ port: 4790, vni: 4097 });
    expect(c.wireguard).toEqual({ ipv4: true, ipv6: false, port: 51830, portV6: 51821 });
    expect(c.typha).toEqual({ enabled: true, port: 5473, nodes: ['c-1'] });
    expect(c.enableIPv6).toBe(true);
    expect(r.nodes.map((n) => [n.name, n.vtepIp, n.vtepSource, n.roles])).toEqual([
      ['c-0', '10.0.1.20', 'calico-ipv4-address-annotation', ['control-plane']],
      ['c-1', '10.0.2.21', 'calico-ipv4-address-annotation', ['typha']],
      ['c-2', '10.0.1.22', 'internal-ip', undefined],
    ]);
  });

  it.each([
    ['Installation defaults (BGP on, IPIP)', [installation({ ipPools: [{ cidr: '10.48.0.0/16' }] })], { enabled: true }, ['Always', 'Never']],
    ['Installation on EKS (BGP off, VXLAN)', [installation({ ipPools: [{ cidr: '10.48.0.0/16' }] }, { kubernetesProvider: 'EKS' })], { enabled: false }, ['Never', 'Always']],
    ['Installation VXLANCrossSubnet', [installation({ bgp: 'Disabled', ipPools: [{ cidr: '10.48.0.0/16', encapsulation: 'VXLANCrossSubnet' }] })], { enabled: false }, ['Never', 'CrossSubnet']],
    ['calico-config vxlan, no pools', [calicoConfig('vxlan')], { enabled: false }, ['Never', 'Always']],
    ['calico-config bird, no pools', [calicoConfig('bird')], { enabled: true }, ['Always', 'Never']],
  ])('%s', (_label, docs, bgp, [ipip, vxlan]) => {
    const r = run(docs, calicoNodes);
    if (r.cni.name !== 'calico') throw new Error(r.cni.name);
    expect(r.cni.calico.bgp).toMatchObject(bgp);
    expect([r.cni.calico.pools[0]!.ipipMode, r.cni.calico.pools[0]!.vxlanMode]).toEqual([ipip, vxlan]);
  });

  it('operator-installed Typha with unknown placement says so', () => {
    const r = run([installation({})], calicoNodes);
    if (r.cni.name !== 'calico') throw new Error(r.cni.name);
    expect(r.cni.calico.typha).toEqual({ enabled: true, port: 5473 });
    expect(r.warnings.map((w) => w.code)).toContain('calico-typha-placement-unknown');
  });

  it('bad values: every one reported with document, pointer and value', () => {
    const ps = problems(() =>
      run(
        [
          calicoConfig('ipip'),
          list(ipPool('both', { cidr: '10.0.0.0/16', ipipMode: 'Always', vxlanMode: 'CrossSubnet' }), ipPool('bad', { cidr: '10.1.0.0', ipipMode: 'always' })),
          felixConfiguration({ vxlanPort: 70000 }),
        ],
        calicoNodes,
      ),
    );
    expect(ps.map((p) => [p.document, p.pointer, p.value])).toEqual([
      ['cni-0.json', '/data/calico_backend', 'ipip'],
      ['cni-1.json', '/items/0/spec', { ipipMode: 'Always', vxlanMode: 'CrossSubnet' }],
      ['cni-1.json', '/items/1/spec/cidr', '10.1.0.0'],
      ['cni-1.json', '/items/1/spec/ipipMode', 'always'],
      ['cni-2.json', '/spec/vxlanPort', 70000],
    ]);
  });
});

describe('translateCni: cilium', () => {
  it.each([
    ['defaults', {}, { routing: { mode: 'tunnel', protocol: 'vxlan', port: 8472 }, health: { enabled: true, port: 4240 } }],
    ['geneve on a custom port', { 'tunnel-protocol': 'geneve', 'tunnel-port': '6082' }, { routing: { mode: 'tunnel', protocol: 'geneve', port: 6082 } }],
    ['legacy tunnel: geneve (1.13)', { 'routing-mode': '', 'tunnel-protocol': '', tunnel: 'geneve' }, { routing: { mode: 'tunnel', protocol: 'geneve', port: 6081 } }],
    ['native routing', { 'routing-mode': 'native', 'ipv4-native-routing-cidr': '10.0.0.0/8' }, { routing: { mode: 'native', nativeRoutingCidr: '10.0.0.0/8' } }],
    ['wireguard, ipsec, no health', { 'enable-wireguard': 'true', 'enable-ipsec': 'true', 'enable-health-checking': 'false', 'cluster-health-port': '4241' }, { wireguard: { enabled: true, port: 51871 }, ipsec: { enabled: true }, health: { enabled: false, port: 4241 } }],
  ])('%s', (_label, data, expected) => {
    const r = run([ciliumConfig(data)], ciliumNodes);
    if (r.cni.name !== 'cilium') throw new Error(r.cni.name);
    expect(r.cni.cilium).toMatchObject(expected);
    expect(r.nodes.map((n) => [n.vtepIp, n.vtepSource])).toEqual([['10.0.3.5', 'cilium-node-ip'], ['10.0.3.6', 'cilium-node-ip']]);
  });

  it('bad values name the key', () => {
    const ps = problems(() => run([ciliumConfig({ 'enable-wireguard': 'yes', 'tunnel-port': '99999', 'routing-mode': 'direct' })], ciliumNodes));
    expect(ps.map((p) => [p.pointer, p.value])).toEqual([
      ['/data/routing-mode', 'direct'],
      ['/data/tunnel-port', '99999'],
      ['/data/enable-wireguard', 'yes'],
    ]);
  });
});

describe('translateCni: calico Installation without pools', () => {
  it('the operator default pool follows BGP: VXLAN on EKS', () => {
    const r = run([installation(undefined, { kubernetesProvider: 'EKS' })], calicoNodes);
    if (r.cni.name !== 'calico') throw new Error(r.cni.name);
    expect(r.cni.calico.pools.map((p) => [p.cidr, p.ipipMode, p.vxlanMode])).toEqual([['192.168.0.0/16', 'Never', 'Always']]);
  });
});
