import type { Direction } from '../model/cloud.js';
import type { Evidence, Layer, Verdict } from '../model/evidence.js';

export interface CellOutcome {
  verdict: Verdict;
  layer: Layer;
  /** Set for blocked and unknown verdicts at a directional layer. */
  direction?: Direction | undefined;
  evidence: Evidence[];
}

/** Tables up to this many entries are typed arrays; larger ones fall back to a Map. */
const DENSE_LIMIT = 1 << 22;

/**
 * A memo from a non-negative integer key to an integer >= -1 (an evidence id, or -1 as a
 * caller's marker). Dense while the key space is small: a typed-array read per cell instead
 * of a hash look-up, which matters when there are hundreds of thousands of cells.
 */
export class IdTable {
  private readonly dense: Int32Array | undefined;
  private readonly sparse: Map<number, number> | undefined;

  constructor(size: number) {
    if (size <= DENSE_LIMIT) this.dense = new Int32Array(size);
    else this.sparse = new Map();
  }

  get(key: number): number | undefined {
    if (this.dense) {
      const v = this.dense[key]!;
      return v === 0 ? undefined : v - 2;
    }
    return this.sparse!.get(key);
  }

  set(key: number, value: number): void {
    if (this.dense) this.dense[key] = value + 2;
    else this.sparse!.set(key, value);
  }
}

/** Verdicts ordered by precedence: blocked beats unknown beats allowed. */
const RANK: Record<Verdict, number> = { allowed: 0, unknown: 1, blocked: 2 };
const VERDICTS: readonly Verdict[] = ['allowed', 'unknown', 'blocked'];

/**
 * Evidence numbered in order of creation, so that memo tables hold small integers. What a
 * combined verdict reads (decision, layer, side) is kept in columns by id: evidence objects
 * come in many shapes, and reading their fields in every cell would be megamorphic.
 */
export class EvidenceStore {
  private readonly list: Evidence[] = [];
  readonly rank: number[] = [];
  readonly layer: Layer[] = [];
  /** The side a directional check names; undefined when it depends on the position (forwarding). */
  readonly side: (Direction | undefined)[] = [];

  add(e: Evidence): number {
    this.list.push(e);
    this.rank.push(RANK[e.decision]);
    this.layer.push(e.layer);
    this.side.push(sideOfCheck(e));
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
  /** Reused by combined(): the caller copies it into its cell at once, so no object per cell is left behind. */
  private readonly scratch: CellOutcome = { verdict: 'allowed', layer: 'security-group', direction: undefined, evidence: [] };
  private readonly ids = new Int32Array(4);

  constructor(private readonly store: EvidenceStore) {}

  /**
   * The combined verdict of up to four checks (-1 = not run), in check order. Blocked beats
   * unknown beats allowed; the first check with the verdict names the layer and side.
   * NOTE: the result is valid only until the next call.
   */
  combined(a: number, b: number, c: number, d: number): CellOutcome {
    const ids = this.ids;
    let n = 0;
    if (a >= 0) ids[n++] = a;
    if (b >= 0) ids[n++] = b;
    if (c >= 0) ids[n++] = c;
    if (d >= 0) ids[n++] = d;
    const { rank, layer, side } = this.store;
    let best = 0;
    let at = n - 1;
    for (let i = 0; i < n; i++) {
      const r = rank[ids[i]!]!;
      if (r > best) {
        best = r;
        at = i;
        if (r === RANK.blocked) break;
      }
    }
    const decided = ids[at]!;
    const out = this.scratch;
    out.verdict = VERDICTS[best]!;
    out.layer = layer[decided]!;
    out.direction = best === RANK.allowed ? undefined : (side[decided] ?? (at === 0 ? 'egress' : 'ingress'));
    out.evidence = this.evidence(a, b, c, d);
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

/** Source-side checks are egress, destination-side ones ingress; others (forwarding) take the side of their position. */
function sideOfCheck(e: Evidence): Direction | undefined {
  switch (e.check) {
    case 'source-egress':
    case 'source-subnet-outbound':
      return 'egress';
    case 'destination-ingress':
    case 'destination-subnet-inbound':
      return 'ingress';
    default:
      return undefined;
  }
}
