import { describe, expect, it } from 'vitest';
import { InputError, type InputProblem } from '../../src/model/source.js';
import { translateNodes } from './translate-nodes.js';
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

const doc = (body: unknown, name = 'nodes.json') => ({ name, body });

describe('translateNodes: accepted shapes', () => {
  it('reads a kubectl List with annotations, podCIDRs, providerID and InternalIP', () => {
    const { nodes, warnings } = translateNodes([doc(nodeList(awsNode('ip-172-16-10-11', '172.16.10.11', '10.244.1.0/24'), awsNode('ip-172-16-10-12', '172.16.10.12', '10.244.2.0/24')))]);
    expect(warnings).toEqual([]);
    expect(nodes).toHaveLength(2);
    expect(nodes[0]).toEqual({
      name: 'ip-172-16-10-11',
      os: 'linux',
      vtepIp: '172.16.10.11',
      vtepSource: 'public-ip-annotation',
      internalIp: '172.16.10.11',
      podCidrs: ['10.244.1.0/24'],
      providerId: { provider: 'aws', instanceId: 'i-0ip172161011abc', zone: 'us-east-1a', raw: 'aws:///us-east-1a/i-0ip172161011abc' },
      backendTypeAnnotation: 'vxlan',
      backendData: { VNI: 1, VtepMAC: 'a6:1f:3c:9e:2b:10' },
      source: { document: 'nodes.json', pointer: '/items/0' },
    });
    expect(nodes[1]!.source.pointer).toBe('/items/1');
  });

  it('reads a single Node and a NodeList whose items lack kind (raw API server response)', () => {
    const item = awsNode('n1', '10.0.0.1', '10.244.0.0/24');
    delete item.kind;
    delete item.apiVersion;
    const { nodes } = translateNodes([
      doc({ kind: 'NodeList', apiVersion: 'v1', items: [item] }, 'live:kubernetes'),
      doc(awsNode('n2', '10.0.0.2', '10.244.1.0/24'), 'n2.yaml'),
    ]);
    expect(nodes.map((n) => [n.name, n.source.document, n.source.pointer])).toEqual([
      ['n1', 'live:kubernetes', '/items/0'],
      ['n2', 'n2.yaml', ''],
    ]);
  });

  it('dedupes identical nodes given twice and rejects a duplicate name with different content', () => {
    const a = awsNode('n1', '10.0.0.1', '10.244.0.0/24');
    expect(translateNodes([doc(nodeList(a), 'a.json'), doc(nodeList(a), 'b.json')]).nodes).toHaveLength(1);
    const changed = awsNode('n1', '10.0.0.9', '10.244.0.0/24');
    const problems = problemsOf(() => translateNodes([doc(nodeList(a), 'a.json'), doc(nodeList(changed), 'b.json')]));
    expect(problems).toEqual([
      expect.objectContaining({ document: 'b.json', pointer: '/items/0/metadata/name', value: 'n1', reason: expect.stringContaining('appears twice with different content (first at a.json#/items/0)') }),
    ]);
  });
});

describe('translateNodes: VTEP address precedence', () => {
  const cases: { name: string; annotations: Record<string, string>; addresses?: unknown[]; vtep?: string; source: string; warning?: string }[] = [
    { name: 'overwrite wins over public-ip', annotations: { 'flannel.alpha.coreos.com/public-ip': '10.0.0.1', 'flannel.alpha.coreos.com/public-ip-overwrite': '203.0.113.7' }, vtep: '203.0.113.7', source: 'public-ip-overwrite-annotation', warning: 'vtep-overwrite-pending' },
    { name: 'overwrite equal to public-ip', annotations: { 'flannel.alpha.coreos.com/public-ip': '10.0.0.1', 'flannel.alpha.coreos.com/public-ip-overwrite': '10.0.0.1' }, vtep: '10.0.0.1', source: 'public-ip-overwrite-annotation' },
    { name: 'public-ip over InternalIP', annotations: { 'flannel.alpha.coreos.com/public-ip': '10.0.1.5' }, vtep: '10.0.1.5', source: 'public-ip-annotation' },
    { name: 'InternalIP fallback warns', annotations: {}, vtep: '10.0.0.1', source: 'internal-ip', warning: 'vtep-from-internal-ip' },
    { name: 'IPv4 InternalIP preferred over an earlier IPv6 one', annotations: {}, addresses: [{ type: 'InternalIP', address: 'fd00::1' }, { type: 'InternalIP', address: '10.0.0.3' }], vtep: '10.0.0.3', source: 'internal-ip', warning: 'vtep-from-internal-ip' },
    { name: 'nothing at all', annotations: {}, addresses: [{ type: 'Hostname', address: 'n1' }], source: 'none', warning: 'vtep-unknown' },
  ];
  it.each(cases)('$name', ({ annotations, addresses, vtep, source, warning }) => {
    const node = awsNode('n1', '10.0.0.1', '10.244.0.0/24');
    const meta = node.metadata as { annotations: Record<string, string> };
    meta.annotations = annotations;
    if (addresses) (node.status as { addresses: unknown[] }).addresses = addresses;
    const { nodes, warnings } = translateNodes([doc(node)]);
    expect(nodes[0]!.vtepIp).toBe(vtep);
    expect(nodes[0]!.vtepSource).toBe(source);
    expect(warnings.map((w) => w.code)).toEqual(warning ? [warning] : []);
  });

  it('reads public-ipv6 as vtepIpv6', () => {
    const node = awsNode('n1', '10.0.0.1', '10.244.0.0/24', { annotations: { 'flannel.alpha.coreos.com/public-ipv6': '2001:db8::11' } });
    expect(translateNodes([doc(node)]).nodes[0]!.vtepIpv6).toBe('2001:db8::11');
  });
});

