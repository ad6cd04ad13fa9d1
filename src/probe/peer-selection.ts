/**
 * Which directed pairs one sweep probes when a full mesh is too big: each node probes at most
 * `perNodePeers` peers, chosen by rendezvous (highest-random-weight) hashing. The plan is a pure
 * function of (node set, perNodePeers, sweep, strategy), so every replica of the service computes
 * the same plan, and the order of the node list does not matter. docs/probe-coverage.md has the
 * maths behind the two strategies.
 *
 * - `rotating` (default): every source ranks its peers once by weight(source, peer), with no sweep
 *   in the hash, and cuts that order into C = ceil((N-1)/k) windows of k; sweep s probes window
 *   s mod C. With an unchanged node set, any C consecutive sweeps plan every directed pair exactly
 *   once, which is the least any plan with k peers per node can do.
 * - `independent`: every sweep mixes its number into the hash and takes each source's top k.
 *   Coverage is only probabilistic (a coupon collector: about ln(N(N-1)) times slower), but a node
 *   joining or leaving moves the fewest pairs.
 *
 * Rejected: a per-pair sha256 as the weight. It is the textbook choice but costs about a
 * microsecond a pair, and 5,000 nodes are 25 million pairs a sweep. Each node's name is hashed
 * once with sha256; a pair's weight is one murmur3 round and finaliser over the source's key
 * (which also holds the salt) and the peer's key: 32 bits from Math.imul, no BigInt, about 100
 * times cheaper. Equal weights are rare (about 0.3 % of sources at 5,000 nodes) and are decided by
 * name. The rotating guarantee does not depend on the quality of that mix at all; only the balance
 * of receive load and the independent strategy's coverage do, and the tests measure both.
 */
import { createHash } from 'node:crypto';
import type { PairSpec, PeerPlanSummary } from '../model/probe.js';

export type PeerSelectionStrategy = 'rotating' | 'independent';

export interface PeerPlanRequest {
  /** Node names; unique and non-empty. Their order does not matter. */
  nodes: readonly string[];
  /** k: the most peers one node probes in one sweep. k >= N-1 means a full mesh. */
  perNodePeers: number;
  /** The sweep number, counted by the caller from 0. */
  sweep: number;
  strategy?: PeerSelectionStrategy;
}

export type PeerPlan =
  | { mode: 'full-mesh'; pairs: PairSpec[] }
  /** `phase` = sweep mod `cycleLength`: which window of every source's order this sweep takes. */
  | { mode: 'rotating'; cycleLength: number; phase: number; pairs: PairSpec[] }
  | { mode: 'independent'; pairs: PairSpec[] };

export function plannedPairs(request: PeerPlanRequest): PairSpec[] {
  return peerPlan(request).pairs;
}

export function peerPlan(request: PeerPlanRequest): PeerPlan {
  const { nodes, perNodePeers: k, sweep } = validated(request);
  const strategy = request.strategy ?? 'rotating';
  const n = nodes.length;
  if (k >= n - 1) return { mode: 'full-mesh', pairs: fullMesh(nodes) };
  if (strategy === 'rotating') {
    const cycle = cycleLength(n, k);
    const phase = sweep % cycle;
    const start = phase * k;
    return { mode: 'rotating', cycleLength: cycle, phase, pairs: selectWindow(nodes, ROTATING_SALT, start, Math.min(start + k, n - 1)) };
  }
  return { mode: 'independent', pairs: selectWindow(nodes, sweepSalt(sweep), 0, k) };
}

/** C = ceil((N-1)/k): sweeps per rotation, and the sweeps the rotating strategy needs to cover every pair. */
/** The plan's pairs with the summary a probe report carries (`ProbeReport.plan`). */
export function plannedSweep(request: PeerPlanRequest): { pairs: PairSpec[]; summary: PeerPlanSummary } {
  const plan = peerPlan(request);
  const base = { perNodePeers: request.perNodePeers, sweep: request.sweep };
  const summary: PeerPlanSummary =
    plan.mode === 'rotating' ? { mode: 'rotating', ...base, cycleLength: plan.cycleLength, phase: plan.phase } : { mode: plan.mode, ...base };
  return { pairs: plan.pairs, summary };
}

