/**
 * The server's lifecycle, in process, with the production collector (nothing injected): a
 * Kubernetes API that accepts connections and never answers, per-cluster deadlines, a client
 * that goes away, the SIGTERM drain, and retention started from settings and the config file.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sha256 } from '../../src/http/auth.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { resolveSettings, type ServeSettings } from '../../src/http/settings.js';
import { incidentReport } from '../support/sample-report.js';
import { SqliteAuditStore } from '../../src/store/sqlite-store.js';
import { writeKubeconfig } from '../support/fake-apiserver.js';
import { startHungUpstream, waitForAccepted, type HungUpstream } from '../support/hung-upstream.js';
import { incidentBody } from '../support/http-app.js';

const TOKEN = 'lifecycle-test-token-0123456789';
const AUTH = `Bearer ${TOKEN}`;
const KUBE_TOKEN = 'lifecycle-kube-token-secret';

interface Harness {
  running: RunningServer;
  lines: () => Record<string, unknown>[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hungUpstream(): Promise<HungUpstream> {
  const u = await startHungUpstream();
  cleanups.push(() => u.close());
  return u;
}

/** A server with one cluster, `hung`, whose Kubernetes API is `kube`, under the given limits. */
async function start(kube: HungUpstream | undefined, cluster: Record<string, unknown>, settings: Partial<Record<keyof ServeSettings, string>> = {}, extra: Record<string, unknown> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'sgaudit-lifecycle-'));
  const kubeconfig = kube ? await writeKubeconfig(kube.url, KUBE_TOKEN) : join(dir, 'none.yaml');
  const config = join(dir, 'sgaudit.yaml');
  await writeFile(
    config,
    stringify({
      tokens: [{ name: 'lifecycle', sha256: sha256(TOKEN).toString('hex'), scopes: ['audit', 'read'] }],
      clusters: { hung: { kubernetes: { kubeconfig, context: 'fake' }, cloud: { provider: 'aws', region: 'us-east-1' }, ...cluster } },
      ...extra,
    }),
  );
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  const running = await startServer(resolveSettings({ port: '0', dataDir: ':memory:', config, logLevel: 'info', workers: '1', ...settings } as never, {}), {}, { logDestination: sink });
  cleanups.push(() => running.close());
  return { running, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function post(url: string, path: string, body: unknown = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live audit deadlines', () => {
  it('a Kubernetes API that never answers: 504 upstream-timeout at the cluster deadline, naming nothing of the kubeconfig', async () => {
    const kube = await hungUpstream();
    const { running } = await start(kube, { requestTimeout: 10, deadline: 1 });
    const started = Date.now();
    const res = await post(running.url, '/v1/clusters/hung/audits');
    const seconds = (Date.now() - started) / 1000;
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { type: string; detail: string };
    expect(body.type).toBe('/docs#problem-upstream-timeout');
    expect(body.detail).toBe('reading cluster hung timed out: the Kubernetes API of cluster hung did not answer: timed out after 1 s (collection deadline)');
    for (const secret of [kube.url, String(new URL(kube.url).port), KUBE_TOKEN, 'auditor', 'elsewhere', 'kubeconfig.yaml']) expect(body.detail).not.toContain(secret);
    expect(seconds).toBeGreaterThanOrEqual(0.9);
    expect(seconds).toBeLessThan(4);
    // Nothing was stored for an audit that had no nodes.
    const listed = await fetch(`${running.url}/v1/audits?cluster=hung`, { headers: { Authorization: AUTH } });
    expect(((await listed.json()) as { items: unknown[] }).items).toEqual([]);
    expect(await kube.allClosed(2000)).toBe(true);
  });

  it('a client that disconnects cancels its live audit: the upstream socket closes and the access log has the request', async () => {
    const kube = await hungUpstream();
    const { running, lines } = await start(kube, { requestTimeout: 60, deadline: 120 });
    const client = new AbortController();
    const call = post(running.url, '/v1/clusters/hung/audits', {}, client.signal);
    await waitForAccepted(kube);
    expect(kube.open()).toBeGreaterThan(0);
    const abortedAt = Date.now();
    client.abort();
    await expect(call).rejects.toThrow();
    expect(await kube.allClosed(2000)).toBe(true);
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    await sleep(50);
    const access = lines().find((l) => l.msg === 'request' && l.route === '/v1/clusters/{name}/audits');
    expect(access).toMatchObject({ method: 'POST', path: '/v1/clusters/hung/audits', status: 499, aborted: 'client closed the connection', client: 'lifecycle' });
    expect(lines().some((l) => l.msg === 'live audit cancelled' && l.cluster === 'hung')).toBe(true);
    expect(lines().some((l) => l.msg === 'live collection failed')).toBe(false);
  });
});

