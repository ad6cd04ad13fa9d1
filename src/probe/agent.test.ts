/**
 * The agent and orchestrator over loopback: each "node" is an agent bound to its own
 * 127.0.0.x address. Real kernel VXLAN is covered by test/live/probe-netns.test.ts.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from './agent.js';
import { callAgent } from './client.js';
import type { ProbeNode } from './inventory.js';
import { runProbes } from './orchestrator.js';
import { API_PATHS, type SendResponse } from './protocol.js';

const secret = Buffer.from('loopback-test-secret-0123456789');

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('agent and orchestrator over loopback', () => {
  let port: number;
  const agents: RunningAgent[] = [];
  // c's overlay address has no listener, standing in for a VXLAN path that drops everything.
  const nodes: ProbeNode[] = [
    { name: 'a', underlayIp: '127.0.0.11', overlayIp: '127.0.0.11' },
    { name: 'b', underlayIp: '127.0.0.12', overlayIp: '127.0.0.12' },
    { name: 'c', underlayIp: '127.0.0.13', overlayIp: '127.0.0.99' },
    { name: 'd', underlayIp: '127.0.0.14', overlayIp: '127.0.0.14' },
  ];

  beforeAll(async () => {
    port = await freePort();
    for (const n of nodes.slice(0, 3)) {
      agents.push(await startAgent({ nodeName: n.name, port, secret, inventory: nodes, bindAddress: n.underlayIp!, rateLimitPerSecond: 5000 }));
    }
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
  });

  const client = () => ({ secret, port, timeoutMs: 5000 });

  it('gives every directed pair its one-way verdict', async () => {
    const report = await runProbes({ nodes, agentPort: port, secret, timeoutMs: 300, mtu: false });
    const verdicts = Object.fromEntries(report.results.map((r) => [`${r.sourceNode}->${r.destinationNode}`, r.verdict]));
    expect(verdicts).toEqual({
      'a->b': 'ok', 'a->c': 'blocked', 'a->d': 'agent-missing',
      'b->a': 'ok', 'b->c': 'blocked', 'b->d': 'agent-missing',
      'c->a': 'ok', 'c->b': 'ok', 'c->d': 'agent-missing',
      'd->a': 'agent-missing', 'd->b': 'agent-missing', 'd->c': 'agent-missing',
    });
    const ab = report.results.find((r) => r.sourceNode === 'a' && r.destinationNode === 'b')!;
    expect(ab.evidence.overlay).toEqual({ destinationIp: '127.0.0.12', sent: 3, received: 3, sendErrors: [], seenFrom: ['127.0.0.11'] });
    expect(ab.evidence.timings.waitMs).toBeGreaterThanOrEqual(300);
    const ac = report.results.find((r) => r.sourceNode === 'a' && r.destinationNode === 'c')!;
    expect(ac.evidence.underlay).toMatchObject({ sent: 3, received: 3 });
    expect(ac.evidence.overlay).toMatchObject({ sent: 3, received: 0 });
  });

  it('probes only the requested pairs', async () => {
    const report = await runProbes({ nodes, agentPort: port, secret, timeoutMs: 200, mtu: false, pairs: [{ source: 'b', destination: 'a' }] });
    expect(report.results.map((r) => [r.sourceNode, r.destinationNode, r.verdict])).toEqual([['b', 'a', 'ok']]);
  });

  it('rejects pairs naming unknown nodes as bad input', async () => {
    await expect(runProbes({ nodes, agentPort: port, secret, pairs: [{ source: 'a', destination: 'zz' }] })).rejects.toThrow(
      /--pairs#\/0\/destination: no such node in the inventory/,
    );
  });

  it.each([
    [{ node: 'evil', underlayIp: '127.0.0.50' }, /not in this agent's inventory/],
    [{ node: 'b', underlayIp: '127.0.0.50' }, /127.0.0.50 is not an address of b/],
    [{ node: 'b', overlayIp: '127.0.0.50' }, /not the overlay address of b/],
  ])('refuses to probe outside its inventory: %o', async (target, reason) => {
    const res = await callAgent<SendResponse>(client(), '127.0.0.11', API_PATHS.send, { targets: [target], count: 1 });
    expect(res).toMatchObject({ ok: false, failure: 'http', status: 403 });
    expect(!res.ok && res.message).toMatch(reason);
  });

  it('refuses unsigned and wrongly signed requests', async () => {
    const good = await callAgent(client(), '127.0.0.11', API_PATHS.info, {});
    expect(good.ok).toBe(true);
    const bad = await callAgent({ ...client(), secret: Buffer.from('not-the-shared-secret-at-all') }, '127.0.0.11', API_PATHS.info, {});
    expect(bad).toMatchObject({ ok: false, status: 401, message: 'HTTP 401: bad signature' });
    const res = await fetch(`http://127.0.0.11:${port}${API_PATHS.info}`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });

  it.each([
    [{ targets: [], count: 1 }, /\/targets: must be a non-empty array/],
    [{ targets: [{ node: 'b', underlayIp: '127.0.0.12' }], count: 99 }, /\/count: must be an integer from 0 to 20/],
    [{ targets: [{ node: 'b', underlayIp: 'not-an-ip' }], count: 1 }, /\/targets\/0\/underlayIp: must be an IPv4 address/],
    [{ targets: [{ node: 'b', underlayIp: '127.0.0.12', sizes: [1400] }], count: 1 }, /\/targets\/0\/sizes: mtu probes go over the overlay/],
    [{ targets: [{ node: 'b', overlayIp: '127.0.0.12', sizes: [10] }], count: 1 }, /\/targets\/0\/sizes\/0: must be an integer from/],
  ])('names the bad field of a send request: %o', async (body, reason) => {
    const res = await callAgent(client(), '127.0.0.11', API_PATHS.send, body);
    expect(res).toMatchObject({ ok: false, status: 400 });
    expect(!res.ok && res.message).toMatch(reason);
  });

  it('swaps its inventory at run time', async () => {
    agents[0]!.setInventory(nodes.filter((n) => n.name !== 'b'));
    try {
      const res = await callAgent(client(), '127.0.0.11', API_PATHS.send, { targets: [{ node: 'b', underlayIp: '127.0.0.12' }], count: 1 });
      expect(res).toMatchObject({ ok: false, status: 403 });
    } finally {
      agents[0]!.setInventory(nodes);
    }
  });
});