export function cycleLength(nodeCount: number, perNodePeers: number): number {
  return nodeCount <= 1 ? 1 : Math.ceil((nodeCount - 1) / perNodePeers);
}

function validated(request: PeerPlanRequest): { nodes: string[]; perNodePeers: number; sweep: number } {
  const { nodes, perNodePeers, sweep } = request;
  if (!Number.isSafeInteger(perNodePeers) || perNodePeers < 1) {
    throw new RangeError(`peer selection: perNodePeers must be an integer of at least 1, got ${shown(perNodePeers)}`);
  }
  if (!Number.isSafeInteger(sweep) || sweep < 0) {
    throw new RangeError(`peer selection: sweep must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${shown(sweep)}`);
  }
  if (request.strategy !== undefined && request.strategy !== 'rotating' && request.strategy !== 'independent') {
    throw new RangeError(`peer selection: strategy must be "rotating" or "independent", got ${shown(request.strategy)}`);
  }
  const firstAt = new Map<string, number>();
  nodes.forEach((name, i) => {
    if (typeof name !== 'string' || name === '') throw new RangeError(`peer selection: nodes[${i}] must be a non-empty node name, got ${shown(name)}`);
    const earlier = firstAt.get(name);
    if (earlier !== undefined) {
      throw new RangeError(`peer selection: nodes[${i}] ${JSON.stringify(name)} repeats nodes[${earlier}]; a node probed twice would be planned twice`);
    }
    firstAt.set(name, i);
  });
  // Sorted by code unit, not localeCompare: the plan must not depend on the locale of a replica.
  return { nodes: [...nodes].sort(byCodeUnit), perNodePeers, sweep };
}

/** JSON for strings and objects, but NaN and Infinity as themselves rather than JSON's null. */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fullMesh(nodes: readonly string[]): PairSpec[] {
  const pairs: PairSpec[] = [];
  for (const source of nodes) for (const destination of nodes) if (source !== destination) pairs.push({ source, destination });
  return pairs;
}

/** Two 32-bit words of salt mixed into every weight. */
type Salt = readonly [number, number];
const ROTATING_SALT: Salt = [0x9e3779b9, 0x7f4a7c15];

function sweepSalt(sweep: number): Salt {
  return [(sweep / 2 ** 32) >>> 0, sweep >>> 0];
}

/**
 * For every source, the peers at ranks [from, to) of its order (weight descending, then name
 * ascending so that a tie of weights is still decided the same way everywhere).
 */
function selectWindow(nodes: readonly string[], salt: Salt, from: number, to: number): PairSpec[] {
  const n = nodes.length;
  // Per node: `sourceKey` starts the hash when it is the source, `peerKey` ends it when it is the peer.
  const sourceKey = new Int32Array(n);
  const peerKey = new Int32Array(n);
  nodes.forEach((name, i) => {
    const digest = createHash('sha256').update(name, 'utf8').digest();
    sourceKey[i] = absorb(absorb(absorb(absorb(SEED, salt[0]), salt[1]), digest.readUInt32BE(0)), digest.readUInt32BE(4));
    peerKey[i] = digest.readUInt32BE(8);
  });
  const weights = new Float64Array(n - 1);
  const peerOf = new Int32Array(n - 1);
  const band: Band = { values: new Float64Array(n - 1), at: new Int32Array(n - 1) };
  const pairs: PairSpec[] = [];
  for (let s = 0; s < n; s++) {
    const state = sourceKey[s]!;
    let m = 0;
    for (let p = 0; p < n; p++) {
      if (p === s) continue;
      weights[m] = fmix(absorb(state, peerKey[p]!));
      peerOf[m] = p;
      m++;
    }
    for (const p of window(weights, peerOf, band, nodes, from, to)) pairs.push({ source: nodes[s]!, destination: nodes[p]! });
  }
  return pairs;
}