describe('shutdown drain', () => {
  it('lets a fast in-flight request finish, aborts a hung live audit after the grace period, then closes', async () => {
    const kube = await hungUpstream();
    const { running, lines } = await start(kube, { requestTimeout: 60, deadline: 120 }, { shutdownGrace: '1.5' });
    const hung = post(running.url, '/v1/clusters/hung/audits');
    await waitForAccepted(kube);

    // A posted audit whose body is still arriving when the drain starts.
    const body = Buffer.from(JSON.stringify(incidentBody()));
    const half = Math.floor(body.length / 2);
    const url = new URL(running.url);
    const fast = new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: '/v1/audits', method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json', 'Content-Length': body.length } },
        (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, half));
      setTimeout(() => req.end(body.subarray(half)), 300);
    });
    await sleep(100);

    const began = Date.now();
    const shutdown = running.shutdown('SIGTERM');
    await sleep(50);
    // No new connections once the drain began.
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();

    const done = await fast;
    expect(done.status).toBe(201);
    expect(done.connection).toBe('close');
    expect(JSON.parse(done.text)).toMatchObject({ summary: { blocked: 12 } });

    const hungRes = await hung.then((r) => r.status, () => 'connection closed');
    expect([503, 'connection closed']).toContain(hungRes);
    expect(await shutdown).toEqual({ kind: 'aborted', requests: 1 });
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(3500);
    expect(await kube.allClosed(1000)).toBe(true);
    await expect(running.store.ping()).rejects.toThrow();

    const phases = lines().map((l) => l.msg);
    for (const phase of [
      'shutdown: started',
      'shutdown: draining; no new connections',
      'shutdown: grace period over; aborting the requests still running',
      'shutdown: connections closed',
      'shutdown: store closed; done',
    ]) {
      expect(phases).toContain(phase);
    }
    expect(lines().find((l) => l.msg === 'live audit cancelled')).toMatchObject({ cluster: 'hung', reason: 'the server is shutting down' });
  });

  it('answers a request that arrives on an open connection during the drain with 503 shutting-down, Retry-After and Connection: close', async () => {
    const kube = await hungUpstream();
    const { running } = await start(kube, { requestTimeout: 60, deadline: 120 }, { shutdownGrace: '2' });
    const hung = post(running.url, '/v1/clusters/hung/audits').catch(() => undefined);
    await waitForAccepted(kube);
    const url = new URL(running.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Half of the headers before the drain, the rest after: the connection is not idle, so it stays.
    socket.write('GET /readyz HTTP/1.1\r\nHost: sgaudit\r\n');
    await sleep(100);
    const shutdown = running.shutdown('SIGTERM');
    await sleep(100);
    socket.write('\r\n');
    await closed;
    const [head, text] = answer.split('\r\n\r\n') as [string, string];
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head).toMatch(/\r\nRetry-After: 5\r\n/i);
    expect(head).toMatch(/\r\nConnection: close\r\n/i);
    expect(head).toMatch(/\r\nContent-Type: application\/problem\+json/i);
    expect(JSON.parse(text)).toMatchObject({ type: '/docs#problem-shutting-down', status: 503, instance: '/readyz' });
    await shutdown;
    await hung;
  });

  it('ends at once when nothing is in flight', async () => {
    const { running } = await start(undefined, {}, { shutdownGrace: '25' });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    const began = Date.now();
    expect(await running.shutdown('SIGTERM')).toEqual({ kind: 'finished' });
    expect(Date.now() - began).toBeLessThan(1000);
  });
});

describe('retention', () => {
  async function storeWith(n: number): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'sgaudit-retention-'));
    const store = SqliteAuditStore.open(join(dir, 'sgaudit.db'));
    const report = await incidentReport();
    for (let i = 0; i < n; i++) {
      await store.save({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), cluster: 'old', origin: 'request', report });
    }
    await store.close();
    return dir;
  }

  async function keptAfterStart(dataDir: string, settings: Partial<Record<keyof ServeSettings, string>>, extra: Record<string, unknown>): Promise<{ kept: number; lines: Record<string, unknown>[] }> {
    const { running, lines } = await start(undefined, {}, { dataDir, ...settings }, extra);
    // The sweeper's first sweep runs right after the store opens.
    let kept = Number.NaN;
    for (let i = 0; i < 100; i++) {
      const page = await running.store.list({}, { limit: 100 });
      kept = page.items.length;
      if (lines().some((l) => String(l.msg).startsWith('retention:'))) break;
      await sleep(20);
    }
    return { kept, lines: lines() };
  }

  it('--retention-count deletes all but the newest audits, and logs it', async () => {
    const { kept, lines } = await keptAfterStart(await storeWith(5), { retentionCount: '2' }, {});
    expect(kept).toBe(2);
    expect(lines.find((l) => l.msg === 'retention: deleted old audits and probe sweeps')).toMatchObject({ deleted: 3, retention: { maxCount: 2 } });
  });

  it('the config file\'s retention applies, and a flag wins over it bound by bound', async () => {
    const fromFile = await keptAfterStart(await storeWith(5), {}, { retention: { count: 1 } });
    expect(fromFile.kept).toBe(1);
    const flagWins = await keptAfterStart(await storeWith(5), { retentionCount: '4' }, { retention: { count: 1, days: 36500 } });
    expect(flagWins.kept).toBe(4);
    expect(flagWins.lines.find((l) => l.msg === 'sgaudit serve listening')).toMatchObject({ retention: { maxAgeDays: 36500, maxCount: 4 } });
  });

  it('without any bound nothing is deleted and no sweeper runs', async () => {
    const dataDir = await storeWith(3);
    const { running, lines } = await start(undefined, {}, { dataDir });
    await sleep(200);
    expect((await running.store.list({}, { limit: 100 })).items).toHaveLength(3);
    expect(lines().some((l) => String(l.msg).startsWith('retention:'))).toBe(false);
    expect(await readFile(join(dataDir, 'sgaudit.db')).then((b) => b.length)).toBeGreaterThan(0);
  });
});
