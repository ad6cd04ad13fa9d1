/**
 * REST probe sweeps of Calico and Cilium clusters, read by the production collector from a fake
 * Kubernetes API (calico-config, IPPools, nodes annotated by Calico), with real agents over
 * loopback. Each "node" is an agent bound to its own 127.0.0.x address. Its Calico VXLAN tunnel
 * address (projectcalico.org/IPv4VXLANTunnelAddr) is that same address, so an overlay datagram
 * sent to it reaches the agent; its kubelet pod CIDR is an address no agent listens on, so a
 * sweep that targeted flannel's address instead of Calico's would see every pair blocked.
 * Node c's tunnel address has no listener (a path that drops VXLAN); node d has no tunnel
 * annotation. Real kernel VXLAN through vxlan.calico is test/live/probe-calico-netns.test.ts.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calicoConfig, ciliumConfig, felixConfiguration, ipPool } from '../../providers/kubernetes/testdata/cni.js';
import type { ClusterTarget } from '../../src/http/config-file.js';
import { collectTarget } from '../../src/http/live-collector.js';
import { ProbeSecret } from '../../src/http/probe-secret.js';
import { DEFAULT_CALL_LIMITS } from '../../src/model/deadline.js';
import { startAgent, type RunningAgent } from '../../src/probe/agent.js';
import type { ProbeNode } from '../../src/probe/inventory.js';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer } from '../support/fake-apiserver.js';
import { bearer, testApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';
import { freeUdpPort } from '../support/free-udp-port.js';

const SECRET = 'rest-probe-calico-secret-0123456789';
const KUBE_TOKEN = 'rest-probe-calico-kube-token';

/** name -> underlay address (InternalIP, IPv4Address), VXLAN tunnel address (none: no annotation), kubelet pod CIDR. */
const LAYOUT: Record<string, { ip: string; tunnel?: string; podCidr: string }> = {
  a: { ip: '127.0.0.61', tunnel: '127.0.0.61', podCidr: '127.0.1.61/32' },
  b: { ip: '127.0.0.62', tunnel: '127.0.0.62', podCidr: '127.0.1.62/32' },
  c: { ip: '127.0.0.63', tunnel: '127.0.0.69', podCidr: '127.0.1.63/32' },
  d: { ip: '127.0.0.64', podCidr: '127.0.1.64/32' },
};

function calicoNodes(): Record<string, unknown>[] {
  return Object.entries(LAYOUT).map(([name, n]) => ({
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
      annotations: { 'projectcalico.org/IPv4Address': `${n.ip}/24`, ...(n.tunnel && { 'projectcalico.org/IPv4VXLANTunnelAddr': n.tunnel }) },
    },
    spec: { podCIDR: n.podCidr, podCIDRs: [n.podCidr] },
    status: { addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: name }] },
  }));
}

/** The agents' allow-list: both the flannel and the Calico address of each node, as the agent's own inventory holds them. */
const inventory: ProbeNode[] = Object.entries(LAYOUT).map(([name, n]) => ({
  name,
  underlayIp: n.ip,
  internalIp: n.ip,
  overlayIps: [n.podCidr.split('/')[0]!, ...(n.tunnel ? [n.tunnel] : [])],
}));


function cluster(name: string, kubeconfig: string, port: number): ClusterTarget {
  return {
    name,
    kubernetes: { kind: 'kubeconfig', kubeconfig, context: 'fake' },
    probe: { agentPort: port, secretEnv: 'PROBE_SECRET', secret: new ProbeSecret(Buffer.from(SECRET)), timeoutMs: 300, ratePerSecond: 5000 },
    limits: DEFAULT_CALL_LIMITS,
  };
}

interface Result {
  sourceNode: string;
  destinationNode: string;
  verdict: string;
  evidence: { reason: string; overlayPath?: string; overlay: { destinationIp: string; sent: number; received: number } | null };
}