describe('translateNodes: os, podCIDRs, providerID, backend annotations', () => {
  it.each([
    [{ 'kubernetes.io/os': 'windows' }, 'windows'],
    [{ 'kubernetes.io/os': 'linux' }, 'linux'],
    [{ 'beta.kubernetes.io/os': 'windows' }, 'windows'],
    [{}, 'linux'],
  ])('labels %j -> os %s', (labels, os) => {
    const node = awsNode('n1', '10.0.0.1', '10.244.0.0/24');
    (node.metadata as { labels: unknown }).labels = labels;
    expect(translateNodes([doc(node)]).nodes[0]!.os).toBe(os);
  });

  it('canonicalizes podCIDRs, falls back to podCIDR, and warns when neither is set', () => {
    const dual = awsNode('n1', '10.0.0.1', '10.244.1.0/24');
    (dual.spec as Record<string, unknown>).podCIDRs = ['10.244.1.7/24', 'FD00:10:244:1::/64'];
    const single = awsNode('n2', '10.0.0.2', '10.244.2.0/24');
    delete (single.spec as Record<string, unknown>).podCIDRs;
    const none = awsNode('n3', '10.0.0.3', '');
    delete (none.spec as Record<string, unknown>).podCIDRs;
    const { nodes, warnings } = translateNodes([doc(nodeList(dual, single, none))]);
    expect(nodes.map((n) => n.podCidrs)).toEqual([['10.244.1.0/24', 'fd00:10:244:1::/64'], ['10.244.2.0/24'], []]);
    expect(warnings).toEqual([expect.objectContaining({ code: 'pod-cidr-missing', message: expect.stringContaining('pod cidr not assigned'), source: { document: 'nodes.json', pointer: '/items/2' } })]);
  });

  it.each([
    ['aws:///us-east-1a/i-0abc123def4567890', { provider: 'aws', instanceId: 'i-0abc123def4567890', zone: 'us-east-1a' }],
    ['aws:////i-0abc123def4567890', { provider: 'aws', instanceId: 'i-0abc123def4567890' }],
    ['i-0abc123def4567890', { provider: 'aws', instanceId: 'i-0abc123def4567890' }],
    ['openstack:///8d6a2b1e-3f4c-4a5b-9c7d-0e1f2a3b4c5d', { provider: 'openstack', serverId: '8d6a2b1e-3f4c-4a5b-9c7d-0e1f2a3b4c5d' }],
    ['openstack://RegionOne/8d6a2b1e-3f4c-4a5b-9c7d-0e1f2a3b4c5d', { provider: 'openstack', serverId: '8d6a2b1e-3f4c-4a5b-9c7d-0e1f2a3b4c5d', region: 'RegionOne' }],
    ['gce://proj/us-central1-a/vm-1', { provider: 'other' }],
    ['kind://docker/kind/kind-worker', { provider: 'other' }],
  ])('providerID %s', (raw, expected) => {
    const node = awsNode('n1', '10.0.0.1', '10.244.0.0/24');
    (node.spec as Record<string, unknown>).providerID = raw;
    const { nodes, warnings } = translateNodes([doc(node)]);
    expect(nodes[0]!.providerId).toEqual({ ...expected, raw });
    expect(warnings).toEqual([]);
  });

  it.each([
    ['aws:///us-east-1a/fargate-ip-192-168-1-10', 'AWS id without an EC2 instance id'],
    ['openstack://', 'OpenStack id without a server id'],
  ])('providerID %s becomes other with a warning', (raw, text) => {
    const node = awsNode('n1', '10.0.0.1', '10.244.0.0/24');
    (node.spec as Record<string, unknown>).providerID = raw;
    const { nodes, warnings } = translateNodes([doc(node)]);
    expect(nodes[0]!.providerId).toEqual({ provider: 'other', raw });
    expect(warnings).toEqual([expect.objectContaining({ code: 'provider-id-unparsed', message: expect.stringContaining(text), source: { document: 'nodes.json', pointer: '/spec/providerID' } })]);
  });

  it('treats host-gw backend-data null as absent and unparsable backend-data as a warning', () => {
    const hostGw = awsNode('n1', '10.0.0.1', '10.244.0.0/24', { annotations: { 'flannel.alpha.coreos.com/backend-type': 'host-gw', 'flannel.alpha.coreos.com/backend-data': 'null' } });
    const broken = awsNode('n2', '10.0.0.2', '10.244.1.0/24', { annotations: { 'flannel.alpha.coreos.com/backend-data': '{"VNI":1,' } });
    const { nodes, warnings } = translateNodes([doc(nodeList(hostGw, broken))]);
    expect(nodes[0]!.backendTypeAnnotation).toBe('host-gw');
    expect(nodes[0]!.backendData).toBeUndefined();
    expect(nodes[1]!.backendData).toBeUndefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'backend-data-unparsable', source: { document: 'nodes.json', pointer: '/items/1/metadata/annotations/flannel.alpha.coreos.com~1backend-data' } })]);
  });
});

