/**
 * `sgaudit serve` as a real process (node + tsx, the way the CLI tests spawn it) receiving
 * SIGTERM: the drain, the grace period, the exit status, and a second signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sha256 } from '../../src/http/auth.js';
import { writeKubeconfig } from '../support/fake-apiserver.js';
import { incidentBody } from '../support/http-app.js';
import { startHungUpstream, waitForAccepted, type HungUpstream } from '../support/hung-upstream.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'serve-lifecycle-token-0123456789';
const AUTH = `Bearer ${TOKEN}`;

interface Served {
  child: ChildProcess;
  url: string;
  lines: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hungUpstream(): Promise<HungUpstream> {
  const u = await startHungUpstream();
  cleanups.push(() => u.close());
  return u;
}

/** Spawns `sgaudit serve` with one cluster whose Kubernetes API is `kube`, and waits for its listening line. */
async function serve(kube: HungUpstream, graceSeconds: number): Promise<Served> {
  const dir = await mkdtemp(join(tmpdir(), 'sgaudit-serve-lifecycle-'));
  const config = join(dir, 'sgaudit.yaml');
  await writeFile(
    config,
    stringify({
      tokens: [{ name: 'lifecycle', sha256: sha256(TOKEN).toString('hex'), scopes: ['audit', 'read'] }],
      // Limits far past the test: only the drain can end the hung audit.
      clusters: { hung: { kubernetes: { kubeconfig: await writeKubeconfig(kube.url, 'kube-token'), context: 'fake' }, cloud: { provider: 'aws', region: 'us-east-1' }, requestTimeout: 300, deadline: 600 } },
    }),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'bin.ts'), 'serve', '--port', '0', '--config', config, '--data-dir', ':memory:', '--shutdown-grace', String(graceSeconds), '--workers', '1'],
    { cwd: REPO_ROOT, env: { ...process.env, SGAUDIT_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let pending = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sgaudit serve did not start within 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      pending += d.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) {
        if (part.trim() === '') continue;
        const line = JSON.parse(part) as Record<string, unknown>;
        lines.push(line);
        if (line.msg === 'sgaudit serve listening') {
          clearTimeout(timer);
          resolve(String(line.url));
        }
      }
    });
    void exited.then(({ code }) => reject(new Error(`sgaudit serve exited with ${code} before listening; stderr: ${stderr}`)));
  });
  return { child, url, lines, exited };
}

function postSlowly(url: string, path: string, body: Buffer, delayMs: number): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, path, method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json', 'Content-Length': body.length } },
      (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.subarray(0, half));
    setTimeout(() => req.end(body.subarray(half)), delayMs);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sgaudit serve and SIGTERM', () => {
  it('drains: a fast in-flight request completes, a hung live audit is aborted at the grace, the process exits 0 within grace + 2 s', async () => {
    const kube = await hungUpstream();
    const graceSeconds = 2;
    const served = await serve(kube, graceSeconds);
    const hung = fetch(`${served.url}/v1/clusters/hung/audits`, { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: '{}' }).then(
      (r) => r.status,
      () => 'connection closed',
    );
    await waitForAccepted(kube);
    const fast = postSlowly(served.url, '/v1/audits', Buffer.from(JSON.stringify(incidentBody())), 500);
    await sleep(200);

    const signalledAt = Date.now();
    served.child.kill('SIGTERM');
    const done = await fast;
    expect(done.status).toBe(201);
    expect(JSON.parse(done.text)).toMatchObject({ summary: { blocked: 12 } });

    const exit = await served.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    const seconds = (exit.at - signalledAt) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(graceSeconds - 0.1);
    expect(seconds).toBeLessThan(graceSeconds + 2);
    expect([503, 'connection closed']).toContain(await hung);
    expect(await kube.allClosed(1000)).toBe(true);

    const msgs = served.lines.map((l) => l.msg);
    const order = [
      'shutdown: started',
      'shutdown: draining; no new connections',
      'shutdown: grace period over; aborting the requests still running',
      'shutdown: connections closed',
      'shutdown: store closed; done',
    ].map((m) => msgs.indexOf(m));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(served.lines.find((l) => l.msg === 'shutdown: started')).toMatchObject({ reason: 'SIGTERM' });
    expect(served.lines.filter((l) => l.msg === 'request').map((l) => [l.path, l.status])).toEqual(
      expect.arrayContaining([
        ['/v1/audits', 201],
        ['/v1/clusters/hung/audits', expect.any(Number)],
      ]),
    );
  });

  it('exits at once, non-zero, on a second signal', async () => {
    const kube = await hungUpstream();
    const served = await serve(kube, 60);
    void fetch(`${served.url}/v1/clusters/hung/audits`, { method: 'POST', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: '{}' }).catch(() => undefined);
    await waitForAccepted(kube);
    served.child.kill('SIGTERM');
    await sleep(300);
    expect(served.child.exitCode).toBeNull();
    const secondAt = Date.now();
    served.child.kill('SIGINT');
    const exit = await served.exited;
    expect(exit.code).toBe(130);
    expect(exit.at - secondAt).toBeLessThan(1000);
    expect(served.lines.some((l) => l.msg === 'shutdown: second signal; exiting now')).toBe(true);
  });
});
