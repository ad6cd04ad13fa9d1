/**
 * Interval arithmetic of watch mode. Intervals are numbered from the Unix epoch (slot =
 * floor(ms / interval)), so every replica names an interval the same way without talking to
 * the others; the lease table then lets one of them run it.
 */

export function slotAt(nowMs: number, intervalMs: number): number {
  return Math.floor(nowMs / intervalMs);
}

export function slotStart(slot: number, intervalMs: number): number {
  return slot * intervalMs;
}

/**
 * How long a claimed run holds its lease. A replica that dies mid-run must lose it before the
 * next interval's claim, which comes at the earliest when that interval begins: so the lease
 * ends a little before the next interval starts, however late in this one the run began. A
 * run that takes longer than that may meet another replica's run of the next interval; both
 * only read, and each stores its own audit.
 */
export function leaseMsFor(intervalMs: number, startedAtMs: number, slot: number): number {
  const untilNext = slotStart(slot + 1, intervalMs) - startedAtMs;
  return Math.max(1, untilNext - Math.min(1000, intervalMs / 20));
}

/** The lease of a triggered run: it is not tied to an interval, so it covers the cluster's collection deadline and an evaluation. */
export function triggeredLeaseMs(deadlineMs: number, intervalMs: number): number {
  return Math.min(deadlineMs + 60_000, intervalMs);
}

/** Intervals that began and ended while this replica was busy with one run. */
export function missedSlots(lastRunSlot: number, nowSlot: number): number {
  return Math.max(0, nowSlot - lastRunSlot - 1);
}
