import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AuditPool } from '../../src/http/audit-pool.js';
import type { EvaluationTask } from '../../src/http/audit-task.js';
import { parseConfig, type ClusterTarget } from '../../src/http/config-file.js';
import type { LiveCollector } from '../../src/http/live-collector.js';
import { createLogger } from '../../src/http/logging.js';
import { ApiMetrics } from '../../src/http/metrics.js';
import { HttpProblem } from '../../src/http/problems.js';
import { auditInputsFromRequest } from '../../src/http/request-inputs.js';
import { listNodeNames } from '../../src/http/watch/node-watch.js';
import type { WatchRunStored } from '../../src/http/watch/types.js';
import { WatchLoop, type WatchLoopOptions } from '../../src/http/watch/watch-loop.js';
import { AccessError, InputError } from '../../src/model/source.js';
import type { ChangeEvent } from '../../src/model/run-changes.js';
import { SQLITE_MEMORY, SqliteAuditStore } from '../../src/store/sqlite-store.js';
import { flannelNode, startFakeApiServer, writeKubeconfig } from '../support/fake-apiserver.js';
import { incidentBody } from '../support/http-app.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('watch configuration', () => {
  const base = { kubernetes: { inCluster: true }, cloud: { provider: 'aws' } };
  const parse = (cluster: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => parseConfig({ clusters: { prod: { ...base, ...cluster } } }, 'sgaudit.yaml', env);
  const problems = (cluster: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
    try {
      parse(cluster, env);
    } catch (e) {
      if (e instanceof InputError) return e.problems;
      throw e;
    }
    throw new Error('the configuration was accepted');
  };

  it('reads interval, jitter and probe in seconds; jitter defaults to 10% of the interval', () => {
    expect(parse({ watch: { interval: 60 } }).clusters[0]?.watch).toEqual({ intervalMs: 60_000, jitterMs: 6000, probe: false });
    expect(parse({ watch: { interval: 30, jitter: 0 } }).clusters[0]?.watch).toEqual({ intervalMs: 30_000, jitterMs: 0, probe: false });
    const secret = 'a'.repeat(32);
    expect(parse({ watch: { interval: 10, jitter: 2.5, probe: true }, probe: { secretEnv: 'PROBE_SECRET' } }, { PROBE_SECRET: secret }).clusters[0]?.watch).toEqual({
      intervalMs: 10_000,
      jitterMs: 2500,
      probe: true,
    });
    expect(parse({}).clusters[0]?.watch).toBeUndefined();
  });

  it('refuses a short interval, a jitter as long as the interval, probe without a probe section, and unknown keys, each by pointer', () => {
    expect(problems({ watch: { interval: 2 } })).toEqual([expect.objectContaining({ document: 'sgaudit.yaml', pointer: '/clusters/prod/watch/interval', value: 2, reason: expect.stringContaining('>= 5') })]);
    expect(problems({ watch: { interval: 10, jitter: 10 } })).toEqual([
      expect.objectContaining({ pointer: '/clusters/prod/watch/jitter', value: 10, reason: expect.stringContaining('shorter than the interval (10 s)') }),
    ]);
    expect(problems({ watch: { interval: 10, probe: true } })).toEqual([expect.objectContaining({ pointer: '/clusters/prod/watch/probe', value: true, reason: expect.stringContaining('probe section') })]);
    expect(problems({ watch: { every: 10 } }).map((p) => p.pointer)).toEqual(expect.arrayContaining(['/clusters/prod/watch/every']));
  });
});

/** The bundled incident (UDP 8472 blocked) as if read from the cluster's APIs. */
const incidentCollector: LiveCollector = async () => ({ inputs: auditInputsFromRequest(incidentBody().inputs as never, 'live:test'), warnings: [] });

function target(name: string, intervalMs: number, jitterMs = 0): ClusterTarget {
  return { name, kubernetes: { kind: 'in-cluster' }, cloud: { provider: 'aws' }, limits: { requestTimeoutMs: 2000, deadlineMs: 5000 }, watch: { intervalMs, jitterMs, probe: false } };
}

