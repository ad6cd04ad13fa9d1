import type { NodeClass } from '../evaluate/types.js';

/** One cell's classes: every source member to every destination member. */
export interface ClassPair {
  source: NodeClass;
  destination: NodeClass;
}

/**
 * Class pairs gathered by source class: run k holds the pairs at positions
 * starts[k] .. starts[k + 1] - 1 of `order` (or of the pairs themselves when `order` is absent),
 * in their original order. Runs follow the source classes' first appearance.
 */
export interface SourceRuns {
  /** Per run, its source class (the last object listed for that id). */
  sources: NodeClass[];
  starts: number[];
  order?: Int32Array;
}

/**
 * Findings list their cells by source class id, so the pairs usually come in runs already
 * and nothing is copied; otherwise a counting sort by first appearance builds `order`.
 */
export function sourceRuns(pairs: readonly ClassPair[]): SourceRuns {
  const sources: NodeClass[] = [];
  const starts: number[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const source = pairs[i]!.source;
    const previous = i > 0 ? pairs[i - 1]!.source.id : undefined;
    if (source.id === previous) {
      sources[sources.length - 1] = source;
      continue;
    }
    if (previous !== undefined && !(source.id > previous)) return gatheredRuns(pairs);
    sources.push(source);
    starts.push(i);
  }
  starts.push(pairs.length);
  return { sources, starts };
}

function gatheredRuns(pairs: readonly ClassPair[]): SourceRuns {
  const positionOf = new Map<number, number>();
  const sources: NodeClass[] = [];
  const runOf = new Int32Array(pairs.length);
  const counts: number[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const source = pairs[i]!.source;
    let position = positionOf.get(source.id);
    if (position === undefined) {
      position = sources.length;
      positionOf.set(source.id, position);
      sources.push(source);
      counts.push(0);
    }
    sources[position] = source;
    counts[position] = counts[position]! + 1;
    runOf[i] = position;
  }
  const starts = [0];
  for (const c of counts) starts.push(starts[starts.length - 1]! + c);
  const next = starts.slice(0, -1);
  const order = new Int32Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const run = runOf[i]!;
    order[next[run]!] = i;
    next[run] = next[run]! + 1;
  }
  return { sources, starts, order };
}

/** Linear search below this many destinations: no Set for the usual one or few. */
const SEARCH_LIMIT = 16;

/** The destination classes of run k, each id once, in first-listed order. */
export function runDestinations(pairs: readonly ClassPair[], runs: SourceRuns, k: number): NodeClass[] {
  const out: NodeClass[] = [];
  let seen: Set<number> | undefined;
  for (let j = runs.starts[k]!; j < runs.starts[k + 1]!; j++) {
    const destination = pairs[runs.order ? runs.order[j]! : j]!.destination;
    if (seen ? seen.has(destination.id) : out.some((c) => c.id === destination.id)) continue;
    out.push(destination);
    if (seen) seen.add(destination.id);
    else if (out.length >= SEARCH_LIMIT) seen = new Set(out.map((c) => c.id));
  }
  return out;
}
