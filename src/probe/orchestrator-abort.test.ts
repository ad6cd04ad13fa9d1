/**
 * Giving a sweep up (runProbes' `signal`) with real agents over loopback, plus one "agent" that
 * accepts TCP connections and never answers, like a node whose agent process is wedged.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from './agent.js';
import type { ProbeNode } from './inventory.js';
import { runProbes } from './orchestrator.js';
import { freeUdpPort } from '../../test/support/free-udp-port.js';

const secret = Buffer.from('abort-test-secret-0123456789abcdef');


const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Accepts connections and never answers; counts them and keeps the open ones. */
interface HungAgent {
  server: Server;
  accepted: number;
  open: Set<Socket>;
}

async function startHungAgent(host: string, port: number): Promise<HungAgent> {
  const hung: HungAgent = { server: createServer(), accepted: 0, open: new Set() };
  hung.server.on('connection', (socket) => {
    hung.accepted++;
    hung.open.add(socket);
    socket.on('close', () => hung.open.delete(socket));
    socket.on('error', () => undefined);
    // Reads and ignores the request; without a reader the client's close would never surface as 'close' here.
    socket.resume();
  });
  await new Promise<void>((r) => hung.server.listen(port, host, r));
  return hung;
}

describe('runProbes with an abort signal', () => {
  let port: number;
  const agents: RunningAgent[] = [];
  /** 'probes sent' log lines per agent: one per send request it served. */
  const sends: Record<string, number> = {};
  let hung: HungAgent;
  // c's overlay address has no listener: a→c stays silent, so the sweep waits and re-probes it.
  const nodes: ProbeNode[] = [
    { name: 'a', underlayIp: '127.0.0.51', overlayIp: '127.0.0.51' },
    { name: 'b', underlayIp: '127.0.0.52', overlayIp: '127.0.0.52' },
    { name: 'c', underlayIp: '127.0.0.53', overlayIp: '127.0.0.98' },
    { name: 'h', underlayIp: '127.0.0.54', overlayIp: '127.0.0.54' },
  ];
  const pick = (...names: string[]) => nodes.filter((n) => names.includes(n.name));

  beforeAll(async () => {
    port = await freeUdpPort();
    for (const n of nodes.slice(0, 3)) {
      sends[n.name] = 0;
      const log = (e: Record<string, unknown>) => {
        if (e.msg === 'probes sent') sends[n.name]!++;
      };
      agents.push(await startAgent({ nodeName: n.name, port, secret, inventory: nodes, bindAddress: n.underlayIp!, rateLimitPerSecond: 5000, log }));
    }
    hung = await startHungAgent('127.0.0.54', port);
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
    for (const s of hung.open) s.destroy();
    await new Promise((r) => hung.server.close(r));
  });

  it('rejects with the abort reason within moments while an agent hangs, and closes the hung call', async () => {
    const controller = new AbortController();
    const sweep = runProbes({ nodes: pick('a', 'b', 'h'), agentPort: port, secret, timeoutMs: 300, mtu: false, signal: controller.signal });
    const settled = sweep.then(() => 'resolved', (e: unknown) => e);
    await delay(200);
    // The contact phase is stuck on h: its default call timeout is 10 s.
    expect(hung.open.size).toBe(1);
    const reason = new Error('the client went away');
    const abortedAt = Date.now();
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    await delay(100);
    // The call in flight was closed, not left to its timeout, and nothing was called after.
    expect(hung.open.size).toBe(0);
    const accepted = hung.accepted;
    const sent = { ...sends };
    await delay(300);
    expect(hung.accepted).toBe(accepted);
    expect(sends).toEqual(sent);
  });

  it('stops waiting at once when aborted during the wait, and re-probes nothing', async () => {
    const controller = new AbortController();
    const before = sends.a!;
    const sweep = runProbes({ nodes: pick('a', 'b', 'c'), agentPort: port, secret, timeoutMs: 3000, mtu: false, pairs: [{ source: 'a', destination: 'c' }, { source: 'a', destination: 'b' }], signal: controller.signal });
    const settled = sweep.then(() => 'resolved', (e: unknown) => e);
    await delay(400);
    // Round 1 is out; the first look (and a→c's re-probe) would come at 1 s.
    expect(sends.a).toBe(before + 1);
    const reason = new Error('server shutting down');
    const abortedAt = Date.now();
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(200);
    await delay(1500);
    expect(sends.a).toBe(before + 1);
  });

  it('calls no agent at all with a signal that has already aborted', async () => {
    const accepted = hung.accepted;
    const sent = { ...sends };
    const reason = new Error('gone before it started');
    await expect(runProbes({ nodes, agentPort: port, secret, timeoutMs: 300, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await delay(100);
    expect(hung.accepted).toBe(accepted);
    expect(sends).toEqual(sent);
  });
});