interface Harness {
  loop: WatchLoop;
  store: SqliteAuditStore;
  metrics: ApiMetrics;
  stored: WatchRunStored[];
  events: { event: ChangeEvent; links: { audit: string; ticket: string } }[];
  /** Runs this loop claimed, in order. */
  claimed: { cluster: string; runKey: string; slot?: number }[];
  logs(): string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let pool: AuditPool | undefined;
function sharedPool(): AuditPool {
  pool ??= new AuditPool({ workers: 1, queueLimit: 4, warmThreads: 1 });
  return pool;
}
afterAll(async () => {
  await pool?.close();
});

function harness(overrides: Partial<WatchLoopOptions> & Pick<WatchLoopOptions, 'clusters'>): Harness {
  const lines: string[] = [];
  const logger = createLogger('debug', new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString('utf8')), done()) }));
  const store = SqliteAuditStore.open(SQLITE_MEMORY);
  const claimed: Harness['claimed'] = [];
  const claimWatchRun = store.claimWatchRun.bind(store);
  store.claimWatchRun = async (c) => {
    const result = await claimWatchRun(c);
    if (result.kind === 'claimed') claimed.push({ cluster: c.cluster, runKey: c.runKey, ...(c.slot !== undefined ? { slot: c.slot } : {}) });
    return result;
  };
  const metrics = new ApiMetrics();
  const stored: WatchRunStored[] = [];
  const events: Harness['events'] = [];
  const loop = new WatchLoop({
    store,
    collectLive: incidentCollector,
    auditPool: sharedPool(),
    metrics,
    logger,
    reportLimitBytes: 16 * 1024 * 1024,
    holder: 'replica-test',
    observer: {
      async onRunStored(run) {
        stored.push(run);
        // Stands in for the change tracker: the first run of a cluster is a change, later identical ones are not.
        if (stored.filter((s) => s.cluster === run.cluster).length > 1) return undefined;
        return { cluster: run.cluster, kind: 'blocked', at: run.createdAt, auditId: run.auditId, previousAuditId: null, summary: run.report.summary, changes: {} as never };
      },
    },
    sink: { notify: (event, links) => events.push({ event, links }) },
    ...overrides,
  });
  cleanups.push(async () => {
    await loop.close();
    await store.close();
  });
  return { loop, store, metrics, stored, events, claimed, logs: () => lines.join('') };
}

