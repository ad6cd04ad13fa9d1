/**
 * Scenario "shedding": `connections` keep-alive clients POST the 50-node audit for `durationS`
 * while /healthz is probed on a new connection every 100 ms and the server's RSS is sampled
 * every 250 ms. Afterwards every audit that got a 201 is read back.
 *
 * Targets (issue #11): no answer other than 201 or 503 with Retry-After; /healthz p99 < 100 ms;
 * every 201 readable afterwards; peak RSS < 512 MB.
 */
import { Worker } from 'node:worker_threads';
import { generateAwsCluster } from './generate-aws-cluster.js';
import type { ClientsInput, ClientsResult } from './load-clients.js';
import { startProberThread, type ProberThread } from './load-probe.js';
import { round1, type ScenarioResult } from './load-report.js';
import { RssSampler, startServer, type RunningServer } from './load-server.js';

export interface SheddingOptions {
  durationS: number;
  connections: number;
  nodes: number;
  serverArgs: readonly string[];
  keepLogs: boolean;
}

const HEALTH_INTERVAL_MS = 100;
const RSS_INTERVAL_MS = 250;
const HEALTH_P99_TARGET_MS = 100;
const RSS_TARGET_MB = 512;
/** Far above any acceptable answer; a request still waiting this long counts as unanswered. */
const CLIENT_TIMEOUT_S = 30;
const READ_BACK_CONCURRENCY = 8;
const SIGTERM_GRACE_MS = 60_000;

export function sheddingBody(nodes: number): string {
  const cluster = generateAwsCluster(nodes, Math.max(2, Math.ceil(nodes / 10)), 5);
  return JSON.stringify({
    inputs: { nodes: cluster.nodes, flannel: cluster.flannel, aws: cluster.aws.map((d) => d.body) },
    options: { cluster: 'load-bench' },
  });
}

