/**
 * Probe sweeps through the REST API with real agents over loopback: each "node" is an agent
 * bound to its own 127.0.0.x address, and a node's pod CIDR is its own /32, so its overlay
 * address is its underlay one (src/probe/agent.test.ts does the same). Node `c`'s pod CIDR
 * points at an address no agent listens on, standing in for a path that drops VXLAN.
 * Real kernel VXLAN is test/live/rest-probes-netns.test.ts.
 */
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { inspect } from 'node:util';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type ClusterTarget } from '../../src/http/config-file.js';
import type { LiveCollector } from '../../src/http/live-collector.js';
import { ProbeSecret } from '../../src/http/probe-secret.js';
import { DEFAULT_CALL_LIMITS } from '../../src/model/deadline.js';
import { emptyInputs } from '../../src/model/documents.js';
import { InputError } from '../../src/model/source.js';
import { startAgent, type RunningAgent } from '../../src/probe/agent.js';
import type { ProbeNode } from '../../src/probe/inventory.js';
import { bearer, testApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';
import { freeUdpPort } from '../support/free-udp-port.js';

const SECRET = 'rest-probe-loopback-secret-0123456789';


/** name -> [underlay address, pod CIDR]; c's overlay (127.0.0.99) has no listener. */
const LAYOUT: Record<string, [string, string]> = {
  a: ['127.0.0.21', '127.0.0.21/32'],
  b: ['127.0.0.22', '127.0.0.22/32'],
  c: ['127.0.0.23', '127.0.0.99/32'],
};

function nodeList(layout: Record<string, [string, string]> = LAYOUT): unknown {
  return {
    apiVersion: 'v1',
    kind: 'NodeList',
    items: Object.entries(layout).map(([name, [ip, cidr]]) => ({
      metadata: {
        name,
        annotations: {
          'flannel.alpha.coreos.com/backend-type': 'vxlan',
          'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"a6:1f:3c:9e:2b:10"}',
          'flannel.alpha.coreos.com/public-ip': ip,
        },
      },
      spec: { podCIDR: cidr, podCIDRs: [cidr] },
      status: { addresses: [{ type: 'InternalIP', address: ip }] },
    })),
  };
}

const probeNodes: ProbeNode[] = Object.entries(LAYOUT).map(([name, [ip, cidr]]) => ({ name, underlayIp: ip, internalIp: ip, overlayIp: cidr.split('/')[0]! }));

/** The Kubernetes side of a cluster, as the live collector would read it; records which targets it was asked for. */
function collector(seen: ClusterTarget[] = [], layout: Record<string, [string, string]> = LAYOUT): LiveCollector {
  return async (target) => {
    seen.push(target);
    const inputs = emptyInputs();
    inputs.nodes.push({ name: 'live:nodes', body: nodeList(layout) });
    return { inputs, warnings: [] };
  };
}

function cluster(name: string, port: number, secret = SECRET, over: Partial<ClusterTarget> = {}): ClusterTarget {
  return {
    name,
    kubernetes: { kind: 'in-cluster' },
    probe: { agentPort: port, secretEnv: 'PROBE_SECRET', secret: new ProbeSecret(Buffer.from(secret)), timeoutMs: 300, ratePerSecond: 5000 },
    limits: DEFAULT_CALL_LIMITS,
    ...over,
  };
}

describe('probe sweeps through the REST API', () => {
  let port: number;
  const agents: RunningAgent[] = [];

  beforeAll(async () => {
    port = await freeUdpPort();
    for (const n of probeNodes) {
      agents.push(await startAgent({ nodeName: n.name, port, secret: Buffer.from(SECRET), inventory: probeNodes, bindAddress: n.underlayIp!, rateLimitPerSecond: 5000 }));
    }
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
  });

  it('sweeps every directed pair, stores the sweep, lists and returns it, and sets the metrics', async () => {
    const seen: ClusterTarget[] = [];
    const t = await testApp({ clusters: [cluster('lab', port, SECRET, { cloud: { provider: 'aws', region: 'eu-west-1' } })], collectLive: collector(seen) });
    const res = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe'));
    expect(res.status).toBe(201);
    expectConformsToSpec(res, 'createClusterProbe');
    expect(res.headers.location).toBe(`/v1/probes/${res.body.id}`);
    // Only the Kubernetes side is read for a sweep, never the cloud.
    expect(seen.map((s) => s.cloud)).toEqual([undefined]);
    const verdicts = Object.fromEntries(res.body.results.map((r: { sourceNode: string; destinationNode: string; verdict: string }) => [`${r.sourceNode}->${r.destinationNode}`, r.verdict]));
    expect(verdicts).toEqual({ 'a->b': 'ok', 'a->c': 'blocked', 'b->a': 'ok', 'b->c': 'blocked', 'c->a': 'ok', 'c->b': 'ok' });
    expect(res.body).toMatchObject({ cluster: 'lab', startedAt: expect.any(String), elapsedMs: expect.any(Number) });

    const got = await request(t.app).get(`/v1/probes/${res.body.id}`).set('Authorization', bearer('read'));
    expect(got.status).toBe(200);
    expectConformsToSpec(got, 'getProbe');
    expect(got.body).toEqual(res.body);

    const listed = await request(t.app).get('/v1/probes?cluster=lab').set('Authorization', bearer('read'));
    expect(listed.status).toBe(200);
    expectConformsToSpec(listed, 'listProbes');
    expect(listed.body).toEqual({ items: [{ id: res.body.id, createdAt: res.body.createdAt, cluster: 'lab', pairs: 6, verdicts: { ok: 4, blocked: 2 }, elapsedMs: res.body.elapsedMs }], nextCursor: null });
    expect((await request(t.app).get('/v1/probes?cluster=other').set('Authorization', bearer('read'))).body.items).toEqual([]);

    const metrics = await t.deps.metrics.registry.metrics();
    expect(metrics).toContain('sgaudit_probe_pairs{cluster="lab",verdict="ok"} 4');
    expect(metrics).toContain('sgaudit_probe_pairs{cluster="lab",verdict="blocked"} 2');
    expect(metrics).toContain('sgaudit_probe_pairs{cluster="lab",verdict="agent-missing"} 0');
    expect(metrics).toMatch(/sgaudit_probe_sweep_duration_seconds_count\{cluster="lab",purpose="sweep"\} 1/);
  });

  it('probes only the pairs in the body, and pages the listing', async () => {
    const t = await testApp({ clusters: [cluster('lab', port)], collectLive: collector() });
    const ids: string[] = [];
    for (const pair of [{ source: 'a', destination: 'c' }, { source: 'c', destination: 'a' }]) {
      const res = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')).send({ pairs: [pair] });
      expect(res.status).toBe(201);
      expect(res.body.results.map((r: { sourceNode: string; destinationNode: string; verdict: string }) => [r.sourceNode, r.destinationNode, r.verdict])).toEqual([
        [pair.source, pair.destination, pair.source === 'a' ? 'blocked' : 'ok'],
      ]);
      ids.push(res.body.id);
    }
    const first = await request(t.app).get('/v1/probes?limit=1').set('Authorization', bearer('read'));
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([ids[1]]);
    const second = await request(t.app).get(`/v1/probes?limit=1&cursor=${first.body.nextCursor}`).set('Authorization', bearer('read'));
    expect(second.body).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null });
    expect((await request(t.app).get('/v1/probes?cursor=bogus').set('Authorization', bearer('read'))).status).toBe(400);
  });

  it('with perNodePeers, consecutive sweeps rotate through bounded peer sets that cover every pair once', async () => {
    const t = await testApp({ clusters: [cluster('lab', port)], collectLive: collector() });
    const seen = new Map<string, number>();
    for (const sweep of [0, 1]) {
      // No sweep number given: the server counts this cluster's bounded-peer sweeps.
      const res = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')).send({ perNodePeers: 1 });
      expect(res.status, t.logs()).toBe(201);
      expectConformsToSpec(res, 'createClusterProbe');
      expect(res.body.plan).toEqual({ mode: 'rotating', perNodePeers: 1, sweep, cycleLength: 2, phase: sweep });
      const sources = res.body.results.map((r: { sourceNode: string }) => r.sourceNode);
      expect(new Set(sources).size).toBe(sources.length);
      for (const r of res.body.results as { sourceNode: string; destinationNode: string; verdict: string }[]) {
        const key = `${r.sourceNode}->${r.destinationNode}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        expect(r.verdict, key).toBe(r.destinationNode === 'c' && r.sourceNode !== 'c' ? 'blocked' : 'ok');
      }
    }
    expect(seen.size).toBe(6);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);

    const explicit = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')).send({ perNodePeers: 1, sweep: 7 });
    expect(explicit.body.plan).toMatchObject({ sweep: 7, phase: 1 });
    const both = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')).send({ perNodePeers: 1, pairs: [{ source: 'a', destination: 'b' }] });
    expect(both.status).toBe(422);
    const lone = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')).send({ sweep: 3 });
    expect(lone.status).toBe(422);
  });

  it('says in each verdict that the agents refused a wrong secret', async () => {
    const t = await testApp({ clusters: [cluster('lab', port, 'not-the-agents-secret-0123456789')], collectLive: collector() });
    const res = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe'));
    expect(res.status).toBe(201);
    expectConformsToSpec(res, 'createClusterProbe');
    expect(res.body.results).toHaveLength(6);
    for (const r of res.body.results) {
      expect(r.verdict).toBe('error');
      expect(r.evidence.reason).toMatch(/HTTP 401/);
    }
  });

  it('names every pair that is not a pair of the cluster\'s nodes, and probes nothing', async () => {
    const t = await testApp({ clusters: [cluster('lab', port)], collectLive: collector() });
    const res = await request(t.app)
      .post('/v1/clusters/lab/probes')
      .set('Authorization', bearer('probe'))
      .send({ pairs: [{ source: 'a', destination: 'zz' }, { source: 'b', destination: 'b' }] });
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createClusterProbe');
    expect(res.body.errors).toEqual([
      { pointer: '/pairs/0/destination', value: 'zz', reason: 'no node with this name in the cluster now' },
      { pointer: '/pairs/1/destination', value: 'b', reason: 'a pair needs two different nodes' },
    ]);
    expect((await request(t.app).get('/v1/probes').set('Authorization', bearer('read'))).body.items).toEqual([]);
  });

  it('confirms a live audit\'s findings with probes when asked, and the stored report keeps the confirmation', async () => {
    // No cloud documents: every pair is unknown by configuration, and the probes say what the data plane does.
    const t = await testApp({ clusters: [cluster('lab', port, SECRET, { cloud: { provider: 'aws', region: 'eu-west-1' } })], collectLive: collector() });
    const res = await request(t.app).post('/v1/clusters/lab/audits').set('Authorization', bearer('admin')).send({ probe: true });
    expect(res.status, t.logs()).toBe(201);
    expectConformsToSpec(res, 'createClusterAudit');
    expect(res.body.summary).toMatchObject({ unknown: 6, allowed: 0 });
    expect(res.body.probe).toMatchObject({ pairsProbed: expect.any(Number) });
    expect(res.body.probe.pairsProbed).toBeGreaterThan(0);
    const confirmations = res.body.findings.filter((f: { confirmation?: string }) => f.confirmation !== undefined);
    expect(confirmations.length).toBe(res.body.findings.length);
    const probed = res.body.findings.flatMap((f: { probes?: { sourceNode: string; destinationNode: string; verdict: string }[] }) => f.probes ?? []);
    expect(probed.filter((r: { destinationNode: string }) => r.destinationNode === 'c').every((r: { verdict: string }) => r.verdict === 'blocked')).toBe(true);
    const stored = await request(t.app).get(`/v1/audits/${res.body.id}`).set('Authorization', bearer('read'));
    expect(stored.body.probe).toEqual(res.body.probe);
    // The remediation ticket carries the confirmation, structured and in its Markdown.
    const ticket = await request(t.app).get(`/v1/audits/${res.body.id}/ticket`).set('Authorization', bearer('read'));
    expectConformsToSpec(ticket, 'getAuditTicket');
    const findingById = new Map(res.body.findings.map((f: { id: string; confirmation?: string }) => [f.id, f.confirmation]));
    for (const e of ticket.body.evidence as { findingId: string; confirmation?: string; probed?: string[] }[]) {
      expect(e.confirmation).toBe(findingById.get(e.findingId));
    }
    expect(ticket.body.evidence.some((e: { probed?: string[] }) => e.probed?.some((p) => /-> c: blocked$/.test(p)))).toBe(true);
    expect(ticket.body.markdown).toContain('**Data plane:**');
    const metrics = await t.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/sgaudit_probe_sweep_duration_seconds_count\{cluster="lab",purpose="audit"\} 1/);
  });

  it('runs one sweep per cluster at a time: a second answers 409 with Retry-After, another cluster is not held up', async () => {
    const t = await testApp({ clusters: [cluster('lab', port), cluster('lab2', port)], collectLive: collector() });
    const first = request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')).then((r) => r);
    // The first request holds the slot from before its collection, which the test collector answers at once.
    await new Promise((r) => setTimeout(r, 50));
    const [second, other] = await Promise.all([
      request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')),
      request(t.app).post('/v1/clusters/lab2/probes').set('Authorization', bearer('probe')),
    ]);
    expect(second.status).toBe(409);
    expectConformsToSpec(second, 'createClusterProbe');
    expect(second.body.type).toBe('/docs#problem-probe-in-progress');
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(other.status).toBe(201);
    expect((await first).status).toBe(201);
    // The slot is free again once the sweep ended.
    expect((await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')).send({ pairs: [{ source: 'a', destination: 'b' }] })).status).toBe(201);
  });
});

describe('cancelling a probe sweep', () => {
  let port: number;
  const agents: RunningAgent[] = [];
  // h's "agent" accepts connections and never answers: a sweep that reaches it hangs for the call timeout (10 s).
  const hung = createTcpServer();
  const open = new Set<Socket>();
  const layout: Record<string, [string, string]> = { a: ['127.0.0.41', '127.0.0.41/32'], b: ['127.0.0.42', '127.0.0.42/32'], h: ['127.0.0.44', '127.0.0.44/32'] };
  const inventory: ProbeNode[] = Object.entries(layout).map(([name, [ip]]) => ({ name, underlayIp: ip, internalIp: ip, overlayIp: ip }));

  beforeAll(async () => {
    port = await freeUdpPort();
    for (const n of inventory.slice(0, 2)) {
      agents.push(await startAgent({ nodeName: n.name, port, secret: Buffer.from(SECRET), inventory, bindAddress: n.underlayIp!, rateLimitPerSecond: 5000 }));
    }
    hung.on('connection', (socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
      socket.resume();
    });
    await new Promise<void>((r) => hung.listen(port, '127.0.0.44', r));
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
    for (const s of open) s.destroy();
    await new Promise((r) => hung.close(r));
  });

  it('stops the sweep when the client goes away: the hung agent call is closed and the cluster takes the next sweep at once', async () => {
    const t = await testApp({ clusters: [cluster('lab', port)], collectLive: collector([], layout) });
    const server = createHttpServer(t.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port: apiPort } = server.address() as AddressInfo;
      const body = '{}';
      const gone = httpRequest({ host: '127.0.0.1', port: apiPort, method: 'POST', path: '/v1/clusters/lab/probes', headers: { authorization: bearer('probe'), 'content-type': 'application/json', 'content-length': body.length } });
      gone.on('error', () => undefined);
      gone.end(body);
      // The sweep is in its contact phase, stuck on h.
      await waitFor(() => open.size === 1, 2000);
      const busy = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')).send({ pairs: [{ source: 'a', destination: 'b' }] });
      expect(busy.status).toBe(409);

      const leftAt = Date.now();
      gone.destroy();
      await waitFor(() => open.size === 0, 1000);
      let next = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')).send({ pairs: [{ source: 'a', destination: 'b' }] });
      while (next.status === 409 && Date.now() - leftAt < 1000) {
        await new Promise((r) => setTimeout(r, 50));
        next = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe')).send({ pairs: [{ source: 'a', destination: 'b' }] });
      }
      expect(next.status, t.logs()).toBe(201);
      expect(next.body.results.map((r: { verdict: string }) => r.verdict)).toEqual(['ok']);
      // The slot came free well before h's 10 s call timeout; the given-up sweep stored nothing.
      expect(Date.now() - leftAt).toBeLessThan(1500);
      expect(t.logs()).toMatch(/probe sweep cancelled/);
      const listed = await request(t.app).get('/v1/probes?cluster=lab').set('Authorization', bearer('read'));
      expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([next.body.id]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

async function waitFor(condition: () => boolean, withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('probe endpoint refusals', () => {
  const configured = cluster('lab', 1);
  const auditOnly: ClusterTarget = { name: 'cloudy', kubernetes: { kind: 'in-cluster' }, cloud: { provider: 'aws', region: 'eu-west-1' }, limits: DEFAULT_CALL_LIMITS };

  it.each(['read', 'audit'] as const)('answers 403 to a token with scope %s only, before reading anything', async (scope) => {
    const seen: ClusterTarget[] = [];
    const t = await testApp({ clusters: [configured], collectLive: collector(seen) });
    const res = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer(scope));
    expect(res.status).toBe(403);
    expectConformsToSpec(res, 'createClusterProbe');
    expect(res.body.detail).toMatch(/lacks the scope probe/);
    expect(seen).toEqual([]);
  });

  it('answers 401 without a token, 404 for a cluster not in the configuration', async () => {
    const t = await testApp({ clusters: [configured], collectLive: collector() });
    expect((await request(t.app).post('/v1/clusters/lab/probes')).status).toBe(401);
    const res = await request(t.app).post('/v1/clusters/elsewhere/probes').set('Authorization', bearer('probe'));
    expect(res.status).toBe(404);
    expectConformsToSpec(res, 'createClusterProbe');
  });

  it('answers 422 probe-not-configured for a cluster without a probe section', async () => {
    const t = await testApp({ clusters: [auditOnly], collectLive: collector() });
    const res = await request(t.app).post('/v1/clusters/cloudy/probes').set('Authorization', bearer('admin'));
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createClusterProbe');
    expect(res.body).toMatchObject({ type: '/docs#problem-probe-not-configured', detail: expect.stringMatching(/cluster cloudy has no probe section/) });
  });

  it('answers 422 naming /probe for an audit with probe: true of a cluster without a probe section', async () => {
    const t = await testApp({ clusters: [auditOnly], collectLive: collector() });
    const res = await request(t.app).post('/v1/clusters/cloudy/audits').set('Authorization', bearer('admin')).send({ probe: true });
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createClusterAudit');
    expect(res.body.errors).toEqual([{ pointer: '/probe', value: true, reason: expect.stringMatching(/no probe section/) }]);
  });

  it('answers 403 to an audit with probe: true from a token without the probe scope', async () => {
    const t = await testApp({ clusters: [configured], collectLive: collector() });
    const res = await request(t.app).post('/v1/clusters/lab/audits').set('Authorization', bearer('audit')).send({ probe: true });
    expect(res.status).toBe(403);
    expectConformsToSpec(res, 'createClusterAudit');
  });

  it('answers 422 probe-unsupported for a cluster on another flannel backend', async () => {
    const hostGw: LiveCollector = async () => {
      const inputs = emptyInputs();
      inputs.nodes.push({ name: 'live:nodes', body: nodeList() });
      inputs.flannel.push({ name: 'live:flannel', body: { Network: '10.244.0.0/16', Backend: { Type: 'host-gw' } } });
      return { inputs, warnings: [] };
    };
    const t = await testApp({ clusters: [configured], collectLive: hostGw });
    const res = await request(t.app).post('/v1/clusters/lab/probes').set('Authorization', bearer('probe'));
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createClusterProbe');
    expect(res.body).toMatchObject({ type: '/docs#problem-probe-unsupported', detail: expect.stringMatching(/host-gw backend/) });
  });
});

describe('probe configuration', () => {
  const file = '/etc/sgaudit/config.yaml';
  const problems = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof InputError) return e.problems;
      throw e;
    }
    throw new Error('expected an InputError');
  };

  it('reads the probe section with its defaults, the secret from the named variable, and allows no cloud', () => {
    const config = parseConfig({ clusters: { lab: { kubernetes: { inCluster: true }, probe: { secretEnv: 'LAB_PROBE_SECRET' } } } }, file, { LAB_PROBE_SECRET: `${SECRET}\n` });
    const lab = config.clusters[0]!;
    expect(lab.cloud).toBeUndefined();
    expect(lab.probe).toMatchObject({ agentPort: 9472, secretEnv: 'LAB_PROBE_SECRET', timeoutMs: 2000, ratePerSecond: 1000 });
    expect(lab.probe!.secret.bytes().toString()).toBe(SECRET);
    // However the configuration is printed, the secret is not.
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(inspect(config, { depth: 10 })).not.toContain(SECRET);
    expect(String(lab.probe!.secret)).toBe('[probe secret]');
  });

  it('takes agentPort, timeoutSeconds and ratePerSecond as given', () => {
    const config = parseConfig(
      { clusters: { lab: { kubernetes: {}, cloud: { provider: 'openstack', cloud: 'lab' }, probe: { secretEnv: 'S', agentPort: 9573, timeoutSeconds: 0.5, ratePerSecond: 200 } } } },
      file,
      { S: SECRET },
    );
    expect(config.clusters[0]!.probe).toMatchObject({ agentPort: 9573, timeoutMs: 500, ratePerSecond: 200 });
  });

  it.each([
    [{}, { pointer: '/clusters/lab/probe/secretEnv', value: 'LAB_PROBE_SECRET', reason: "the environment variable is not set (it must hold the probe agents' shared secret)" }],
    [{ LAB_PROBE_SECRET: 'short' }, { pointer: '/clusters/lab/probe/secretEnv', value: 'LAB_PROBE_SECRET', reason: 'the secret in it is 5 bytes; use at least 16 (e.g. openssl rand -hex 32)' }],
  ])('refuses a probe section whose secret is missing or short (env %j), naming file, pointer and reason, never the secret', (env, expected) => {
    const p = problems(() => parseConfig({ clusters: { lab: { kubernetes: {}, probe: { secretEnv: 'LAB_PROBE_SECRET' } } } }, file, env));
    expect(p).toEqual([{ document: file, ...expected }]);
    expect(JSON.stringify(p)).not.toContain('short');
  });

  it('refuses a cluster with neither cloud nor probe, and a probe section off its schema', () => {
    expect(problems(() => parseConfig({ clusters: { lab: { kubernetes: {} } } }, file, {}))).toEqual([
      { document: file, pointer: '/clusters/lab', reason: 'a cluster needs a cloud to audit, a probe section to probe, or both; it has neither' },
    ]);
    // A secret pasted inline is refused without being echoed into the start-up error.
    const p = problems(() => parseConfig({ clusters: { lab: { kubernetes: {}, probe: { secretEnv: 'S', agentPort: 70000, secret: 'inline-secret-0123456789' } } } }, file, { S: SECRET }));
    expect(p).toEqual([
      { document: file, pointer: '/clusters/lab/probe/secret', reason: 'is not a known property' },
      { document: file, pointer: '/clusters/lab/probe/agentPort', reason: 'must be <= 65535' },
    ]);
  });
});
