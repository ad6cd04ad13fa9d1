/**
 * The /healthz prober is the load script's yardstick: if it misreads a stalled server, every
 * figure in docs/rest.md "Under load and faults" is wrong. These tests point it at real servers
 * on 127.0.0.1 whose stalls are known: one in a child process that blocks its own event loop
 * for 400 ms (a stall in this process would stall the prober too), one that never answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthProber, percentile } from './load-probe.js';

const BLOCKING_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.end('ok'); });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(String(server.address().port) + '\\n');
  // After 300 ms of normal service, hold the event loop for 400 ms, as a synchronous audit would.
  setTimeout(() => { const end = Date.now() + 400; while (Date.now() < end); }, 300);
});
`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('HealthProber', () => {
  let child: ChildProcess | undefined;
  let hung: { server: Server; sockets: Set<Socket> } | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    child = undefined;
    if (hung) {
      for (const s of hung.sockets) s.destroy();
      await new Promise((resolve) => hung!.server.close(resolve));
      hung = undefined;
    }
  });

  it('measures a 400 ms event-loop stall of the server as a gap of about 400 ms, and answers around it as fast', async () => {
    const proc = spawn(process.execPath, ['-e', BLOCKING_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    child = proc;
    const port = await new Promise<number>((resolve) => proc.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const prober = new HealthProber(`http://127.0.0.1:${port}`, 20, 5000);
    await sleep(1200);
    const figures = await prober.stop();

    expect(figures.failed).toBe(0);
    expect(figures.probes).toBeGreaterThan(30);
    expect(figures.maxGapMs).toBeGreaterThanOrEqual(350);
    expect(figures.maxGapMs).toBeLessThan(1000);
    // Most probes fall outside the stall and are answered in a few milliseconds.
    expect(figures.p50Ms).toBeLessThan(100);
    expect(figures.maxMs).toBeGreaterThanOrEqual(350);
    expect(figures.connectP99Ms).toBeLessThan(figures.maxMs);
  });

  it('counts every probe of a server that accepts and never answers as failed, and the whole window as a gap', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    hung = { server, sockets };
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const prober = new HealthProber(`http://127.0.0.1:${port}`, 50, 300);
    await sleep(500);
    const figures = await prober.stop();

    expect(figures.probes).toBeGreaterThan(5);
    expect(figures.failed).toBe(figures.probes);
    expect(figures.failures[0]).toBe('no answer within 300 ms');
    expect(figures.p99Ms).toBe(Number.POSITIVE_INFINITY);
    expect(figures.maxGapMs).toBeGreaterThanOrEqual(300);
    expect(figures.connectP99Ms).toBeLessThan(300);
  });
});

describe('percentile (nearest rank)', () => {
  it.each([
    [[5], 99, 5],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 51, 3],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [Array.from({ length: 200 }, (_, i) => i + 1), 99, 198],
    [[3, 1, Number.POSITIVE_INFINITY, 2], 99, Number.POSITIVE_INFINITY],
  ])('%j p%d is %d', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('is NaN for no values, so an empty run cannot pass a "< 100 ms" target', () => {
    expect(percentile([], 99)).toBeNaN();
    expect(percentile([], 99) < 100).toBe(false);
  });
});
