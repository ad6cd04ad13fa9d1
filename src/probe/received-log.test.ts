import { describe, expect, it } from 'vitest';
import type { ReceivedDatagram } from './protocol.js';
import { ReceivedLog } from './received-log.js';

const entry = (nonce: string, receivedAt: number): ReceivedDatagram => ({
  nonce,
  kind: 'overlay',
  senderNode: 'a',
  from: '10.244.1.0',
  size: 80,
  receivedAt,
});

describe('ReceivedLog', () => {
  it('finds recorded nonces, keeps the first arrival of a duplicate, and ignores unknown ones', () => {
    const log = new ReceivedLog({ now: () => 1000 });
    log.record(entry('aa', 100));
    log.record({ ...entry('aa', 200), from: 'spoofed' });
    expect(log.lookup(['aa', 'bb'])).toEqual([entry('aa', 100)]);
  });

  it('forgets entries older than the retention', () => {
    let now = 1000;
    const log = new ReceivedLog({ now: () => now, retentionMs: 500 });
    log.record(entry('old', 1000));
    now = 1400;
    log.record(entry('new', 1400));
    now = 1600;
    expect(log.lookup(['old', 'new']).map((e) => e.nonce)).toEqual(['new']);
    expect(log.since(0).map((e) => e.nonce)).toEqual(['new']);
  });

  it('stays within maxEntries by dropping the oldest', () => {
    const log = new ReceivedLog({ now: () => 10, maxEntries: 3 });
    for (const n of ['a', 'b', 'c', 'd']) log.record(entry(n, 10));
    expect(log.size).toBe(3);
    expect(log.lookup(['a', 'b', 'c', 'd']).map((e) => e.nonce)).toEqual(['b', 'c', 'd']);
  });
});