describe('translateNodes: bad input names document, pointer, value and reason', () => {
  const list = (...items: unknown[]) => ({ kind: 'List', apiVersion: 'v1', items });
  const withAnnotation = (key: string, value: string) => awsNode('n1', '10.0.0.1', '10.244.0.0/24', { annotations: { [key]: value } });
  const cases: { name: string; body: unknown; pointer: string; reason: string; value?: unknown }[] = [
    { name: 'a ConfigMap', body: { kind: 'ConfigMap', apiVersion: 'v1', data: {} }, pointer: '/kind', reason: 'expected a v1 Node or NodeList (kind), got kind "ConfigMap"', value: 'ConfigMap' },
    { name: 'no kind', body: { items: [] }, pointer: '', reason: 'expected a v1 Node or NodeList (kind), got an object without kind' },
    { name: 'an array', body: [], pointer: '', reason: 'expected a v1 Node or NodeList (kind), got array' },
    { name: 'items not an array', body: { kind: 'List', items: {} }, pointer: '/items', reason: 'a List needs an items array, got object' },
    { name: 'a Pod inside a List', body: list(awsNode('n0', '10.0.0.5', '10.244.5.0/24'), { kind: 'Pod', metadata: { name: 'p' } }), pointer: '/items/1/kind', reason: 'expected a Node in the list, got kind "Pod"', value: 'Pod' },
    { name: 'missing metadata.name', body: list(awsNode('n0', '10.0.0.5', '10.244.5.0/24'), { kind: 'Node', metadata: {} }), pointer: '/items/1/metadata/name', reason: 'missing metadata.name' },
    { name: 'missing metadata', body: { kind: 'Node' }, pointer: '/metadata', reason: 'missing metadata (a Node needs metadata.name)' },
    { name: 'apiVersion v2', body: { ...awsNode('n1', '10.0.0.1', '10.244.0.0/24'), apiVersion: 'v2' }, pointer: '/apiVersion', reason: 'expected apiVersion "v1" for Node', value: 'v2' },
    { name: 'invalid public-ip', body: list(...[0, 1, 2].map((i) => awsNode(`n${i}`, `10.0.0.${i + 1}`, `10.244.${i}.0/24`)), withAnnotation('flannel.alpha.coreos.com/public-ip', '10.0.0.300')), pointer: '/items/3/metadata/annotations/flannel.alpha.coreos.com~1public-ip', reason: 'not a valid IPv4 address', value: '10.0.0.300' },
    { name: 'short-form IPv4 that ipaddr.js would accept', body: withAnnotation('flannel.alpha.coreos.com/public-ip', '10.1'), pointer: '/metadata/annotations/flannel.alpha.coreos.com~1public-ip', reason: 'not a valid IPv4 address', value: '10.1' },
    { name: 'IPv6 in public-ip', body: withAnnotation('flannel.alpha.coreos.com/public-ip', '2001:db8::1'), pointer: '/metadata/annotations/flannel.alpha.coreos.com~1public-ip', reason: 'not a valid IPv4 address', value: '2001:db8::1' },
    { name: 'invalid overwrite', body: withAnnotation('flannel.alpha.coreos.com/public-ip-overwrite', 'node-1.example'), pointer: '/metadata/annotations/flannel.alpha.coreos.com~1public-ip-overwrite', reason: 'not a valid IPv4 address', value: 'node-1.example' },
    { name: 'IPv4 in public-ipv6', body: withAnnotation('flannel.alpha.coreos.com/public-ipv6', '10.0.0.1'), pointer: '/metadata/annotations/flannel.alpha.coreos.com~1public-ipv6', reason: 'not a valid IPv6 address', value: '10.0.0.1' },
    { name: 'bad podCIDRs entry', body: { ...awsNode('n1', '10.0.0.1', '10.244.0.0/24'), spec: { podCIDRs: ['10.244.0.0/24', '10.244.0.0/33'] } }, pointer: '/spec/podCIDRs/1', reason: 'not a valid CIDR', value: '10.244.0.0/33' },
    { name: 'bad podCIDR', body: { ...awsNode('n1', '10.0.0.1', '10.244.0.0/24'), spec: { podCIDR: 'ten/24' } }, pointer: '/spec/podCIDR', reason: 'not a valid CIDR', value: 'ten/24' },
    { name: 'non-string annotation', body: { kind: 'Node', metadata: { name: 'n1', annotations: { 'flannel.alpha.coreos.com/public-ip': 10 } } }, pointer: '/metadata/annotations/flannel.alpha.coreos.com~1public-ip', reason: 'annotation and label values must be strings, got number', value: 10 },
    { name: 'unknown OS', body: awsNode('n1', '10.0.0.1', '10.244.0.0/24', { labels: { 'kubernetes.io/os': 'darwin' } }), pointer: '/metadata/labels/kubernetes.io~1os', reason: 'flannel runs only on linux and windows nodes', value: 'darwin' },
    { name: 'bad InternalIP', body: { kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: 'n1.internal' }] } }, pointer: '/status/addresses/0/address', reason: 'InternalIP address is not a valid IP address', value: 'n1.internal' },
  ];
  it.each(cases)('$name', ({ body, pointer, reason, value }) => {
    const problems = problemsOf(() => translateNodes([doc(body)]));
    expect(problems).toEqual([value === undefined ? { document: 'nodes.json', pointer, reason } : { document: 'nodes.json', pointer, reason, value }]);
  });

  it('collects every problem of every document in one error', () => {
    const bad1 = awsNode('n1', '10.0.0.1', '10.244.0.0/24', { annotations: { 'flannel.alpha.coreos.com/public-ip': 'x' } });
    const bad2 = { kind: 'Node', metadata: { name: 'n2' }, spec: { podCIDR: 'y' } };
    const problems = problemsOf(() => translateNodes([doc(nodeList(bad1, bad2), 'a.json'), doc({ kind: 'Service' }, 'b.json')]));
    expect(problems.map((p) => `${p.document}#${p.pointer}`)).toEqual([
      'a.json#/items/0/metadata/annotations/flannel.alpha.coreos.com~1public-ip',
      'a.json#/items/1/spec/podCIDR',
      'b.json#/kind',
    ]);
  });
});

