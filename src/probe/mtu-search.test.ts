import { describe, expect, it } from 'vitest';
import { mtuBounds, nextMtuSizes, type SizeOutcome } from './mtu-search.js';

/** Runs the search against a path that passes sizes up to `pathMtu`. */
function search(pathMtu: number, floor = 60, ceiling = 1450, perRound = 8, maxRounds = 10) {
  const outcomes: SizeOutcome[] = [];
  let rounds = 0;
  for (; rounds < maxRounds; rounds++) {
    const sizes = nextMtuSizes(floor, ceiling, outcomes, perRound);
    if (sizes.length === 0) break;
    expect(sizes.length).toBeLessThanOrEqual(perRound);
    for (const s of sizes) {
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThanOrEqual(ceiling);
      outcomes.push({ size: s, passed: s <= pathMtu });
    }
  }
  return { ...mtuBounds(outcomes), rounds };
}

describe('mtu search', () => {
  it('stops after one round when the device MTU passes', () => {
    expect(search(1450)).toEqual({ largestPassed: 1450, smallestFailed: null, rounds: 1 });
  });

  it.each([1354, 1350, 1300, 1000, 576, 61, 1449])('finds a path MTU of %i exactly within 4 rounds', (pathMtu) => {
    const r = search(pathMtu);
    expect(r.largestPassed).toBe(pathMtu);
    expect(r.smallestFailed).toBe(pathMtu + 1);
    expect(r.rounds).toBeLessThanOrEqual(4);
  });

  it('reports no passing size when even the smallest sized probe fails', () => {
    const r = search(59);
    expect(r.largestPassed).toBeNull();
    expect(r.smallestFailed).toBeGreaterThan(60);
  });

  it('ignores a lost datagram below a size that passed', () => {
    expect(mtuBounds([{ size: 1000, passed: false }, { size: 1200, passed: true }, { size: 1300, passed: false }])).toEqual({
      largestPassed: 1200,
      smallestFailed: 1300,
    });
  });
});
