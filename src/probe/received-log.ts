import type { ReceivedDatagram } from './protocol.js';

export interface ReceivedLogOptions {
  /** Entries older than this are forgotten; the orchestrator collects within seconds. */
  retentionMs?: number;
  /** Hard bound on memory: the oldest entries go first. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * What arrived on the agent's UDP port, keyed by nonce. Memory is bounded by both age
 * and count, so a flood of junk datagrams cannot grow the agent without limit.
 */
export class ReceivedLog {
  private readonly entries = new Map<string, ReceivedDatagram>();
  private readonly retentionMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(opts: ReceivedLogOptions = {}) {
    this.retentionMs = opts.retentionMs ?? 5 * 60_000;
    this.maxEntries = opts.maxEntries ?? 50_000;
    this.now = opts.now ?? Date.now;
  }

  /** Records the first arrival of a nonce; duplicates keep the first entry. */
  record(d: ReceivedDatagram): void {
    this.expire();
    if (this.entries.has(d.nonce)) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(d.nonce, d);
  }

  lookup(nonces: readonly string[]): ReceivedDatagram[] {
    this.expire();
    const found: ReceivedDatagram[] = [];
    for (const n of nonces) {
      const e = this.entries.get(n);
      if (e) found.push(e);
    }
    return found;
  }

  since(epochMs: number): ReceivedDatagram[] {
    this.expire();
    return [...this.entries.values()].filter((e) => e.receivedAt >= epochMs);
  }

  get size(): number {
    return this.entries.size;
  }

  private expire(): void {
    const cutoff = this.now() - this.retentionMs;
    for (const [nonce, e] of this.entries) {
      if (e.receivedAt >= cutoff) break;
      this.entries.delete(nonce);
    }
  }
}