/**
 * The peers at ranks [from, to) without sorting all N-1 of them. Weights are uniform on
 * [0, 2^32), so rank r lies near weight (1 - r/m)·2^32, give or take sqrt(m)/2: one pass keeps
 * only a band of 8 standard deviations around the window, quickselect finds the window's edge
 * weights within that band, and only the peers between those edges (the window, plus any ties) are
 * sorted. A band that misses the window (a bad hash, never seen) falls back to all m weights, so
 * the band only saves time and never changes the answer.
 */
function window(weights: Float64Array, peerOf: Int32Array, band: Band, nodes: readonly string[], from: number, to: number): number[] {
  const m = weights.length;
  const margin = 4 * Math.sqrt(m) + 2;
  const bandHigh = from === 0 ? Infinity : (1 - (from - margin) / m) * WEIGHT_RANGE;
  const bandLow = (1 - (to + margin) / m) * WEIGHT_RANGE;
  let above = 0;
  let count = 0;
  for (let i = 0; i < m; i++) {
    const w = weights[i]!;
    if (w > bandHigh) above++;
    else if (w >= bandLow) {
      band.values[count] = w;
      band.at[count++] = i;
    }
  }
  if (above > from || above + count < to) {
    band.values.set(weights);
    for (let i = 0; i < m; i++) band.at[i] = i;
    above = 0;
    count = m;
  }
  const at = band.at.slice(0, count);
  const values = band.values.subarray(0, count);
  // Rank r in descending order is position count-1-r in ascending order. Everything above the
  // band is above `highest` too, and everything below it is below `lowest`.
  const highest = from === above ? Infinity : kthAscending(values, count - 1 - (from - above));
  const lowest = kthAscending(values, count - (to - above));
  const between: number[] = [];
  for (const i of at) {
    const w = weights[i]!;
    if (w > highest) above++;
    else if (w >= lowest) between.push(i);
  }
  between.sort((a, b) => weights[b]! - weights[a]! || byCodeUnit(nodes[peerOf[a]!]!, nodes[peerOf[b]!]!));
  return between.slice(from - above, to - above).map((i) => peerOf[i]!).sort((a, b) => a - b);
}

/**
 * `window` on its own: the names at ranks [from, to) of (weight descending, name ascending).
 * Exported for its test, which feeds it tied and skewed weights that hashing almost never makes.
 */
export function rankWindow(weights: readonly number[], names: readonly string[], from: number, to: number): string[] {
  const m = weights.length;
  const band: Band = { values: new Float64Array(m), at: new Int32Array(m) };
  const peerOf = Int32Array.from({ length: m }, (_, i) => i);
  return window(Float64Array.from(weights), peerOf, band, names, from, to).map((i) => names[i]!);
}

/** Reusable buffers of `window`, one set per plan. */
interface Band {
  values: Float64Array;
  at: Int32Array;
}

const WEIGHT_RANGE = 2 ** 32;

/** The value at position `k` of `scratch` sorted ascending (Hoare's quickselect; reorders `scratch`). */
function kthAscending(scratch: Float64Array, k: number): number {
  let lo = 0;
  let hi = scratch.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const pivot = median3(scratch[lo]!, scratch[mid]!, scratch[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (scratch[i]! < pivot) i++;
      while (scratch[j]! > pivot) j--;
      if (i <= j) {
        const t = scratch[i]!;
        scratch[i] = scratch[j]!;
        scratch[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return scratch[k]!;
  }
  return scratch[k]!;
}

function median3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

// murmur3_32's block round and finaliser. The inputs are already sha256 output, so what the mix
// must do is make the weights of different (source, peer, salt) look independent.
const SEED = 0x243f6a88;

function absorb(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
