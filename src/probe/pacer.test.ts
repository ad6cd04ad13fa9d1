import { describe, expect, it } from 'vitest';
import { PACER_TICK_MS, interleave, paced } from './pacer.js';

/** A fake clock: sleeping advances it, and `late` adds event-loop lag to chosen sleeps. */
function fakeClock(late: (call: number) => number = () => 0) {
  let t = 0;
  let calls = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms + late(calls++);
    },
  };
}

describe('paced', () => {
  it('sends at the rate: 100 items at 1000/s take 100 ms in 5 ms ticks of 5', async () => {
    const clock = fakeClock();
    const sentAt: number[] = [];
    await paced(Array.from({ length: 100 }, (_, i) => i), 1000, () => sentAt.push(clock.now()), clock.sleep, clock.now);
    expect(sentAt).toHaveLength(100);
    expect(sentAt.at(-1)).toBeGreaterThanOrEqual(95);
    expect(sentAt.at(-1)).toBeLessThanOrEqual(100);
    const perTick = new Map<number, number>();
    for (const t of sentAt) perTick.set(t, (perTick.get(t) ?? 0) + 1);
    expect(Math.max(...perTick.values())).toBeLessThanOrEqual((1000 * PACER_TICK_MS) / 1000);
  });

  it('never bursts to catch up after the event loop was late', async () => {
    // The second sleep returns 500 ms late: a catch-up would send 500 datagrams at once.
    const clock = fakeClock((call) => (call === 1 ? 500 : 0));
    const sentAt: number[] = [];
    await paced(Array.from({ length: 200 }, (_, i) => i), 1000, () => sentAt.push(clock.now()), clock.sleep, clock.now);
    const perTick = new Map<number, number>();
    for (const t of sentAt) perTick.set(t, (perTick.get(t) ?? 0) + 1);
    expect(Math.max(...perTick.values())).toBe(5);
  });

  it('refuses a rate that is not positive', async () => {
    await expect(paced([1], 0, () => undefined)).rejects.toThrow(/positive/);
  });
});

describe('interleave', () => {
  it('takes one item of each list in turn', () => {
    expect(interleave([['a1', 'a2', 'a3'], ['b1'], ['c1', 'c2']])).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
  });
});
