/**
 * `/healthz` on a NEW connection every `intervalMs`, as a load balancer or the Docker
 * HEALTHCHECK probes: no keep-alive agent, so each probe also measures whether the server still
 * accepts connections. Probes start on a fixed clock whether or not earlier ones answered, so a
 * stalled server shows as many slow probes, not as one.
 */
import { request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/** `connectedAt` is when TCP connected: the kernel completes that even while the server does not accept. */
export type ProbeOutcome =
  | { kind: 'answered'; status: number; startedAt: number; connectedAt: number | undefined; endedAt: number }
  | { kind: 'failed'; error: string; startedAt: number; connectedAt: number | undefined; endedAt: number };

export interface ProbeFigures {
  probes: number;
  /** Probes that did not answer 200 (an error, a timeout or another status). */
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The longest time, in ms, that a probe waited while no probe at all was answered. */
  maxGapMs: number;
  /** TCP connect time p99: low while answers are slow means the server accepted late or read late. */
  connectP99Ms: number;
  /**
   * The longest the prober's own event loop was blocked: the probes' timing is only as good as
   * this figure is small. Large values mean the figures above include the bench's own delay.
   */
  benchLoopDelayMaxMs: number;
  /** The first few failures, for the report. */
  failures: string[];
}

export class HealthProber {
  private readonly outcomes: Promise<ProbeOutcome>[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor(
    private readonly url: string,
    intervalMs: number,
    private readonly timeoutMs: number,
  ) {
    this.loopDelay.enable();
    this.timer = setInterval(() => this.outcomes.push(this.probe()), intervalMs);
  }

  /** Stops starting probes and waits for the ones in flight. */
  async stop(): Promise<ProbeFigures> {
    clearInterval(this.timer);
    const stoppedAt = performance.now();
    this.loopDelay.disable();
    const benchLoopDelayMaxMs = this.loopDelay.max / 1e6;
    return { ...summarize(await Promise.all(this.outcomes), stoppedAt), benchLoopDelayMaxMs };
  }

  private probe(): Promise<ProbeOutcome> {
    const startedAt = performance.now();
    let connectedAt: number | undefined;
    return new Promise((resolve) => {
      const req = request(`${this.url}/healthz`, { agent: false, timeout: this.timeoutMs }, (res) => {
        res.resume();
        res.once('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0, startedAt, connectedAt, endedAt: performance.now() }));
        res.once('error', (e) => resolve({ kind: 'failed', error: e.message, startedAt, connectedAt, endedAt: performance.now() }));
      });
      req.once('socket', (socket) => socket.once('connect', () => (connectedAt = performance.now())));
      req.once('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.once('error', (e) => resolve({ kind: 'failed', error: e.message, startedAt, connectedAt, endedAt: performance.now() }));
      req.end();
    });
  }
}

function summarize(outcomes: ProbeOutcome[], windowEnd: number): Omit<ProbeFigures, 'benchLoopDelayMaxMs'> {
  const latencies = outcomes.map((o) => (o.kind === 'answered' && o.status === 200 ? o.endedAt - o.startedAt : Number.POSITIVE_INFINITY));
  const failures = outcomes.flatMap((o) => (o.kind === 'failed' ? [o.error] : o.status !== 200 ? [`status ${o.status}`] : []));
  // A gap is how long a probe waited while no probe at all was answered: the time the server
  // gave no /healthz answer to someone asking. Measured from the probe's start, not from the
  // previous answer, so the probe interval itself does not count as unresponsiveness.
  const answers = outcomes.flatMap((o) => (o.kind === 'answered' && o.status === 200 ? [o.endedAt] : [])).sort((a, b) => a - b);
  let maxGapMs = 0;
  for (const o of outcomes) {
    const next = answers.find((t) => t >= o.startedAt) ?? Math.max(windowEnd, o.endedAt);
    maxGapMs = Math.max(maxGapMs, next - o.startedAt);
  }
  return {
    probes: outcomes.length,
    failed: failures.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(0, ...latencies),
    maxGapMs,
    connectP99Ms: percentile(outcomes.map((o) => (o.connectedAt === undefined ? Number.POSITIVE_INFINITY : o.connectedAt - o.startedAt)), 99),
    failures: failures.slice(0, 5),
  };
}

/** A HealthProber on its own worker thread (load-probe-worker.ts), so the bench's work does not delay it. */
export interface ProberThread {
  stop(): Promise<ProbeFigures>;
}

export async function startProberThread(url: string, intervalMs: number, timeoutMs: number): Promise<ProberThread> {
  const worker = new Worker(new URL('./load-probe-worker.js', import.meta.url), { workerData: { url, intervalMs, timeoutMs } });
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the /healthz prober thread exited with ${code}`)));
  });
  const next = (): Promise<Record<string, unknown>> => Promise.race([new Promise<Record<string, unknown>>((resolve) => worker.once('message', resolve)), failed]);
  await next();
  return {
    stop: async () => {
      const answer = next();
      worker.postMessage('stop');
      const { figures } = (await answer) as { figures: ProbeFigures };
      void failed.catch(() => undefined);
      await worker.terminate();
      return figures;
    },
  };
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
