/**
 * The MTU search over rounds: each round sends several sizes at once (a k-ary search),
 * so finding the exact largest size that passes takes a few probe timeouts, not dozens.
 */
export interface SizeOutcome {
  size: number;
  passed: boolean;
}

export interface MtuBounds {
  largestPassed: number | null;
  smallestFailed: number | null;
}

export function mtuBounds(outcomes: readonly SizeOutcome[]): MtuBounds {
  let largestPassed: number | null = null;
  for (const o of outcomes) if (o.passed && (largestPassed === null || o.size > largestPassed)) largestPassed = o.size;
  let smallestFailed: number | null = null;
  for (const o of outcomes) {
    if (o.passed || (largestPassed !== null && o.size <= largestPassed)) continue;
    if (smallestFailed === null || o.size < smallestFailed) smallestFailed = o.size;
  }
  return { largestPassed, smallestFailed };
}

/** Evenly spaced sizes strictly between lo and hi, at most `count`. */
function between(lo: number, hi: number, count: number): number[] {
  const out = new Set<number>();
  for (let j = 1; j <= count; j++) {
    const s = lo + Math.round((j * (hi - lo)) / (count + 1));
    if (s > lo && s < hi) out.add(s);
  }
  return [...out];
}

/**
 * Sizes for the next round, or [] when the search is done.
 * `floor` is a size known to pass (the small overlay probe), `ceiling` the sender's device MTU.
 */
export function nextMtuSizes(floor: number, ceiling: number, outcomes: readonly SizeOutcome[], perRound: number): number[] {
  if (outcomes.length === 0) return [ceiling, ...between(floor, ceiling, perRound - 1)].sort((a, b) => a - b);
  const { largestPassed, smallestFailed } = mtuBounds(outcomes);
  if (smallestFailed === null) return [];
  const lo = Math.max(largestPassed ?? floor, floor);
  if (smallestFailed - lo <= 1) return [];
  return between(lo, smallestFailed, perRound);
}
