/** EC2 rejects more than 200 values in one filter (FilterLimitExceeded). */
export const MAX_FILTER_VALUES = 200;

export function inBatches<T>(items: readonly T[], size: number = MAX_FILTER_VALUES): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Sorted, de-duplicated, so batches and call counts do not depend on input order. */
export function uniqueSorted(items: Iterable<string>): string[] {
  return [...new Set(items)].sort();
}
