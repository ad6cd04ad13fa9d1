import { inBatches } from '../../src/model/collections.js';

/** EC2 rejects more than 200 values in one filter (FilterLimitExceeded). */
export const MAX_FILTER_VALUES = 200;

/** Batches sized for one EC2 filter. */
export function inFilterBatches<T>(items: readonly T[]): T[][] {
  return inBatches(items, MAX_FILTER_VALUES);
}
