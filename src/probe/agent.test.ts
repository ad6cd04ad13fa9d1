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
import { API_PATHS, type InfoResponse, type SendResponse } from './protocol.js';
import { freeUdpPort } from '../../test/support/free-udp-port.js';

const secret = Buffer.from('loopback-test-secret-0123456789');


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
    port = await freeUdpPort();
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
    // Settled at the first look, a third of the timeout after the sends: one round, certain.
    expect(ab).toMatchObject({ certain: true, rounds: 1 });
    expect(ab.evidence.rounds).toEqual([{ overlay: { sent: 3, received: 3 }, underlay: { sent: 3, received: 3 } }]);
    expect(ab.evidence.timings.waitMs).toBeGreaterThanOrEqual(100);
    const ac = report.results.find((r) => r.sourceNode === 'a' && r.destinationNode === 'c')!;
    // Silence is judged only after every round was silent, and waited for the whole timeout.
    expect(ac).toMatchObject({ verdict: 'blocked', rounds: 3 });
    expect(ac.evidence.timings.waitMs).toBeGreaterThanOrEqual(300);
    expect(ac.evidence.underlay).toMatchObject({ sent: 9, received: 9 });
    expect(ac.evidence.overlay).toMatchObject({ sent: 9, received: 0 });
    expect(ac.evidence.rounds).toEqual(Array(3).fill({ overlay: { sent: 3, received: 0 }, underlay: { sent: 3, received: 3 } }));
    // Loopback counts every host's UDP drops, so only the measurement itself is pinned here.
    expect(typeof ac.evidence.destinationReceiveDrops).toBe('number');
    expect(ac.certain).toBe(ac.evidence.destinationReceiveDrops === 0);
    expect(ac.evidence.reason).toMatch(ac.certain ? /silent in all 3 rounds/ : /uncertain: .*dropped \d+ UDP datagram/);
    expect(report.results.find((r) => r.verdict === 'agent-missing')).toMatchObject({ certain: false, rounds: 0 });
    expect(report.sweep).toMatchObject({ rounds: 3, mtu: 'off', timeoutMs: 300, ratePerSecond: 1000 });
  });

  it('probes a silent pair again, and an arrival in a later round makes it ok', async () => {
    // e's overlay address has no listener until the orchestrator announces the second round:
    // the first round is lost as a receiver overrun would lose it.
    const e: ProbeNode = { name: 'e', underlayIp: '127.0.0.15', overlayIp: '127.0.0.98' };
    const all = [...nodes, e];
    const agentE = await startAgent({ nodeName: 'e', port, secret, inventory: all, bindAddress: e.underlayIp!, rateLimitPerSecond: 5000 });
    for (const a of agents) a.setInventory(all);
    const relay = dgram.createSocket('udp4');
    relay.on('message', (msg) => relay.send(msg, port, e.underlayIp!));
    try {
      const report = await runProbes({
        nodes: all,
        agentPort: port,
        secret,
        timeoutMs: 600,
        mtu: false,
        pairs: [{ source: 'a', destination: 'e' }],
        log: (entry) => {
          if (entry.msg === 're-probing silent pairs' && entry.round === 2) relay.bind(port, '127.0.0.98');
        },
      });
      const [ae] = report.results;
      expect(ae).toMatchObject({ verdict: 'ok', certain: true, rounds: 2 });
      expect(ae!.evidence.rounds).toEqual([
        { overlay: { sent: 3, received: 0 }, underlay: { sent: 3, received: 3 } },
        { overlay: { sent: 3, received: 3 }, underlay: { sent: 3, received: 3 } },
      ]);
      expect(ae!.evidence.reason).toBe('3/6 overlay datagrams arrived; 3 lost');
    } finally {
      for (const a of agents) a.setInventory(nodes);
      await new Promise<void>((r) => relay.close(() => r()));
      await agentE.close();
    }
  });

  it('paces a send request at the rate the orchestrator asks for', async () => {
    const targets = [{ node: 'b', underlayIp: '127.0.0.12' }, { node: 'c', underlayIp: '127.0.0.13' }];
    const res = await callAgent<SendResponse>(client(), '127.0.0.11', API_PATHS.send, { targets, count: 20, ratePerSecond: 200 });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.body.ratePerSecond).toBe(200);
    // 40 datagrams at 200 per second span at least 195 ms, and the two targets alternate.
    const times = res.body.sent.map((d) => d.sentAt);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(180);
    expect(res.body.sent.slice(0, 4).map((d) => d.target)).toEqual(['b', 'c', 'b', 'c']);
    // The agent's own --rate (5000 here) caps what is asked.
    const capped = await callAgent<SendResponse>(client(), '127.0.0.11', API_PATHS.send, { targets, count: 1, ratePerSecond: 90_000 });
    expect(capped.ok && capped.body.ratePerSecond).toBe(5000);
  });

  it('reports the receive buffer the kernel granted and its drop counter', async () => {
    const res = await callAgent<InfoResponse>(client(), '127.0.0.11', API_PATHS.info, {});
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    // Linux doubles SO_RCVBUF for bookkeeping and caps the request at net.core.rmem_max.
    expect(res.body.receiveBufferBytes).toBeGreaterThan(212_992);
    expect(typeof res.body.receiveBufferErrors).toBe('number');
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
    [{ node: 'b', overlayIp: '127.0.0.50' }, /not an overlay address of b/],
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
    [{ targets: [{ node: 'b', underlayIp: '127.0.0.12' }], count: 1, ratePerSecond: 0 }, /\/ratePerSecond: must be an integer from 1 to 100000, got 0/],
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
