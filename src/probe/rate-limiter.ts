/**
 * Paces datagram sends to at most `perSecond`, so that an agent asked to probe a large
 * mesh never bursts more than a small, predictable load onto the node's network.
 */
export class RateLimiter {
  private nextSlot = 0;
  private readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError('rate must be a positive number per second');
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller may send one datagram. Calls are served in order. */
  async take(): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.intervalMs;
    // Sub-millisecond waits are not worth a timer; they add up to the same average rate.
    if (slot - now >= 1) await this.sleep(slot - now);
  }
}
