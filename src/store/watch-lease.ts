/**
 * Leases of watch-mode runs, so that with several replicas on one PostgreSQL each scheduled
 * interval of a cluster is audited once. A lease is a row keyed by (cluster, runKey); the
 * primary key lets exactly one replica claim it.
 */

/** A claim of one run of a watched cluster. */
export interface WatchClaim {
  cluster: string;
  /** `interval:<slot>` for a scheduled interval, `nodes:<key>` for a run a node change triggered. */
  runKey: string;
  /** The interval number (epoch ms / interval ms) of a scheduled run; absent for a triggered run. */
  slot?: number;
  /** Which replica claims, for logs and the lease table. */
  holder: string;
  /** How long the claim holds without being finished; after it, another replica may run the cluster again. */
  leaseMs: number;
}

/**
 * - `claimed`: this replica runs it.
 * - `taken`: another replica claimed this run, or (for a scheduled run) a later interval already.
 * - `busy`: another run of the cluster is still within its lease (a run longer than the interval);
 *   running now would audit the cluster twice at once.
 */
export type WatchClaimResult =
  | { kind: 'claimed' }
  | { kind: 'taken'; holder: string }
  | { kind: 'busy'; holder: string; runKey: string; expiresAt: string };

/** How a claimed run ended, kept on its lease row. */
export type WatchRunOutcome = 'stored' | 'collection-failed' | 'error' | 'cancelled';

/** Lease rows kept per cluster; older ones are deleted when a new one is claimed. */
export const KEPT_LEASES_PER_CLUSTER = 200;

export interface WatchLeaseStore {
  claimWatchRun(claim: WatchClaim): Promise<WatchClaimResult>;
  /** Marks a claimed run finished; only the holder's own row is touched. */
  finishWatchRun(cluster: string, runKey: string, holder: string, outcome: WatchRunOutcome): Promise<void>;
}

export function intervalRunKey(slot: number): string {
  return `interval:${slot}`;
}