export async function runShedding(options: SheddingOptions): Promise<ScenarioResult> {
  const scenario = `shedding: ${options.connections} keep-alive clients POST the ${options.nodes}-node audit for ${options.durationS} s`;
  const body = sheddingBody(options.nodes);
  let server: RunningServer;
  try {
    server = await startServer({ extraArgs: options.serverArgs, startTimeoutMs: 30_000, keepLogs: options.keepLogs });
  } catch (e) {
    return { scenario, kind: 'not-run', reason: (e as Error).message };
  }
  try {
    // One request first, so a broken body fails loudly instead of measuring 422s.
    const warm = await fetch(`${server.url}/v1/audits`, { method: 'POST', headers: headers(server.token), body });
    const warmBody = (await warm.json()) as { id?: string; detail?: string };
    if (warm.status !== 201 || typeof warmBody.id !== 'string') {
      return { scenario, kind: 'not-run', reason: `the warm-up POST answered ${warm.status}: ${warmBody.detail ?? ''}` };
    }

    const rss = new RssSampler(server.pid, RSS_INTERVAL_MS);
    // The probes start once the clients' keep-alive connections are open (see load-clients.ts).
    let health: Promise<ProberThread> | undefined;
    let keptAlive = 0;
    const clients = await runClients(
      {
        url: server.url,
        token: server.token,
        body,
        connections: options.connections,
        durationS: options.durationS,
        timeoutS: CLIENT_TIMEOUT_S,
      },
      (sockets) => {
        keptAlive = sockets;
        health = startProberThread(server.url, HEALTH_INTERVAL_MS, 10_000);
      },
    );
    if (!health) throw new Error('the load clients finished without reporting their connections');
    const healthFigures = await (await health).stop();
    const rssFigures = rss.stop();
    const hwm = await server.peakRssMb();
    const peakRssMb = Math.max(rssFigures.peakMb, hwm ?? 0);

    const ids = [warmBody.id, ...clients.ids];
    const readBack = await readBackAll(server, ids);
    const exit = await server.stop(SIGTERM_GRACE_MS);

    const otherAnswers = Object.values(clients.otherAnswers).reduce((a, b) => a + b, 0);
    const errors = otherAnswers + clients.unanswered + clients.createdWithoutLocation;
    return {
      scenario,
      kind: 'measured',
      figures: {
        'body KB': round1(body.length / 1024),
        'answers/s': round1(clients.requestsPerSecond),
        '201 created': clients.created,
        '503 with Retry-After': clients.shed,
        'Retry-After values': clients.retryAfterValues.join(', ') || '-',
        'other answers': otherAnswers === 0 ? 0 : JSON.stringify(clients.otherAnswers),
        'unanswered (errors)': clients.unanswered,
        'of which timeouts': clients.timeouts,
        'unanswered samples': clients.errorSamples.join('; ') || '-',
        'keep-alive connections before the run': keptAlive,
        'connections opened': clients.connectionsOpened,
        '201 without Location': clients.createdWithoutLocation,
        'client latency p50 ms': finiteOr(clients.latency.p50),
        'client latency p99 ms': finiteOr(clients.latency.p99),
        'client latency max ms': round1(clients.latency.max),
        '/healthz probes': healthFigures.probes,
        '/healthz failed': healthFigures.failed,
        '/healthz TCP connect p99 ms': Number.isFinite(healthFigures.connectP99Ms) ? round1(healthFigures.connectP99Ms) : 'not connected',
        'prober event-loop delay max ms': round1(healthFigures.benchLoopDelayMaxMs),
        '/healthz p50 ms': finiteOr(healthFigures.p50Ms),
        '/healthz p99 ms': finiteOr(healthFigures.p99Ms),
        '/healthz max ms': finiteOr(healthFigures.maxMs),
        '/healthz failures': healthFigures.failures.join('; ') || '-',
        'RSS samples': rssFigures.samples,
        'RSS peak sampled MB': round1(rssFigures.peakMb),
        'RSS peak VmHWM MB': hwm === undefined ? 'unreadable' : round1(hwm),
        'audits read back': `${readBack.ok}/${ids.length}`,
        'read back failures': readBack.failures.join('; ') || '-',
        'SIGTERM to exit ms': round1(exit.ms),
        'exit': exit.signal ?? String(exit.code),
        'server log': options.keepLogs ? server.logFile : '(removed; --keep-logs keeps it)',
      },
      targets: [
        { name: 'no errors other than 503 + Retry-After', met: errors === 0, detail: `${errors} (${otherAnswers} other answers, ${clients.unanswered} unanswered, ${clients.createdWithoutLocation} 201 without Location)` },
        { name: '/healthz on a new connection p99 < 100 ms', met: healthFigures.p99Ms < HEALTH_P99_TARGET_MS, detail: `p99 ${finiteOr(healthFigures.p99Ms)} ms over ${healthFigures.probes} probes` },
        { name: 'every 201 readable afterwards', met: clients.created > 0 && readBack.ok === ids.length, detail: `${readBack.ok} of ${ids.length} read back${clients.created === 0 ? '; no request got a 201 during the run' : ''}` },
        { name: 'peak RSS < 512 MB', met: peakRssMb < RSS_TARGET_MB, detail: `${round1(peakRssMb)} MB` },
      ],
    };
  } finally {
    await server.stop(SIGTERM_GRACE_MS);
  }
}

function headers(token: string): Record<string, string> {
  return { 'content-type': 'application/json', authorization: `Bearer ${token}` };
}

function finiteOr(ms: number): number | string {
  return Number.isFinite(ms) ? round1(ms) : 'no answer';
}

type ClientsMessage = { connected: number } | { ok: true; result: ClientsResult } | { ok: false; error: string };

/** Runs the clients on their own thread; `onConnected` fires once every keep-alive connection is open. */
function runClients(input: ClientsInput, onConnected: (sockets: number) => void): Promise<ClientsResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-clients.js', import.meta.url), { workerData: input });
    worker.on('message', (m: ClientsMessage) => {
      if ('connected' in m) {
        onConnected(m.connected);
        return;
      }
      void worker.terminate();
      if (m.ok) resolve(m.result);
      else reject(new Error(`the load clients failed: ${m.error}`));
    });
    worker.once('error', reject);
  });
}

/** GETs every id back; an audit counts as read when it answers 200 with the same id. */
async function readBackAll(server: RunningServer, ids: readonly string[]): Promise<{ ok: number; failures: string[] }> {
  let ok = 0;
  const failures: string[] = [];
  let next = 0;
  const reader = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        const res = await fetch(`${server.url}/v1/audits/${id}`, { headers: { authorization: `Bearer ${server.token}` } });
        const got = (await res.json()) as { id?: unknown };
        if (res.status === 200 && got.id === id) ok++;
        else failures.push(`${id}: ${res.status}`);
      } catch (e) {
        failures.push(`${id}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: READ_BACK_CONCURRENCY }, reader));
  return { ok, failures: failures.slice(0, 5) };
}