async function metricValue(metrics: ApiMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = (m?.values as { labels: Record<string, string | number>; value: number }[] | undefined)?.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe('watch loop', () => {
  it('audits each watched cluster once per interval, stores origin watch, and hands each run to the tracker and its change to the notifier', async () => {
    const h = harness({ clusters: [target('alpha', 1000, 150), target('beta', 1000), { ...target('manual', 1000), watch: undefined } as ClusterTarget] });
    expect(h.loop.clusters).toEqual(['alpha', 'beta']);
    h.loop.start();
    await sleep(3600);
    await h.loop.close();
    for (const cluster of ['alpha', 'beta']) {
      const items = (await h.store.list({ cluster }, { limit: 50 })).items;
      // Start plus 3.6 s: the interval under way at start, then one per interval: 3 or 4 of them.
      expect(items.length).toBeGreaterThanOrEqual(3);
      expect(items.length).toBeLessThanOrEqual(5);
      expect(new Set(items.map((i) => i.origin))).toEqual(new Set(['watch']));
      expect(items[0]?.summary.blocked).toBeGreaterThan(0);
      // One claimed interval per stored audit, each interval once, in a row.
      const slots = h.claimed.filter((c) => c.cluster === cluster).map((c) => c.slot);
      expect(slots).toHaveLength(items.length);
      expect(slots).toEqual(slots.map((_, i) => slots[0]! + i));
      expect(h.loop.status(cluster)).toMatchObject({ cluster, intervalSeconds: 1, consecutiveFailures: 0, lastRun: { trigger: 'interval', outcome: 'stored' } });
      expect(await metricValue(h.metrics, 'sgaudit_watch_runs_total', { cluster, trigger: 'interval', outcome: 'stored' })).toBe(items.length);
      expect(await metricValue(h.metrics, 'sgaudit_watch_last_success_timestamp_seconds', { cluster })).toBeGreaterThan(Date.now() / 1000 - 3);
    }
    expect(await h.store.list({ cluster: 'manual' }, { limit: 5 })).toEqual({ items: [] });
    expect(h.stored.map((s) => s.report.summary.blocked).every((b) => b > 0)).toBe(true);
    expect(h.events.map((e) => e.event.cluster).sort()).toEqual(['alpha', 'beta']);
    const first = h.events[0]!;
    expect(first.links).toEqual({ audit: `/v1/audits/${first.event.auditId}`, ticket: `/v1/audits/${first.event.auditId}/ticket` });
    expect((await h.store.get(first.event.auditId))?.origin).toBe('watch');
  }, 15_000);

  it('keeps the schedule through failed collections: each is logged, counted and shown in the status, none stores an empty audit', async () => {
    let calls = 0;
    const flaky: LiveCollector = async (t, signal) => {
      calls += 1;
      if (calls <= 2) throw new AccessError(`the Kubernetes API of cluster ${t.name} refused the connection (test ${calls})`);
      return incidentCollector(t, signal);
    };
    const h = harness({ clusters: [target('flaky', 1000)], collectLive: flaky });
    h.loop.start();
    for (let i = 0; i < 60 && (h.loop.status('flaky')?.consecutiveFailures ?? 0) < 2; i++) await sleep(25);
    expect(h.loop.status('flaky')).toMatchObject({
      lastSuccessAt: null,
      consecutiveFailures: 2,
      lastRun: { trigger: 'interval', outcome: 'collection-failed', reason: 'reading cluster flaky failed: the Kubernetes API of cluster flaky refused the connection (test 2)' },
    });
    expect((await h.store.list({ cluster: 'flaky' }, { limit: 5 })).items).toEqual([]);
    await sleep(2200);
    await h.loop.close();
    expect(calls).toBeGreaterThanOrEqual(3);
    const items = (await h.store.list({ cluster: 'flaky' }, { limit: 10 })).items;
    expect(items.length).toBe(calls - 2);
    expect(h.loop.status('flaky')).toMatchObject({ consecutiveFailures: 0, lastRun: { outcome: 'stored' } });
    expect(await metricValue(h.metrics, 'sgaudit_watch_runs_total', { cluster: 'flaky', outcome: 'collection-failed' })).toBe(2);
    expect(h.logs()).toContain('watch: live collection failed');
  }, 15_000);

  it('retries a run the pool sheds, and logs it', async () => {
    let shed = 0;
    const full = {
      run(task: EvaluationTask, signal?: AbortSignal) {
        if (shed < 2) {
          shed += 1;
          return Promise.reject(new HttpProblem('overloaded', 'all 1 audit worker is busy'));
        }
        return sharedPool().run(task, signal);
      },
    };
    const h = harness({ clusters: [target('busy', 5000)], auditPool: full, shedRetryMs: 100 });
    h.loop.start();
    for (let i = 0; i < 50 && h.stored.length === 0; i++) await sleep(100);
    expect(shed).toBe(2);
    expect(h.stored).toHaveLength(1);
    expect(h.logs()).toContain('watch: the audit pool is full; retrying shortly');
  }, 15_000);

  it('a store that fails to claim is logged and the next interval still runs', async () => {
    const store = SqliteAuditStore.open(SQLITE_MEMORY);
    let claims = 0;
    const broken = Object.assign(Object.create(store) as SqliteAuditStore, {
      claimWatchRun: (c: Parameters<SqliteAuditStore['claimWatchRun']>[0]) => (++claims === 1 ? Promise.reject(new Error('database is locked')) : store.claimWatchRun(c)),
    });
    const h = harness({ clusters: [target('locked', 1000)], store: broken });
    h.loop.start();
    await sleep(2300);
    await h.loop.close();
    expect(claims).toBeGreaterThanOrEqual(2);
    expect((await store.list({ cluster: 'locked' }, { limit: 10 })).items.length).toBe(claims - 1);
    expect(h.logs()).toContain('claiming the run in the store failed');
    await store.close();
  }, 15_000);

  it('runs soon after a node is added, through the Kubernetes API, debounced to one run', async () => {
    const nodes = [flannelNode('node-a', '10.0.1.10', '10.244.0.0/24', 'i-0a'), flannelNode('node-b', '10.0.1.11', '10.244.1.0/24', 'i-0b')];
    const api = await startFakeApiServer({ token: 'watch-token', nodes });
    cleanups.push(() => api.close());
    const kubeconfig = await writeKubeconfig(api.server, 'watch-token');
    const cluster: ClusterTarget = { ...target('nodes', 60_000), kubernetes: { kind: 'kubeconfig', kubeconfig, context: 'fake' } };
    const h = harness({ clusters: [cluster], nodeWatch: { list: listNodeNames, pollMs: 100, debounceMs: 400 } });
    h.loop.start();
    // The interval under way at start runs at once; the 60 s interval will not come again in this test.
    for (let i = 0; i < 50 && h.stored.length === 0; i++) await sleep(100);
    expect(h.stored).toHaveLength(1);
    await sleep(300);
    expect(h.stored).toHaveLength(1);
    const added = Date.now();
    nodes.push(flannelNode('node-c', '10.0.1.12', '10.244.2.0/24', 'i-0c'));
    await sleep(150);
    nodes.push(flannelNode('node-d', '10.0.1.13', '10.244.3.0/24', 'i-0d'));
    for (let i = 0; i < 60 && h.stored.length === 1; i++) await sleep(50);
    const took = Date.now() - added;
    expect(h.stored).toHaveLength(2);
    // Two additions 150 ms apart settle into one run: poll (100 ms) + debounce (400 ms) + the audit.
    expect(took).toBeGreaterThan(400);
    expect(took).toBeLessThan(2500);
    await sleep(800);
    expect(h.stored).toHaveLength(2);
    expect(h.loop.status('nodes')?.lastRun).toMatchObject({ trigger: 'nodes', outcome: 'stored', runKey: expect.stringMatching(/^nodes:\d+:[0-9a-f]{16}$/) });
    expect(await metricValue(h.metrics, 'sgaudit_watch_runs_total', { cluster: 'nodes', trigger: 'nodes', outcome: 'stored' })).toBe(1);
    expect(api.requests.filter((r) => r.startsWith('/api/v1/nodes')).length).toBeGreaterThan(5);
  }, 15_000);

  it('a node watch whose API fails keeps retrying with backoff and never stops the schedule', async () => {
    const nodes = [flannelNode('node-a', '10.0.1.10', '10.244.0.0/24', 'i-0a')];
    const api = await startFakeApiServer({ token: 'watch-token', nodes, failFirst: [{ path: '/api/v1/nodes', status: 500, times: 6 }] });
    cleanups.push(() => api.close());
    const kubeconfig = await writeKubeconfig(api.server, 'watch-token');
    const cluster: ClusterTarget = { ...target('outage', 1000), kubernetes: { kind: 'kubeconfig', kubeconfig, context: 'fake' } };
    const h = harness({ clusters: [cluster], nodeWatch: { list: listNodeNames, pollMs: 50, debounceMs: 100 } });
    h.loop.start();
    await sleep(2400);
    // The schedule ran its intervals throughout the outage of the node watch.
    expect(h.stored.length).toBeGreaterThanOrEqual(2);
    expect(h.logs()).toContain('node watch: reading nodes failed; retrying with backoff');
    expect(h.logs()).toContain('node watch: reading nodes works again');
  }, 15_000);
});

describe('watch loop shutdown', () => {
  it('close() cancels a run in its collection, and nothing is stored afterwards', async () => {
    let started = 0;
    const hanging: LiveCollector = (_t, signal) =>
      new Promise((_resolve, reject) => {
        started += 1;
        signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const h = harness({ clusters: [target('hang', 1000)], collectLive: hanging });
    h.loop.start();
    await sleep(200);
    expect(started).toBe(1);
    const t0 = Date.now();
    await h.loop.close();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(h.loop.status('hang')).toMatchObject({ nextRunAt: null, running: null, lastRun: { outcome: 'cancelled' } });
  });
});
