import { checkRetentionPolicy, DEFAULT_PRUNE_BATCH } from './prune-plan.js';
import type { AuditStore, RetentionPolicy } from './types.js';

export const DEFAULT_RETENTION_INTERVAL_MS = 10 * 60_000;

export interface RetentionOptions {
  /** Pause between sweeps that found no more than one batch to delete. Default 10 minutes. */
  intervalMs?: number;
  now?: () => Date;
  /** Rows one sweep deletes at most (the store's `prune` batchLimit). Default DEFAULT_PRUNE_BATCH. */
  batchLimit?: number;
  /** After every completed sweep, with how many audits it deleted (0 included). */
  onSwept?: (deleted: number) => void;
  /** A background sweep failed; sweeping goes on at the next interval. */
  onError?: (err: unknown) => void;
}

export interface RetentionSweeper {
  /** Cancels the next sweep and resolves once a running one has finished. */
  stop(): Promise<void>;
  /**
   * Runs one sweep now, after any running one (tests, and the server's first sweep); resolves
   * with how many audits it deleted, rejects with its error. Rejects once stopped.
   */
  sweepNow(): Promise<number>;
}

/**
 * Keeps the store within `policy` in the background: a first sweep right away, then one every
 * `intervalMs`; while a sweep deletes a full batch the next follows at once, so a backlog is
 * worked off in bounded steps that let other work run in between. Sweeps never overlap, because
 * two of them would race for the same oldest rows and, on SQLite, for the one write lock.
 * A timer chain rather than setInterval, so a slow sweep delays the next instead of piling up.
 */
export function startRetention(store: AuditStore, policy: RetentionPolicy, options: RetentionOptions = {}): RetentionSweeper {
  checkRetentionPolicy(policy);
  const intervalMs = options.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) {
    throw new RangeError(`retention intervalMs must be a positive integer, got ${String(intervalMs)}`);
  }
  const batchLimit = options.batchLimit ?? DEFAULT_PRUNE_BATCH;
  if (!Number.isSafeInteger(batchLimit) || batchLimit < 1) {
    throw new RangeError(`retention batchLimit must be a positive integer, got ${String(batchLimit)}`);
  }
  const now = options.now ?? (() => new Date());
  const deletes = policy.maxAgeDays !== undefined || policy.maxCount !== undefined;

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // Every sweep starts after the previous one settled; this is the tail of that chain.
  let tail: Promise<unknown> = Promise.resolve();

  // A throwing logger must not end the sweeping, so callbacks are called through these.
  const swept = (deleted: number): void => {
    try {
      options.onSwept?.(deleted);
    } catch {
      /* a logger that fails has nobody left to tell */
    }
  };
  const failed = (err: unknown): void => {
    try {
      options.onError?.(err);
    } catch {
      /* as above */
    }
  };

  const schedule = (delayMs: number): void => {
    if (stopped || !deletes) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      sweep().then(
        () => undefined,
        (err: unknown) => {
          if (stopped) return;
          failed(err);
          schedule(intervalMs);
        },
      );
    }, delayMs);
    // Retention is housekeeping: it must never keep the process alive on its own.
    timer.unref();
  };

  const sweep = (): Promise<number> => {
    const run = tail.then(async () => {
      if (stopped) throw new Error('retention sweeper is stopped');
      const deleted = deletes ? await store.prune(policy, now(), batchLimit) : 0;
      swept(deleted);
      schedule(deleted >= batchLimit ? 0 : intervalMs);
      return deleted;
    });
    tail = run.catch(() => undefined);
    return run;
  };

  schedule(0);

  return {
    sweepNow: () => (stopped ? Promise.reject(new Error('retention sweeper is stopped')) : sweep()),
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await tail;
    },
  };
}
