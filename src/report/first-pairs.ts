import type { BoundNode, NodeClass } from '../evaluate/types.js';
import { compareText } from './order.js';

export interface ClassPair {
  source: NodeClass;
  destination: NodeClass;
}

const byName = (a: BoundNode, b: BoundNode): number => compareText(a.node.name, b.node.name);

/**
 * The first `limit` directed node pairs covered by some class pair, sorted by source then
 * destination name. Sources come from a lazy merge of the source classes' sorted members, and
 * each source class merges the first `limit + 1` names of its destination classes once, so the
 * cost stays near classes x log(classes) + limit x log(classes), never N² and never all N sorted.
 */
export function firstPairs(
  classPairs: readonly ClassPair[],
  limit: number,
  membersOf: SortedMembers = sortedMembers(),
): [BoundNode, BoundNode][] {
  return firstPairsAs(classPairs, limit, (s, d) => [s, d], membersOf);
}

/** firstPairs, each pair made into a T as it is found (no intermediate tuples). */
export function firstPairsAs<T>(
  classPairs: readonly ClassPair[],
  limit: number,
  make: (source: BoundNode, destination: BoundNode) => T,
  membersOf: SortedMembers = sortedMembers(),
): T[] {
  const pairs: T[] = [];
  if (limit <= 0 || classPairs.length === 0) return pairs;
  const sources = sourceClasses(classPairs);
  const merge = new SourceMerge(sources.map((s) => membersOf(s.cls)));
  for (let at = merge.next(); at >= 0 && pairs.length < limit; at = merge.next()) {
    const node = merge.node!;
    let last: string | undefined;
    for (const dest of candidates(sources[at]!.destinations, limit, membersOf)) {
      if (pairs.length >= limit) break;
      if (dest.node.name === node.node.name || dest.node.name === last) continue;
      last = dest.node.name;
      pairs.push(make(node, dest));
    }
  }
  return pairs;
}

/** A source class and its destination classes (each once, in first-seen order). */
interface SourceClass {
  cls: NodeClass;
  destinations: Destinations;
  /** Ids in `destinations`, once the list is too long to search. */
  seen?: Set<number>;
}

interface Destinations {
  classes: NodeClass[];
  /** Their members by name, the first `limit + 1` of each class; worked out when first needed. */
  candidates?: BoundNode[];
}

/** Linear search below this many destinations: no Set for the usual one or few. */
const SEARCH_LIMIT = 16;

function sourceClasses(classPairs: readonly ClassPair[]): SourceClass[] {
  const byId = new Map<number, SourceClass>();
  const sources: SourceClass[] = [];
  for (let i = 0; i < classPairs.length; i++) {
    const { source, destination } = classPairs[i]!;
    let entry = byId.get(source.id);
    if (!entry) {
      entry = { cls: source, destinations: { classes: [] } };
      byId.set(source.id, entry);
      sources.push(entry);
    }
    entry.cls = source;
    if (!hasDestination(entry, destination.id)) {
      entry.destinations.classes.push(destination);
      entry.seen?.add(destination.id);
    }
  }
  // Source classes listed one after another often share their destinations (a finding about one
  // destination group): share the candidates too, so they are merged once.
  for (let i = 1; i < sources.length; i++) {
    const previous = sources[i - 1]!.destinations;
    if (sameClasses(sources[i]!.destinations.classes, previous.classes)) sources[i]!.destinations = previous;
  }
  return sources;
}

function hasDestination(entry: SourceClass, id: number): boolean {
  if (entry.seen) return entry.seen.has(id);
  const classes = entry.destinations.classes;
  for (let i = 0; i < classes.length; i++) if (classes[i]!.id === id) return true;
  if (classes.length >= SEARCH_LIMIT) entry.seen = new Set(classes.map((c) => c.id));
  return false;
}

function sameClasses(a: readonly NodeClass[], b: readonly NodeClass[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.id !== b[i]!.id) return false;
  return true;
}

/** The destinations of every source in one class, by name; the source itself is skipped later, hence one more than the limit. */
function candidates(destinations: Destinations, limit: number, membersOf: SortedMembers): BoundNode[] {
  if (destinations.candidates) return destinations.candidates;
  const classes = destinations.classes;
  let list: BoundNode[];
  if (classes.length === 1) {
    const members = membersOf(classes[0]!);
    list = members.length <= limit + 1 ? members : members.slice(0, limit + 1);
  } else {
    list = [];
    for (const d of classes) {
      const members = membersOf(d);
      for (let i = 0; i < members.length && i <= limit; i++) list.push(members[i]!);
    }
    list.sort(byName);
  }
  destinations.candidates = list;
  return list;
}

/** A class's members in name order. */
export type SortedMembers = (c: NodeClass) => BoundNode[];

/** Remembers each class's sorted members by class id; share one between calls over the same classes. */
export function sortedMembers(): SortedMembers {
  const sorted = new Map<number, BoundNode[]>();
  return (c) => {
    let m = sorted.get(c.id);
    if (!m) {
      m = isSorted(c.members) ? c.members : [...c.members].sort(byName);
      sorted.set(c.id, m);
    }
    return m;
  };
}

function isSorted(members: readonly BoundNode[]): boolean {
  for (let i = 1; i < members.length; i++) if (byName(members[i - 1]!, members[i]!) > 0) return false;
  return true;
}

/**
 * Yields the members of several name-sorted lists in name order, equal names in list order
 * (a binary heap of list positions).
 */
class SourceMerge {
  /** The member the last next() returned. */
  node: BoundNode | undefined;
  private readonly heap: Int32Array;
  private readonly at: Int32Array;
  private size = 0;

  constructor(private readonly lists: readonly BoundNode[][]) {
    this.heap = new Int32Array(lists.length);
    this.at = new Int32Array(lists.length);
    for (let i = 0; i < lists.length; i++) if (lists[i]!.length > 0) this.heap[this.size++] = i;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** The list whose member comes next (now in `node`), or -1 when all are used up. */
  next(): number {
    if (this.size === 0) return -1;
    const top = this.heap[0]!;
    const members = this.lists[top]!;
    this.node = members[this.at[top]!];
    this.at[top] = this.at[top]! + 1;
    if (this.at[top]! >= members.length) {
      this.size -= 1;
      this.heap[0] = this.heap[this.size]!;
    }
    if (this.size > 0) this.down(0);
    return top;
  }

  private less(a: number, b: number): boolean {
    const c = byName(this.lists[a]![this.at[a]!]!, this.lists[b]![this.at[b]!]!);
    return c < 0 || (c === 0 && a < b);
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < this.size && this.less(heap[l]!, heap[smallest]!)) smallest = l;
      if (r < this.size && this.less(heap[r]!, heap[smallest]!)) smallest = r;
      if (smallest === i) return;
      const t = heap[i]!;
      heap[i] = heap[smallest]!;
      heap[smallest] = t;
      i = smallest;
    }
  }
}
