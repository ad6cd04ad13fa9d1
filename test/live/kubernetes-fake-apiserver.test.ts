import { afterEach, describe, expect, it } from 'vitest';
import { collectKubernetes, NODES_DOCUMENT } from '../../providers/kubernetes/collect.js';
import { KubernetesAccessError } from '../../providers/kubernetes/collect-errors.js';
import { translateFlannel } from '../../providers/kubernetes/translate-flannel.js';
import { translateNodes } from '../../providers/kubernetes/translate-nodes.js';
import { flannelNode, startFakeApiServer, vxlanNetConf, writeKubeconfig, type FakeApiServer, type FakeApiServerOptions } from '../support/fake-apiserver.js';

const TOKEN = 'sgaudit-test-token';
let api: FakeApiServer | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

function nodes(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) =>
    flannelNode(`node-${i}`, `172.16.10.${10 + i}`, `10.244.${i}.0/24`, `i-0abc${String(i).padStart(13, '0')}`),
  );
}

async function serve(opts: Partial<FakeApiServerOptions>): Promise<string> {
  api = await startFakeApiServer({ token: TOKEN, nodes: nodes(3), ...opts });
  return writeKubeconfig(api.server, TOKEN);
}

function paths(): string[] {
  return (api?.requests ?? []).map((r) => r.split('?')[0]!);
}