describe('translateNodes: CNI fields, roles and pools', () => {
  it('reads Calico addresses, role labels, the pool label and the CNI marks', () => {
    const item = awsNode('cp-0', '10.0.1.5', '10.244.0.0/24', {
      annotations: { 'projectcalico.org/IPv4Address': '10.0.1.5/24', 'projectcalico.org/IPv6Address': 'fd00::5/64', 'k3s.io/node-args': '["server"]' },
      labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '', 'node-role.kubernetes.io/etcd': 'true', 'eks.amazonaws.com/nodegroup': 'ng-a', 'node.kubernetes.io/instance-type': 'k3s' },
    });
    const [n] = translateNodes([doc(nodeList(item))]).nodes;
    expect(n).toMatchObject({ calicoIpv4Address: '10.0.1.5/24', calicoIpv6Address: 'fd00::5/64', roles: ['control-plane', 'etcd'], pool: 'ng-a' });
    expect(n!.cniMarks).toEqual([
      { where: 'annotations', key: 'projectcalico.org/IPv4Address', value: '10.0.1.5/24' },
      { where: 'annotations', key: 'projectcalico.org/IPv6Address', value: 'fd00::5/64' },
      { where: 'annotations', key: 'k3s.io/node-args', value: '["server"]' },
      { where: 'labels', key: 'node.kubernetes.io/instance-type', value: 'k3s' },
    ]);
  });

  it('a malformed Calico address is a problem with its pointer', () => {
    const item = awsNode('n-0', '10.0.1.5', '10.244.0.0/24', { annotations: { 'projectcalico.org/IPv4Address': '10.0.1.5/33' } });
    expect(problemsOf(() => translateNodes([doc(nodeList(item))]))).toEqual([
      expect.objectContaining({ pointer: '/items/0/metadata/annotations/projectcalico.org~1IPv4Address', value: '10.0.1.5/33' }),
    ]);
  });
});
