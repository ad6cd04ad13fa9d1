/**
 * How many sweeps the peer selection of peer-selection.ts needs before every directed pair has
 * been probed: exact for the rotating strategy, a coupon-collector estimate for the independent
 * one. docs/probe-coverage.md derives the formulas; test/bench/probe-coverage-bench.ts checks
 * them against simulated sweeps.
 */
import { cycleLength, type PeerSelectionStrategy } from './peer-selection.js';

export type CoverageGuarantee =
  | { kind: 'full-mesh'; sweepsToCoverAll: number }
  /** Any `sweepsToCoverAll` consecutive sweeps over an unchanged node set plan every pair exactly once. */
  | { kind: 'exact'; strategy: 'rotating'; sweepsToCoverAll: number }
  | {
      kind: 'probabilistic';
      strategy: 'independent';
      /** q = k/(N-1): the chance that one sweep plans a given pair. */
      pairProbabilityPerSweep: number;
      expectedSweepsToCoverAll: number;
      /** Sweeps after which the expected share of pairs not yet probed is at most 0.1 %. */
      sweepsFor999PermilleOfPairs: number;
      /** Sweeps after which every pair has been probed with probability at least 99.9 %. */
      sweepsForAllPairsAt999Permille: number;
    };

export function coverageGuarantee(options: { nodeCount: number; perNodePeers: number; strategy?: PeerSelectionStrategy }): CoverageGuarantee {
  const { nodeCount: n, perNodePeers: k } = options;
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`coverage: nodeCount must be a non-negative integer, got ${String(n)}`);
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`coverage: perNodePeers must be an integer of at least 1, got ${String(k)}`);
  if (k >= n - 1) return { kind: 'full-mesh', sweepsToCoverAll: n >= 2 ? 1 : 0 };
  if ((options.strategy ?? 'rotating') === 'rotating') return { kind: 'exact', strategy: 'rotating', sweepsToCoverAll: cycleLength(n, k) };
  const q = k / (n - 1);
  const pairs = n * (n - 1);
  return {
    kind: 'probabilistic',
    strategy: 'independent',
    pairProbabilityPerSweep: q,
    expectedSweepsToCoverAll: expectedSweepsToCoverAll(q, pairs),
    sweepsFor999PermilleOfPairs: sweepsForShareOfPairs(q, 0.999),
    sweepsForAllPairsAt999Permille: sweepsForAllPairs(q, pairs, 0.999),
  };
}

/** (1-q)^S: the chance that a given pair has not been planned in S independent sweeps. */
export function missProbability(q: number, sweeps: number): number {
  return (1 - q) ** sweeps;
}

/**
 * E[T] for T = the sweep by which all M pairs have been planned, each with chance q a sweep,
 * taking pairs as independent: E[T] = sum over S >= 0 of P(T > S) = sum of 1 - (1 - (1-q)^S)^M.
 * Pairs of one source are slightly negatively correlated (it picks exactly k), which only helps.
 */
export function expectedSweepsToCoverAll(q: number, pairs: number): number {
  if (q >= 1) return 1;
  let sum = 0;
  for (let s = 0; s < 100_000_000; s++) {
    const notAllCovered = -Math.expm1(pairs * Math.log1p(-missProbability(q, s)));
    sum += notAllCovered;
    if (notAllCovered < 1e-12) break;
  }
  return sum;
}

/** The least S with (1-q)^S <= 1 - share. */
export function sweepsForShareOfPairs(q: number, share: number): number {
  return leastSweepsWithMissAtMost(q, 1 - share);
}

/** The least S with (1 - (1-q)^S)^M >= probability, i.e. (1-q)^S <= 1 - probability^(1/M). */
export function sweepsForAllPairs(q: number, pairs: number, probability: number): number {
  return leastSweepsWithMissAtMost(q, -Math.expm1(Math.log(probability) / pairs));
}

function leastSweepsWithMissAtMost(q: number, miss: number): number {
  if (q >= 1) return 1;
  // The logarithm gives the answer up to rounding; the loop makes it the least integer that holds.
  let s = Math.max(0, Math.ceil(Math.log(miss) / Math.log1p(-q)) - 1);
  // The relative slack absorbs rounding in `miss` (1 - 0.75 and -expm1(ln 0.75) differ in the last bit).
  while (missProbability(q, s) > miss * (1 + 1e-12)) s++;
  return s;
}