describe('collectKubernetes against a fake API server with the real client', () => {
  it('pages through the node list with limit/continue and emits one kubectl-shaped NodeList', async () => {
    const kubeconfig = await serve({
      nodes: nodes(7),
      configMaps: { 'kube-flannel/kube-flannel-cfg': { 'net-conf.json': vxlanNetConf('10.244.0.0/16', 8472) } },
    });
    const result = await collectKubernetes({ kubeconfig, context: 'fake', pageSize: 3 });

    const listCalls = api!.requests.filter((r) => r.startsWith('/api/v1/nodes'));
    expect(listCalls).toHaveLength(3);
    expect(listCalls[0]).toContain('limit=3');
    expect(listCalls[0]).not.toContain('continue=');
    expect(listCalls[1]).toContain('continue=');

    expect(result.nodes).toHaveLength(1);
    const doc = result.nodes[0]!;
    expect(doc.name).toBe(NODES_DOCUMENT);
    const body = doc.body as { apiVersion: string; kind: string; metadata: Record<string, unknown>; items: Record<string, any>[] };
    expect(body.apiVersion).toBe('v1');
    expect(body.kind).toBe('NodeList');
    expect(body.metadata).not.toHaveProperty('_continue');
    expect(body.items.map((n) => n.metadata.name)).toEqual(['node-0', 'node-1', 'node-2', 'node-3', 'node-4', 'node-5', 'node-6']);
    // Plain JSON: timestamps are strings again, not the client's Date objects, and field names are the API's.
    const first = body.items[0]!;
    expect(typeof first.metadata.creationTimestamp).toBe('string');
    expect(first.metadata.creationTimestamp).toMatch(/^2026-01-14T09:31:12(\.000)?Z$/);
    expect(typeof first.status.conditions[0].lastHeartbeatTime).toBe('string');
    expect(first.spec).toEqual({ podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'], providerID: 'aws:///us-east-1a/i-0abc0000000000000' });
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);

    const { nodes: translated } = translateNodes(result.nodes);
    expect(translated.map((n) => [n.name, n.vtepIp, n.vtepSource])).toEqual(
      Array.from({ length: 7 }, (_, i) => [`node-${i}`, `172.16.10.${10 + i}`, 'public-ip-annotation']),
    );
    expect(translated[0]!.providerId).toMatchObject({ provider: 'aws', instanceId: 'i-0abc0000000000000' });

    expect(result.flannelLookups).toEqual([{ namespace: 'kube-flannel', name: 'kube-flannel-cfg', outcome: 'found' }]);
    const { flannel } = translateFlannel(result.flannel, translated);
    expect(flannel.backend).toMatchObject({ type: 'vxlan', port: 8472 });
    expect(flannel.network).toBe('10.244.0.0/16');
    expect(flannel.origin).toMatchObject({ kind: 'configmap', namespace: 'kube-flannel', name: 'kube-flannel-cfg' });
    expect(result.warnings).toEqual([]);
    // 3 node pages, 1 ConfigMap, and the 10 CNI reads (providers/kubernetes/collect-cni.ts).
    expect(result.calls).toBe(14);
  });

  it('a server that caps the page size still yields every node', async () => {
    const kubeconfig = await serve({ nodes: nodes(5), maxPage: 2 });
    const result = await collectKubernetes({ kubeconfig, context: 'fake', pageSize: 500 });
    expect((result.nodes[0]!.body as { items: unknown[] }).items).toHaveLength(5);
    expect(api!.requests.filter((r) => r.startsWith('/api/v1/nodes'))).toHaveLength(3);
  });

  it.each([
    {
      present: 'kube-system/kube-flannel-cfg',
      tried: ['kube-flannel/kube-flannel-cfg', 'kube-system/kube-flannel-cfg'],
    },
    {
      present: 'kube-system/canal-config',
      tried: ['kube-flannel/kube-flannel-cfg', 'kube-system/kube-flannel-cfg', 'kube-system/canal-config'],
    },
  ])('falls through 404s in the documented order until $present', async ({ present, tried }) => {
    const kubeconfig = await serve({ configMaps: { [present]: { 'net-conf.json': vxlanNetConf('10.244.0.0/16') } } });
    const result = await collectKubernetes({ kubeconfig, context: 'fake' });
    // calico-config and cilium-config are CNI reads made alongside, not flannel look-ups.
    expect(paths().filter((p) => p.includes('/configmaps/') && !/\/(calico|cilium)-config$/.test(p))).toEqual(
      tried.map((t) => `/api/v1/namespaces/${t.split('/')[0]}/configmaps/${t.split('/')[1]}`),
    );
    expect(result.flannelLookups.map((l) => `${l.namespace}/${l.name}:${l.outcome}`)).toEqual(
      tried.map((t) => `${t}:${t === present ? 'found' : 'not-found'}`),
    );
    expect(result.flannel).toHaveLength(1);
    const { flannel } = translateFlannel(result.flannel, translateNodes(result.nodes).nodes);
    expect(flannel.origin).toMatchObject({ kind: 'configmap', namespace: present.split('/')[0], name: present.split('/')[1] });
  });

  it('no ConfigMap anywhere: no flannel document, a warning naming what was tried, annotations take over', async () => {
    const kubeconfig = await serve({});
    const result = await collectKubernetes({ kubeconfig, context: 'fake' });
    expect(result.flannel).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.code).toBe('flannel-configmap-not-found');
    expect(result.warnings[0]!.message).toContain('kube-flannel/kube-flannel-cfg, kube-system/kube-flannel-cfg, kube-system/canal-config');
    const nodesT = translateNodes(result.nodes).nodes;
    const { flannel } = translateFlannel(result.flannel, nodesT);
    expect(flannel.origin.kind).toBe('node-annotations');
    expect(flannel.backend.type).toBe('vxlan');
  });

  it('a configured lookup list replaces the defaults', async () => {
    const kubeconfig = await serve({ configMaps: { 'net/my-flannel': { 'net-conf.json': vxlanNetConf('10.42.0.0/16', 4789) } } });
    const result = await collectKubernetes({
      kubeconfig,
      context: 'fake',
      flannelConfigMaps: [{ namespace: 'net', name: 'my-flannel' }],
    });
    expect(paths().filter((p) => p.includes('/configmaps/') && !/\/(calico|cilium)-config$/.test(p))).toEqual(['/api/v1/namespaces/net/configmaps/my-flannel']);
    const { flannel } = translateFlannel(result.flannel, translateNodes(result.nodes).nodes);
    expect(flannel.backend).toMatchObject({ type: 'vxlan', port: 4789 });
  });

  it('403 on a ConfigMap stops with the RBAC rule that is missing', async () => {
    const kubeconfig = await serve({ forbidden: ['kube-flannel/kube-flannel-cfg'] });
    const error = await collectKubernetes({ kubeconfig, context: 'fake' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesAccessError);
    const message = (error as Error).message;
    expect(message).toContain('HTTP 403');
    expect(message).toContain('cannot get resource "configmaps"');
    expect(message).toContain('Role in namespace kube-flannel with `configmaps` verb `get` for resourceNames [kube-flannel-cfg]');
    expect((error as KubernetesAccessError).status).toBe(403);
  });

  it('403 on nodes names the ClusterRole rule', async () => {
    const kubeconfig = await serve({ forbidden: ['nodes'] });
    await expect(collectKubernetes({ kubeconfig, context: 'fake' })).rejects.toThrow(
      /cannot list nodes .*HTTP 403.*ClusterRole with `nodes` verbs `get`, `list`/,
    );
  });

  it('a rejected token is a 401 with a hint about credentials', async () => {
    api = await startFakeApiServer({ token: 'the-real-token', nodes: nodes(1) });
    const kubeconfig = await writeKubeconfig(api.server, 'a-stale-token');
    await expect(collectKubernetes({ kubeconfig, context: 'fake' })).rejects.toThrow(/HTTP 401.*credentials were rejected/);
  });

  it('without --context the current-context is used (here a closed port, so the call fails loudly)', async () => {
    const kubeconfig = await serve({});
    await expect(collectKubernetes({ kubeconfig })).rejects.toThrow(/cannot list nodes on http:\/\/127\.0\.0\.1:1/);
    expect(api!.requests).toEqual([]);
  });

  it('an unknown context is named with the file, and nothing else of the kubeconfig is shown', async () => {
    const kubeconfig = await serve({});
    const error = (await collectKubernetes({ kubeconfig, context: 'prod' }).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `context "prod" is not in the kubeconfig ${kubeconfig}; list its contexts with \`kubectl config get-contexts\``,
    );
    for (const secret of ['fake', 'elsewhere', 'closed', 'auditor', TOKEN, '127.0.0.1']) expect(error.message).not.toContain(secret);
  });

  it('--in-cluster outside a pod is refused with the reason', async () => {
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      await expect(collectKubernetes({ inCluster: true })).rejects.toThrow(/KUBERNETES_SERVICE_HOST/);
    } finally {
      if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });
});
