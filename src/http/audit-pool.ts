import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { EvaluationTask, PeerPlanOutcome, PeerPlanTask, TaskOutcome } from './audit-task.js';
import { HttpProblem } from './problems.js';

export interface AuditPoolOptions {
  /** Worker threads; each evaluates one task at a time. */
  workers: number;
  /** Tasks that may wait for a worker; one more is shed at once with 503 `overloaded`. */
  queueLimit: number;
  /**
   * Threads started before the first task. The server starts them all so the first audit does
   * not pay a thread start; tests start them on demand.
   */
  warmThreads?: number;
  onShed?: () => void;
}

export interface AuditPoolStats {
  workers: number;
  queueLimit: number;
  /** Tasks waiting for a worker. */
  queued: number;
  /** Tasks a worker is evaluating. */
  running: number;
}

/** Retry-After is an estimate of when a slot frees up, kept in a range a client can act on. */
const RETRY_AFTER_MIN_S = 1;
const RETRY_AFTER_MAX_S = 60;

/**
 * Audit and what-if evaluation off the event loop: a piscina pool of worker threads with a
 * bounded queue. The bound is counted here rather than left to piscina's maxQueue, because
 * piscina counts a task as queued while a lazily started thread boots, which would shed
 * requests with workers still free.
 */
export class AuditPool {
  private readonly piscina: Piscina<EvaluationTask, TaskOutcome>;
  private readonly options: AuditPoolOptions;
  /** Submitted and not yet settled: running plus queued. */
  private inFlight = 0;
  /** Time from submission to result (queue wait included), as a moving average for Retry-After. */
  private readonly meanTurnaroundMs = new MovingAverage(0.2);

  constructor(options: AuditPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`workers must be a positive integer, got ${options.workers}`);
    if (!Number.isInteger(options.queueLimit) || options.queueLimit < 0) throw new RangeError(`queueLimit must be a non-negative integer, got ${options.queueLimit}`);
    this.options = options;
    const worker = workerModule();
    this.piscina = new Piscina({
      filename: worker.url,
      ...(worker.execArgv ? { execArgv: worker.execArgv } : {}),
      minThreads: Math.min(options.warmThreads ?? options.workers, options.workers),
      maxThreads: options.workers,
      // Threads above minThreads stay a while: starting one costs far more than an idle one.
      idleTimeout: 60_000,
      concurrentTasksPerWorker: 1,
      // Its histograms summarize on every read (stddev, percentiles): reading the mean for each
      // shed request's Retry-After was the server's largest cost under overload (measured 1.4 s
      // of CPU in 8 s). The pool keeps its own running mean instead.
      recordTiming: false,
    });
  }

  /**
   * Runs a task, or throws 503 `overloaded` at once when every worker is busy and the queue is
   * full. An aborted signal (the client went away, the server is stopping) removes a queued
   * task, or ends the thread running it, so the slot frees up.
   */
  async run(task: EvaluationTask, signal?: AbortSignal): Promise<TaskOutcome> {
    this.requireRoom();
    this.inFlight++;
    const started = performance.now();
    try {
      return await this.piscina.run(task, { ...(signal ? { signal } : {}), ...transferOf(task) });
    } finally {
      this.inFlight--;
      this.meanTurnaroundMs.add(performance.now() - started);
    }
  }

  /**
   * Throws 503 `overloaded` (and counts it as shed) when a task submitted now would be refused.
   * The server calls it before it reads a request body or starts a live collection, so a full
   * pool costs a shed request almost nothing; `run` checks again, since room can go meanwhile.
   */
  requireRoom(): void {
    const { workers, queueLimit } = this.options;
    if (this.inFlight < workers + queueLimit) return;
    this.options.onShed?.();
    const retryAfter = this.retryAfterSeconds();
    throw new HttpProblem('overloaded', `all ${workers} audit worker${workers === 1 ? ' is' : 's are'} busy and ${queueLimit} request${queueLimit === 1 ? ' is' : 's are'} waiting; retry after ${retryAfter} s`, {
      headers: { 'Retry-After': String(retryAfter) },
    });
  }

  /** The peer plan of a probe sweep, on a worker (audit-worker.ts `planPeers`), under the same admission. */
  async planPeers(task: PeerPlanTask, signal?: AbortSignal): Promise<PeerPlanOutcome> {
    this.requireRoom();
    this.inFlight++;
    try {
      return (await this.piscina.run(task as unknown as EvaluationTask, { name: 'planPeers', ...(signal ? { signal } : {}) })) as unknown as PeerPlanOutcome;
    } finally {
      this.inFlight--;
    }
  }

  stats(): AuditPoolStats {
    const queued = Math.min(this.piscina.queueSize, this.inFlight);
    return { workers: this.options.workers, queueLimit: this.options.queueLimit, queued, running: this.inFlight - queued };
  }

  /** Waits for running tasks, then ends the threads. Queued tasks are rejected. */
  async close(): Promise<void> {
    await this.piscina.close();
  }

  /** How long until a slot frees up, from recent turnaround times. */
  private retryAfterSeconds(): number {
    // A full pool has a full queue, so a task's time from submission to result (queue wait
    // included) is about how long a newcomer would have to wait now.
    const meanMs = this.meanTurnaroundMs.value ?? 1000;
    const estimate = Math.ceil(meanMs / 1000);
    return Math.min(RETRY_AFTER_MAX_S, Math.max(RETRY_AFTER_MIN_S, estimate));
  }
}

/**
 * A posted body moves to the worker instead of being copied: the ArrayBuffer is detached here
 * when the task starts. (piscina's Piscina.move() marks only a task that is itself the
 * transferable, not one inside a task object, so the transfer list is given directly.)
 */
function transferOf(task: EvaluationTask): { transferList?: ArrayBuffer[] } {
  return task.kind === 'live-audit' ? {} : { transferList: [task.body] };
}

/**
 * The worker file beside this one: `.js` in the built package, `.ts` when the sources run under
 * vitest or tsx. A worker thread does not inherit the parent's loader hooks, so the TypeScript
 * source needs tsx loaded explicitly; the built `.js` needs nothing.
 */
function workerModule(): { url: string; execArgv?: string[] } {
  const self = fileURLToPath(import.meta.url);
  const typescript = self.endsWith('.ts');
  const url = new URL(`./audit-worker.${typescript ? 'ts' : 'js'}`, import.meta.url).href;
  return typescript ? { url, execArgv: ['--import', 'tsx'] } : { url };
}

/** An exponentially weighted moving average: recent tasks count most, and reading it costs nothing. */
export class MovingAverage {
  private current: number | undefined;

  constructor(private readonly weight: number) {}

  add(sample: number): void {
    this.current = this.current === undefined ? sample : this.current + this.weight * (sample - this.current);
  }

  get value(): number | undefined {
    return this.current;
  }
}
