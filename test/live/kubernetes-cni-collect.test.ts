/**
 * Live collection of the CNI documents (providers/kubernetes/collect-cni.ts) against the fake API
 * server with the real @kubernetes/client-node, end to end through CNI detection (translateCni).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collectKubernetes } from '../../providers/kubernetes/collect.js';
import { translateCni } from '../../providers/kubernetes/translate-cni.js';
import { translateNodes } from '../../providers/kubernetes/translate-nodes.js';
import { calicoConfig, ciliumConfig, daemonSet, ipPool, node, typhaPod } from '../../providers/kubernetes/testdata/cni.js';
import { CollectionDeadline } from '../../src/model/deadline.js';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer, type FakeApiServerOptions } from '../support/fake-apiserver.js';

const TOKEN = 'cni-collect-token';
const IPPOOLS = '/apis/crd.projectcalico.org/v1/ippools';
const RKE2_SECRET = '/api/v1/namespaces/kube-system/secrets/rke2-canal-config';
let api: FakeApiServer | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

const calicoNodes = [
  node('c-0', '10.0.1.20', { annotations: { 'projectcalico.org/IPv4Address': '10.0.1.20/24' } }),
  node('c-1', '10.0.1.21', { annotations: { 'projectcalico.org/IPv4Address': '10.0.1.21/24' } }),
  node('c-2', '10.0.2.22', { annotations: { 'projectcalico.org/IPv4Address': '10.0.2.22/24' } }),
];

function deployment(name: string, namespace = 'kube-system'): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: { 'k8s-app': name } }, template: { metadata: { labels: { 'k8s-app': name } }, spec: { containers: [{ name, image: `docker.io/example/${name}:v1` }] } } },
  };
}

/** calico.yaml with Typha: calico-config, two IPPools, calico-node, Typha on c-0, plus things that must be ignored. */
function calicoCluster(): Partial<FakeApiServerOptions> {
  return {
    nodes: calicoNodes,
    configMaps: { 'kube-system/calico-config': calicoConfig('bird', 'calico-typha').data as Record<string, string> },
    customObjects: {
      'crd.projectcalico.org/v1/ippools': [
        ipPool('default-ipv4-ippool', { cidr: '192.168.0.0/16', ipipMode: 'CrossSubnet', vxlanMode: 'Never' }),
        ipPool('batch-pool', { cidr: '10.99.0.0/16', ipipMode: 'Never', vxlanMode: 'Always' }),
      ],
      'crd.projectcalico.org/v1/felixconfigurations': [],
    },
    daemonSets: {
      'kube-system': [
        daemonSet('calico-node', [{ name: 'CALICO_NETWORKING_BACKEND', value: 'bird' }]),
        // Not a CNI workload, and its env holds a credential: it must not be collected.
        daemonSet('log-shipper', [{ name: 'API_TOKEN', value: 'do-not-collect' }]),
      ],
    },
    deployments: { 'kube-system': [deployment('calico-typha'), deployment('coredns')] },
    pods: [
      typhaPod('calico-typha-6d9f8b7c4-x2x7q', 'c-0'),
      { metadata: { name: 'coredns-0', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, spec: { nodeName: 'c-1' } },
    ],
  };
}

async function serve(opts: Partial<FakeApiServerOptions>): Promise<string> {
  api = await startFakeApiServer({ token: TOKEN, nodes: [], ...opts });
  return writeKubeconfig(api.server, TOKEN);
}

function detect(result: Awaited<ReturnType<typeof collectKubernetes>>) {
  return translateCni([...result.flannel, ...result.cni], translateNodes(result.nodes).nodes, 'auto');
}

function outcomes(result: Awaited<ReturnType<typeof collectKubernetes>>): Record<string, string> {
  return Object.fromEntries(result.cniReads.map((r) => [r.document, r.outcome]));
}

describe('live CNI documents through the real client', () => {
  it('a Calico cluster: calico-config, IPPools, calico-node and Typha pods are read and detected as Calico', async () => {
    const kubeconfig = await serve(calicoCluster());
    const result = await collectKubernetes({ kubeconfig, context: 'fake' });

    expect(result.cni.map((d) => d.name)).toEqual([
      'live:kubernetes/configmaps/kube-system/calico-config',
      'live:kubernetes/daemonsets/kube-system',
      'live:kubernetes/deployments/kube-system',
      'live:kubernetes/ippools.crd.projectcalico.org',
      'live:kubernetes/pods/k8s-app=calico-typha',
    ]);
    expect(outcomes(result)).toMatchObject({
      'live:kubernetes/configmaps/kube-system/cilium-config': 'absent',
      'live:kubernetes/secrets/kube-system/rke2-canal-config': 'absent',
      // Not installed (404) and installed but empty: both absent, neither a failure.
      'live:kubernetes/installations.operator.tigera.io': 'absent',
      'live:kubernetes/felixconfigurations.crd.projectcalico.org': 'absent',
    });
    expect(result.cniWarnings).toEqual([]);
    // Only CNI workloads are kept: the other add-ons' env (a token here) never leaves the cluster.
    expect(JSON.stringify(result.cni)).not.toContain('do-not-collect');
    expect(JSON.stringify(result.cni)).not.toContain('coredns');
    // One node page, three flannel ConfigMap look-ups, ten CNI reads, each exactly once.
    expect(result.calls).toBe(14);
    expect(api!.requests.filter((r) => r.startsWith('/api/v1/pods'))).toEqual(['/api/v1/pods?labelSelector=k8s-app%3Dcalico-typha']);

    const cni = detect(result);
    expect(cni.cni.name).toBe('calico');
    expect(cni.detection.conflicts).toEqual([]);
    expect(cni.detection.evidence.map((e) => e.source?.document)).toEqual(
      expect.arrayContaining(['live:kubernetes/configmaps/kube-system/calico-config', 'live:kubernetes/daemonsets/kube-system']),
    );
    if (cni.cni.name !== 'calico') throw new Error('unreachable');
    expect(cni.cni.calico.pools.map((p) => [p.name, p.cidr, p.ipipMode, p.vxlanMode, p.source.document])).toEqual([
      ['default-ipv4-ippool', '192.168.0.0/16', 'CrossSubnet', 'Never', 'live:kubernetes/ippools.crd.projectcalico.org'],
      ['batch-pool', '10.99.0.0/16', 'Never', 'Always', 'live:kubernetes/ippools.crd.projectcalico.org'],
    ]);
    expect(cni.cni.calico.bgp.enabled).toBe(true);
    expect(cni.cni.calico.typha).toEqual({ enabled: true, port: 5473, nodes: ['c-0'] });
    expect(cni.nodes.find((n) => n.name === 'c-0')?.roles).toContain('typha');
    expect(cni.nodes.map((n) => [n.name, n.vtepIp, n.vtepSource])).toEqual([
      ['c-0', '10.0.1.20', 'calico-ipv4-address-annotation'],
      ['c-1', '10.0.1.21', 'calico-ipv4-address-annotation'],
      ['c-2', '10.0.2.22', 'calico-ipv4-address-annotation'],
    ]);
  });

  it('a Cilium cluster without Calico CRDs: cilium-config and the agent decide, the 404s are absent', async () => {
    const kubeconfig = await serve({
      nodes: [node('s-0', '10.0.3.5'), node('s-1', '10.0.3.6')],
      configMaps: { 'kube-system/cilium-config': ciliumConfig({ 'tunnel-protocol': 'geneve' }).data as Record<string, string> },
      daemonSets: { 'kube-system': [daemonSet('cilium'), daemonSet('kube-proxy')] },
      deployments: { 'kube-system': [deployment('cilium-operator')] },
    });
    const result = await collectKubernetes({ kubeconfig, context: 'fake' });
    expect(result.cni.map((d) => d.name)).toEqual([
      'live:kubernetes/configmaps/kube-system/cilium-config',
      'live:kubernetes/daemonsets/kube-system',
      'live:kubernetes/deployments/kube-system',
    ]);
    const daemonSets = result.cni[1]!.body as { kind: string; items: { metadata: { name: string } }[] };
    expect(daemonSets.kind).toBe('DaemonSetList');
    expect(daemonSets.items.map((i) => i.metadata.name)).toEqual(['cilium']);
    for (const crd of ['installations.operator.tigera.io', 'ippools.crd.projectcalico.org', 'felixconfigurations.crd.projectcalico.org', 'bgpconfigurations.crd.projectcalico.org']) {
      expect(outcomes(result)[`live:kubernetes/${crd}`]).toBe('absent');
    }
    expect(result.cniWarnings).toEqual([]);

    const cni = detect(result);
    expect(cni.cni.name).toBe('cilium');
    expect(cni.detection.conflicts).toEqual([]);
    if (cni.cni.name !== 'cilium') throw new Error('unreachable');
    expect(cni.cni.cilium.routing).toEqual({ mode: 'tunnel', protocol: 'geneve', port: 6081 });
    expect(cni.nodes.map((n) => [n.vtepIp, n.vtepSource])).toEqual([['10.0.3.5', 'cilium-node-ip'], ['10.0.3.6', 'cilium-node-ip']]);
  });

  it('a 403 on the Secret: an unavailable read with the RBAC it needs; detection goes on with what was readable', async () => {
    const kubeconfig = await serve({
      ...calicoCluster(),
      secrets: { 'kube-system/rke2-canal-config': { 'net-conf.json': '{"Network":"10.42.0.0/16","Backend":{"Type":"vxlan"}}' } },
      forbiddenPaths: [RKE2_SECRET],
    });
    const result = await collectKubernetes({ kubeconfig, context: 'fake' });
    const secret = result.cniReads.find((r) => r.document === 'live:kubernetes/secrets/kube-system/rke2-canal-config')!;
    expect(secret).toMatchObject({ outcome: 'unavailable', status: 403, timedOut: false });
    expect(result.cni.map((d) => d.name)).not.toContain('live:kubernetes/secrets/kube-system/rke2-canal-config');
    expect(result.cniWarnings).toEqual([
      {
        code: 'cni-document-unavailable',
        message:
          `cannot read Secret kube-system/rke2-canal-config on ${api!.server}: HTTP 403 (${RKE2_SECRET} is forbidden: User "system:serviceaccount:sgaudit:sgaudit" cannot get this resource); ` +
          'the identity needs a Role in namespace kube-system with `secrets` verb `get` for resourceNames [rke2-canal-config] (deploy/rbac.yaml); ' +
          'the CNI is detected and configured from the documents that could be read',
        source: { document: 'live:kubernetes/secrets/kube-system/rke2-canal-config', pointer: '' },
      },
    ]);
    // A refusal is final: asked once, not retried.
    expect(api!.requests.filter((r) => r === RKE2_SECRET)).toHaveLength(1);
    expect(detect(result).cni.name).toBe('calico');
  });

  it('the same Secret readable: it is collected base64-encoded and RKE2 is detected from it', async () => {
    const netConf = '{"Network":"10.42.0.0/16","Backend":{"Type":"vxlan"}}';
    const kubeconfig = await serve({
      nodes: [node('r-0', '10.0.4.1'), node('r-1', '10.0.4.2')],
      secrets: { 'kube-system/rke2-canal-config': { 'net-conf.json': netConf } },
    });
    const result = await collectKubernetes({ kubeconfig, context: 'fake' });
    const doc = result.cni.find((d) => d.name === 'live:kubernetes/secrets/kube-system/rke2-canal-config')!;
    expect((doc.body as { data: Record<string, string> }).data['net-conf.json']).toBe(Buffer.from(netConf).toString('base64'));
    const cni = detect(result);
    expect(cni.cni.name).toBe('rke2');
    if (cni.cni.name !== 'rke2') throw new Error('unreachable');
    expect(cni.cni.flannel.network).toBe('10.42.0.0/16');
  });

  it('an RKE2 Secret with an IPsec PSK: only net-conf.json is kept, the PSK redacted, the backend still read', async () => {
    const psk = 'f1e2d3c4b5a6'.repeat(8);
    const netConf = JSON.stringify({ Network: '10.42.0.0/16', Backend: { Type: 'ipsec', UDPEncap: true, PSK: psk } });
    const kubeconfig = await serve({
      nodes: [node('r-0', '10.0.4.1'), node('r-1', '10.0.4.2')],
      secrets: { 'kube-system/rke2-canal-config': { 'net-conf.json': netConf, masquerade: 'true' } },
    });
    const result = await collectKubernetes({ kubeconfig, context: 'fake' });
    const doc = result.cni.find((d) => d.name === 'live:kubernetes/secrets/kube-system/rke2-canal-config')!;
    const body = doc.body as { metadata: Record<string, unknown>; data: Record<string, string> };
    expect(Object.keys(body.data)).toEqual(['net-conf.json']);
    expect(body.metadata.annotations).toBeUndefined();
    const kept = Buffer.from(body.data['net-conf.json']!, 'base64').toString('utf8');
    expect(JSON.parse(kept)).toEqual({ Network: '10.42.0.0/16', Backend: { Type: 'ipsec', UDPEncap: true, PSK: '(redacted by sgaudit)' } });
    expect(JSON.stringify(result)).not.toContain(psk);
    expect(JSON.stringify(result)).not.toContain(Buffer.from(netConf).toString('base64'));
    const cni = detect(result);
    expect(cni.cni.name).toBe('rke2');
    if (cni.cni.name !== 'rke2') throw new Error('unreachable');
    expect(cni.cni.flannel.backend).toMatchObject({ type: 'ipsec', udpEncap: true });
  });

  it('a hung CRD endpoint: unavailable with "timed out", within the request timeouts; the rest still decides', async () => {
    const kubeconfig = await serve({ ...calicoCluster(), hang: [IPPOOLS] });
    const deadline = new CollectionDeadline({ requestTimeoutMs: 400, deadlineMs: 10_000 });
    const started = performance.now();
    const result = await collectKubernetes({ kubeconfig, context: 'fake', deadline }).finally(() => deadline.dispose());
    const seconds = (performance.now() - started) / 1000;

    const pools = result.cniReads.find((r) => r.document === 'live:kubernetes/ippools.crd.projectcalico.org')!;
    expect(pools).toEqual({
      what: 'ippools.crd.projectcalico.org',
      document: 'live:kubernetes/ippools.crd.projectcalico.org',
      outcome: 'unavailable',
      reason: `cannot read ippools.crd.projectcalico.org on ${api!.server}: timed out after 0.4 s (3 attempts)`,
      timedOut: true,
    });
    expect(result.cniWarnings.map((w) => w.source?.document)).toEqual(['live:kubernetes/ippools.crd.projectcalico.org']);
    expect(api!.requests.filter((r) => r.startsWith(IPPOOLS))).toHaveLength(3);
    // 3 x 0.4 s and two short back-offs; the other reads ran alongside, not after.
    expect(seconds).toBeGreaterThanOrEqual(1.2);
    expect(seconds).toBeLessThan(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(api!.hanging()).toBe(0);

    const cni = detect(result);
    expect(cni.cni.name).toBe('calico');
    // Without the pools, the parser says what it assumed instead of guessing silently.
    expect(cni.warnings.map((w) => w.code)).toContain('calico-pool-assumed');
  });

  it('a CRD endpoint hung past the collection deadline: the deadline is the cause, and collection ends with it', async () => {
    const kubeconfig = await serve({ ...calicoCluster(), hang: [IPPOOLS] });
    const deadline = new CollectionDeadline({ requestTimeoutMs: 20_000, deadlineMs: 1500 });
    const started = performance.now();
    const result = await collectKubernetes({ kubeconfig, context: 'fake', deadline }).finally(() => deadline.dispose());
    const seconds = (performance.now() - started) / 1000;
    expect(result.cniReads.find((r) => r.document === 'live:kubernetes/ippools.crd.projectcalico.org')).toMatchObject({
      outcome: 'unavailable',
      reason: `cannot read ippools.crd.projectcalico.org on ${api!.server}: timed out after 1.5 s (collection deadline)`,
      timedOut: true,
    });
    expect(seconds).toBeLessThan(1.5 + 1);
    expect(result.cni.map((d) => d.name)).toContain('live:kubernetes/configmaps/kube-system/calico-config');
  });

  it('cniDocuments: false reads nodes and the flannel ConfigMaps only', async () => {
    const kubeconfig = await serve(calicoCluster());
    const result = await collectKubernetes({ kubeconfig, context: 'fake', cniDocuments: false });
    expect(result.cni).toEqual([]);
    expect(result.cniReads).toEqual([]);
    expect(result.calls).toBe(4);
    expect(api!.requests.every((r) => r.startsWith('/api/v1/nodes') || r.includes('kube-flannel-cfg') || r.includes('canal-config'))).toBe(true);
  });
});
