import type { Direction } from '../model/cloud.js';
import { directionOfCheck, type Evidence, type Layer, type Verdict } from '../model/evidence.js';

export interface CellOutcome {
  verdict: Verdict;
  layer: Layer;
  /** Set for blocked and unknown verdicts at a directional layer. */
  direction?: Direction | undefined;
  evidence: Evidence[];
}

/** Verdicts ordered by precedence: blocked beats unknown beats allowed. */
const RANK: Record<Verdict, number> = { allowed: 0, unknown: 1, blocked: 2 };

/** Evidence numbered in order of creation, so that memo tables hold small integers. */
export class EvidenceStore {
  private readonly list: Evidence[] = [];

  add(e: Evidence): number {
    this.list.push(e);
    return this.list.length - 1;
  }

  get(id: number): Evidence {
    return this.list[id]!;
  }
}

/**
 * Outcomes of cells from evidence ids. A one-piece outcome (adjacency, an unknown subnet, one
 * missing endpoint) is shared by every cell with that evidence. Combined outcomes are built
 * per cell: security-group evidence names the group set of its side, so with many group sets
 * nearly every (egress, ingress, NACL out, NACL in) tuple is its own, and a cache keyed by
 * tuples would only grow with the cells.
 */
export class Outcomes {
  private readonly single = new Map<number, CellOutcome>();
  /** What combined() returns, refilled on every call (see there). */
  private readonly reused: CellOutcome = { verdict: 'allowed', layer: 'security-group', direction: undefined, evidence: [] };

  constructor(private readonly store: EvidenceStore) {}

  /**
   * The combined verdict of up to four checks (-1 = not run), in check order. Blocked beats
   * unknown beats allowed; the first check with the verdict names the layer and side (for
   * allowed, the last check names the layer).
   *
   * The result is one object refilled on every call: read it before the next call (evaluate()
   * copies it into its cell at once). Why: returning a new object per cell, `npm run bench --
   * --groups-per-pool 1` took 110 ms to evaluate instead of 93 (medians). cell-memo.test.ts holds
   * it against the version that returns a new object.
   */
  combined(a: number, b: number, c: number, d: number): CellOutcome {
    const evidence = this.evidence(a, b, c, d);
    let best = 0;
    let at = evidence.length - 1;
    for (let i = 0; i < evidence.length; i++) {
      const r = RANK[evidence[i]!.decision];
      if (r > best) {
        best = r;
        at = i;
      }
    }
    const decided = evidence[at]!;
    const out = this.reused;
    out.verdict = decided.decision;
    out.layer = decided.layer;
    out.direction = best === RANK.allowed ? undefined : (directionOfCheck(decided.check) ?? (at === 0 ? 'egress' : 'ingress'));
    out.evidence = evidence;
    return out;
  }

  /**
   * One or two pieces of evidence (-1 = none) whose first one names the verdict and layer,
   * with no side: node mapping, missing endpoints, adjacency.
   */
  plain(a: number, b: number): CellOutcome {
    if (b >= 0) return plain(this.evidence(a, b, -1, -1));
    let outcome = this.single.get(a);
    if (!outcome) {
      outcome = plain([this.store.get(a)]);
      this.single.set(a, outcome);
    }
    return outcome;
  }

  /**
   * The evidence of the checks that ran, in check order, as an array of its exact length (cells
   * keep it). Why written out: with `[a, b, c, d].filter(...).map(...)`, or push in a loop, the
   * worst-case bench above took 176-187 ms to evaluate instead of 91-93.
   */
  private evidence(a: number, b: number, c: number, d: number): Evidence[] {
    const store = this.store;
    if (d < 0) {
      if (c >= 0) return [store.get(a), store.get(b), store.get(c)];
      return b >= 0 ? [store.get(a), store.get(b)] : [store.get(a)];
    }
    return c >= 0 ? [store.get(a), store.get(b), store.get(c), store.get(d)] : [store.get(a), store.get(b), store.get(d)];
  }
}

function plain(evidence: Evidence[]): CellOutcome {
  return { verdict: evidence[0]!.decision, layer: evidence[0]!.layer, evidence };
}
