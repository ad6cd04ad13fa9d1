import { describe, expect, it } from 'vitest';
import { coverageGuarantee, expectedSweepsToCoverAll, missProbability, sweepsForAllPairs, sweepsForShareOfPairs } from './peer-coverage.js';
import { plannedPairs } from './peer-selection.js';

const EULER_GAMMA = 0.5772156649;

describe('coverageGuarantee', () => {
  it('is one sweep for a full mesh and exactly ceil((N-1)/k) sweeps for the rotating strategy', () => {
    expect(coverageGuarantee({ nodeCount: 24, perNodePeers: 23 })).toEqual({ kind: 'full-mesh', sweepsToCoverAll: 1 });
    expect(coverageGuarantee({ nodeCount: 1, perNodePeers: 5 })).toEqual({ kind: 'full-mesh', sweepsToCoverAll: 0 });
    expect(coverageGuarantee({ nodeCount: 24, perNodePeers: 8 })).toEqual({ kind: 'exact', strategy: 'rotating', sweepsToCoverAll: 3 });
    expect(coverageGuarantee({ nodeCount: 5000, perNodePeers: 32 })).toEqual({ kind: 'exact', strategy: 'rotating', sweepsToCoverAll: 157 });
  });

  it('for the independent strategy at 5,000 nodes and k = 32, is the coupon collector: about ln(N(N-1)) times the rotating 157', () => {
    const g = coverageGuarantee({ nodeCount: 5000, perNodePeers: 32, strategy: 'independent' });
    if (g.kind !== 'probabilistic') throw new Error(`expected a probabilistic guarantee, got ${g.kind}`);
    const q = 32 / 4999;
    const pairs = 5000 * 4999;
    expect(g.pairProbabilityPerSweep).toBe(q);
    // The classic approximation of E[max of M geometric variables]: (ln M + γ)/λ + 1/2.
    const approx = (Math.log(pairs) + EULER_GAMMA) / -Math.log1p(-q) + 0.5;
    expect(g.expectedSweepsToCoverAll).toBeCloseTo(approx, 0);
    expect(Math.round(g.expectedSweepsToCoverAll)).toBe(2743);
    expect(g.sweepsFor999PermilleOfPairs).toBe(1076);
    expect(g.sweepsForAllPairsAt999Permille).toBe(3729);
  });

  it('refuses a bad node count or k', () => {
    expect(() => coverageGuarantee({ nodeCount: -1, perNodePeers: 2 })).toThrow('nodeCount must be a non-negative integer, got -1');
    expect(() => coverageGuarantee({ nodeCount: 10, perNodePeers: 0 })).toThrow('perNodePeers must be an integer of at least 1, got 0');
  });
});

describe('the formulas', () => {
  it('reduce to the geometric distribution for one pair', () => {
    expect(expectedSweepsToCoverAll(0.5, 1)).toBeCloseTo(2, 9);
    expect(expectedSweepsToCoverAll(0.25, 1)).toBeCloseTo(4, 9);
    expect(expectedSweepsToCoverAll(1, 1000)).toBe(1);
    expect(missProbability(0.5, 3)).toBe(0.125);
  });

  it('give the least number of sweeps that meets the target', () => {
    expect(sweepsForShareOfPairs(0.5, 0.75)).toBe(2);
    expect(sweepsForShareOfPairs(0.5, 0.76)).toBe(3);
    expect(sweepsForAllPairs(0.5, 1, 0.75)).toBe(2);
    // Two pairs: (1 - 0.5^S)^2 >= 0.75 first holds at S = 3 (0.7656).
    expect(sweepsForAllPairs(0.5, 2, 0.75)).toBe(3);
  });

  it('match simulated sweeps of the independent strategy: 60 nodes, k = 4', () => {
    const nodes = Array.from({ length: 60 }, (_, i) => `n${i}`);
    const g = coverageGuarantee({ nodeCount: 60, perNodePeers: 4, strategy: 'independent' });
    if (g.kind !== 'probabilistic') throw new Error(`expected a probabilistic guarantee, got ${g.kind}`);
    const seen = new Set<string>();
    let sweep = 0;
    let at999: number | undefined;
    while (seen.size < 60 * 59) {
      for (const p of plannedPairs({ nodes, perNodePeers: 4, sweep, strategy: 'independent' })) seen.add(`${p.source} ${p.destination}`);
      sweep++;
      if (at999 === undefined && seen.size >= 0.999 * 60 * 59) at999 = sweep;
    }
    // One realisation; the spread of the time to full coverage is about 1.28/λ ≈ 18 sweeps here.
    expect(Math.abs(sweep - g.expectedSweepsToCoverAll)).toBeLessThan(3 * 18);
    expect(Math.abs(at999! - g.sweepsFor999PermilleOfPairs)).toBeLessThan(25);
  });
});
