import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Direction } from '../model/cloud.js';
import type { Evidence, Layer, Verdict } from '../model/evidence.js';
import { EvidenceStore, Outcomes, type CellOutcome } from './cell-memo.js';

describe('Outcomes.combined', () => {
  const RANK: Record<Verdict, number> = { allowed: 0, unknown: 1, blocked: 2 };
  const SIDE: Partial<Record<Evidence['check'], Direction>> = {
    'source-egress': 'egress',
    'source-subnet-outbound': 'egress',
    'destination-ingress': 'ingress',
    'destination-subnet-inbound': 'ingress',
  };

  /** The obvious version: a new outcome from the evidence list. */
  function obviousCombined(evidence: Evidence[]): CellOutcome {
    const ranks = evidence.map((e) => RANK[e.decision]);
    const best = Math.max(...ranks);
    const at = best === RANK.allowed ? evidence.length - 1 : ranks.indexOf(best);
    const decided = evidence[at]!;
    const direction = best === RANK.allowed ? undefined : (SIDE[decided.check] ?? (at === 0 ? 'egress' : 'ingress'));
    return { verdict: decided.decision, layer: decided.layer, direction, evidence };
  }

  const evidence: fc.Arbitrary<Evidence> = fc.record({
    layer: fc.constantFrom<Layer>('security-group', 'network-acl', 'port-security', 'source-dest-check', 'allowed-address-pairs'),
    check: fc.constantFrom<Evidence['check']>('source-egress', 'destination-ingress', 'source-subnet-outbound', 'destination-subnet-inbound', 'port-security', 'forwarding'),
    decision: fc.constantFrom<Verdict>('allowed', 'blocked', 'unknown'),
    objectIds: fc.constant([]),
    reason: fc.string({ maxLength: 4 }),
  });
  // The shapes evaluate() asks for: egress and ingress, then NACL out and in when they ran; or two forwarding facts.
  const calls = (count: number) =>
    fc.array(
      fc.tuple(fc.nat({ max: count - 1 }), fc.nat({ max: count - 1 }), fc.option(fc.nat({ max: count - 1 }), { nil: -1 }), fc.option(fc.nat({ max: count - 1 }), { nil: -1 })),
      { minLength: 1, maxLength: 20 },
    );
  const cases = fc.array(evidence, { minLength: 1, maxLength: 12 }).chain((list) => fc.tuple(fc.constant(list), calls(list.length)));

  it('gives what the obvious version gives, read before the next call', () => {
    fc.assert(
      fc.property(cases, ([list, tuples]) => {
        const store = new EvidenceStore();
        for (const e of list) store.add(e);
        const outcomes = new Outcomes(store);
        for (const [a, b, c, d] of tuples) {
          const { verdict, layer, direction, evidence } = outcomes.combined(a, b, c, d);
          const expected = obviousCombined([a, b, c, d].filter((id) => id >= 0).map((id) => list[id]!));
          expect({ verdict, layer, direction, evidence }).toEqual(expected);
        }
      }),
    );
  });
});
