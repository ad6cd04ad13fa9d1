import { describe, expect, it } from 'vitest';
import { certainty, classifyPair, type PairObservation } from './classify.js';
import type { KindEvidence } from '../model/probe.js';

const k = (sent: number, received: number, extra: Partial<KindEvidence> = {}): KindEvidence => ({
  destinationIp: '10.244.2.0',
  sent,
  received,
  sendErrors: [],
  seenFrom: [],
  ...extra,
});

describe('classifyPair', () => {
  it.each<[string, PairObservation, string]>([
    ['all overlay arrived', { kind: 'observed', overlay: k(3, 3), underlay: k(3, 3) }, 'ok'],
    ['one overlay datagram of three arrived', { kind: 'observed', overlay: k(3, 1), underlay: k(3, 3) }, 'ok'],
    ['overlay arrived but the underlay control did not', { kind: 'observed', overlay: k(3, 3), underlay: k(3, 0) }, 'ok'],
    ['overlay lost, underlay arrived', { kind: 'observed', overlay: k(3, 0), underlay: k(3, 3) }, 'blocked'],
    ['overlay lost, one underlay arrived', { kind: 'observed', overlay: k(3, 0), underlay: k(3, 1) }, 'blocked'],
    ['overlay lost, underlay not tested', { kind: 'observed', overlay: k(3, 0), underlay: null }, 'blocked'],
    ['overlay lost, underlay sends all refused', { kind: 'observed', overlay: k(3, 0), underlay: k(0, 0, { sendErrors: ['ENETUNREACH'] }) }, 'blocked'],
    ['both lost', { kind: 'observed', overlay: k(3, 0), underlay: k(3, 0) }, 'underlay-unreachable'],
    ['no overlay address', { kind: 'observed', overlay: null, underlay: k(3, 3) }, 'error'],
    ['kernel refused the overlay sends', { kind: 'observed', overlay: k(0, 0, { sendErrors: ['ENETUNREACH'] }), underlay: k(3, 3) }, 'error'],
    ['agent missing', { kind: 'agent-missing', reason: 'no agent answered' }, 'agent-missing'],
    ['agent error', { kind: 'error', reason: 'HTTP 401' }, 'error'],
  ])('%s -> %s', (_label, obs, verdict) => {
    expect(classifyPair(obs).verdict).toBe(verdict);
  });

  it('explains a block with the counts of both kinds', () => {
    const { reason } = classifyPair({ kind: 'observed', overlay: k(3, 0), underlay: k(3, 2, { destinationIp: '172.16.10.173' }) });
    expect(reason).toBe(
      '3 overlay datagrams to 10.244.2.0 left the source and none arrived, while 2/3 underlay datagrams to 172.16.10.173 did: the VXLAN traffic is dropped in this direction',
    );
  });

  it('names the kernel error when nothing could be sent', () => {
    expect(classifyPair({ kind: 'observed', overlay: k(0, 0, { sendErrors: ['ENETUNREACH'] }), underlay: null }).reason).toMatch(/ENETUNREACH/);
  });
});

describe('certainty', () => {
  const silent = { overlay: { sent: 3, received: 0 }, underlay: { sent: 3, received: 3 } };
  it.each<[string, Parameters<typeof certainty>, boolean, RegExp | undefined]>([
    ['an arrival proves delivery', ['ok', { rounds: [{ overlay: { sent: 3, received: 1 }, underlay: null }], roundsRequired: 3, receiveDrops: 7 }], true, undefined],
    ['silent in every required round, no receiver drops', ['blocked', { rounds: [silent, silent, silent], roundsRequired: 3, receiveDrops: 0 }], true, /silent in all 3 rounds/],
    ['silent in fewer rounds than required', ['blocked', { rounds: [silent, silent], roundsRequired: 3, receiveDrops: 0 }], false, /silent in 2 round\(s\), fewer than the 3/],
    ['one round is never enough, even when asked for', ['underlay-unreachable', { rounds: [silent], roundsRequired: 1, receiveDrops: 0 }], false, /fewer than the 2/],
    ['the receiver dropped datagrams itself', ['blocked', { rounds: [silent, silent, silent], roundsRequired: 3, receiveDrops: 12 }], false, /dropped 12 UDP datagram/],
    ['the receiver could not say', ['blocked', { rounds: [silent, silent, silent], roundsRequired: 3, receiveDrops: null }], false, /could not report/],
    ['no probe ran', ['agent-missing', { rounds: [], roundsRequired: 3, receiveDrops: null }], false, /did not run/],
  ])('%s', (_label, args, certain, note) => {
    const c = certainty(...args);
    expect(c.certain).toBe(certain);
    if (note) expect(c.note).toMatch(note);
  });
});