describe('REST probe sweeps of a Calico VXLAN cluster (fake Kubernetes API, agents over loopback)', () => {
  const apis: FakeApiServer[] = [];
  const agents: RunningAgent[] = [];
  let port: number;
  const kubeconfigs: Record<string, string> = {};

  beforeAll(async () => {
    port = await freeUdpPort();
    for (const n of inventory) {
      agents.push(await startAgent({ nodeName: n.name, port, secret: Buffer.from(SECRET), inventory, bindAddress: n.underlayIp!, rateLimitPerSecond: 5000 }));
    }
    const serve = async (name: string, opts: Omit<Parameters<typeof startFakeApiServer>[0], 'token' | 'nodes'>) => {
      const api = await startFakeApiServer({ token: KUBE_TOKEN, nodes: calicoNodes(), ...opts });
      apis.push(api);
      kubeconfigs[name] = await writeKubeconfig(api.server, KUBE_TOKEN);
    };
    const calico = (pool: Record<string, unknown>) => ({
      configMaps: { 'kube-system/calico-config': (calicoConfig('vxlan') as { data: Record<string, string> }).data },
      customObjects: {
        'crd.projectcalico.org/v1/ippools': [ipPool('default-ipv4-ippool', { cidr: '127.0.0.0/24', blockSize: 26, ...pool })],
        'crd.projectcalico.org/v1/felixconfigurations': [felixConfiguration({ vxlanPort: 4789 })],
      },
    });
    await serve('vxlan', calico({ vxlanMode: 'Always', ipipMode: 'Never' }));
    await serve('ipip', calico({ vxlanMode: 'Never', ipipMode: 'Always' }));
    await serve('cilium', { configMaps: { 'kube-system/cilium-config': (ciliumConfig({ 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan' }) as { data: Record<string, string> }).data } });
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await Promise.all(apis.map((a) => a.close()));
  });

  it('sends overlay probes to each peer\'s IPv4VXLANTunnelAddr via vxlan.calico, and marks the pairs into the unannotated node not-probed', async () => {
    const t = await testApp({ clusters: [cluster('calico', kubeconfigs.vxlan!, port)], collectLive: collectTarget });
    const res = await request(t.app).post('/v1/clusters/calico/probes').set('Authorization', bearer('probe'));
    expect(res.status, `${JSON.stringify(res.body)}\n${t.logs()}`).toBe(201);
    expectConformsToSpec(res, 'createClusterProbe');
    const results = res.body.results as Result[];
    const byPair = new Map(results.map((r) => [`${r.sourceNode}->${r.destinationNode}`, r]));
    expect(Object.fromEntries([...byPair].map(([k, r]) => [k, r.verdict]))).toEqual({
      'a->b': 'ok', 'a->c': 'blocked', 'a->d': 'not-probed',
      'b->a': 'ok', 'b->c': 'blocked', 'b->d': 'not-probed',
      'c->a': 'ok', 'c->b': 'ok', 'c->d': 'not-probed',
      'd->a': 'ok', 'd->b': 'ok', 'd->c': 'blocked',
    });
    for (const r of results) {
      const key = `${r.sourceNode}->${r.destinationNode}`;
      if (r.verdict === 'not-probed') {
        expect(r.evidence.reason, key).toBe("not probed: d has no projectcalico.org/IPv4VXLANTunnelAddr annotation (Felix writes it once the node's vxlan.calico has an address), so its VXLAN tunnel address is unknown");
        expect(r.evidence.overlay, key).toBeNull();
        continue;
      }
      // Every probed pair went to the destination's tunnel address, never to the first address of its pod CIDR.
      expect(r.evidence.overlay?.destinationIp, key).toBe(LAYOUT[r.destinationNode]!.tunnel);
      expect(r.evidence.overlayPath, key).toBe('VXLAN UDP 4789 via vxlan.calico');
      expect(r.evidence.overlay!.sent, key).toBeGreaterThan(0);
      expect(r.evidence.overlay!.received > 0, key).toBe(r.verdict === 'ok');
    }
    const listed = await request(t.app).get('/v1/probes?cluster=calico').set('Authorization', bearer('read'));
    expect(listed.body.items).toEqual([expect.objectContaining({ id: res.body.id, pairs: 12, verdicts: { ok: 6, blocked: 3, 'not-probed': 3 } })]);
  });

  it.each([
    ['ipip', /^cluster calico-ipip: the cluster runs Calico IP-in-IP \(tunl0, IP protocol 4\) and no IPv4 VXLAN pool; .*IP-in-IP probes are not supported$/],
    ['cilium', /^cluster calico-cilium: the cluster runs cilium; Cilium encapsulates in eBPF, .*live probes cover flannel and Calico VXLAN only$/],
  ])('refuses a %s cluster\'s sweep with 422 probe-unsupported and the reason', async (which, detail) => {
    const name = `calico-${which}`;
    const t = await testApp({ clusters: [cluster(name, kubeconfigs[which]!, port)], collectLive: collectTarget });
    const res = await request(t.app).post(`/v1/clusters/${name}/probes`).set('Authorization', bearer('probe'));
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expectConformsToSpec(res, 'createClusterProbe');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe('/docs#problem-probe-unsupported');
    expect(res.body.detail).toMatch(detail);
    // Nothing was stored for a refused sweep.
    expect((await request(t.app).get(`/v1/probes?cluster=${name}`).set('Authorization', bearer('read'))).body.items).toEqual([]);
  });
});
