import type { RetentionPolicy } from './types.js';

/** Rows one prune call deletes at most, so a long backlog never holds a write lock for long. */
export const DEFAULT_PRUNE_BATCH = 10_000;

const DAY_MS = 86_400_000;

/**
 * What one prune call does, decided once for both stores so they cannot read a policy
 * differently. `keep-all` is its own case rather than a plan with both bounds absent, so a
 * store never runs a DELETE whose WHERE clause would be empty.
 */
export type PrunePlan =
  | { kind: 'keep-all' }
  | {
      kind: 'prune';
      /** Audits created strictly before this instant (ISO 8601, `toISOString` form) go. */
      olderThan: string | undefined;
      /** All but this many newest audits go. */
      keepNewest: number | undefined;
      batchLimit: number;
    };

/** Throws on a policy or batch limit that could only be a mistake, naming the field and value. */
export function planPrune(policy: RetentionPolicy, now: Date, batchLimit: number = DEFAULT_PRUNE_BATCH): PrunePlan {
  checkRetentionPolicy(policy);
  if (!Number.isSafeInteger(batchLimit) || batchLimit < 1) {
    throw new RangeError(`prune batchLimit must be a positive integer, got ${String(batchLimit)}`);
  }
  const { maxAgeDays, maxCount } = policy;
  if (maxAgeDays === undefined && maxCount === undefined) return { kind: 'keep-all' };
  let olderThan: string | undefined;
  if (maxAgeDays !== undefined) {
    const cutoff = now.getTime() - maxAgeDays * DAY_MS;
    if (!Number.isFinite(cutoff) || Number.isNaN(new Date(cutoff).getTime())) {
      throw new RangeError(`prune now must be a valid date, got ${String(now)}`);
    }
    olderThan = new Date(cutoff).toISOString();
  }
  return { kind: 'prune', olderThan, keepNewest: maxCount, batchLimit };
}

/**
 * maxAgeDays may be fractional (a few hours), maxCount is a whole number of audits; zero is
 * refused on both because "keep nothing" is far more likely a typo than a wish.
 */
export function checkRetentionPolicy(policy: RetentionPolicy): void {
  const { maxAgeDays, maxCount } = policy;
  if (maxAgeDays !== undefined && !(typeof maxAgeDays === 'number' && Number.isFinite(maxAgeDays) && maxAgeDays > 0)) {
    throw new RangeError(`retention maxAgeDays must be a positive number of days, got ${String(maxAgeDays)}`);
  }
  if (maxCount !== undefined && !(Number.isSafeInteger(maxCount) && maxCount >= 1)) {
    throw new RangeError(`retention maxCount must be a positive integer, got ${String(maxCount)}`);
  }
}

/** The newest audit that a count bound lets go: the (keepNewest+1)-th in listing order. */
export interface AuditKey {
  createdAt: string;
  id: string;
}

/**
 * Both bounds select a prefix of the audits in ascending (createdAt, id) order, so their union
 * is the longer prefix. Deleting by one range keeps each DELETE a single index range scan
 * instead of an OR the planners would turn into a scan of the whole table.
 */
export type DeletionRange =
  | { kind: 'created-before'; createdAt: string }
  | { kind: 'through'; key: AuditKey };

/** `firstBeyondCount` is the store's answer for the plan's keepNewest; undefined when there are not that many. */
export function deletionRange(plan: Extract<PrunePlan, { kind: 'prune' }>, firstBeyondCount: AuditKey | undefined): DeletionRange | undefined {
  const { olderThan } = plan;
  if (firstBeyondCount === undefined) return olderThan === undefined ? undefined : { kind: 'created-before', createdAt: olderThan };
  // ISO instants in `toISOString` form order as strings do.
  if (olderThan === undefined || firstBeyondCount.createdAt >= olderThan) return { kind: 'through', key: firstBeyondCount };
  return { kind: 'created-before', createdAt: olderThan };
}
