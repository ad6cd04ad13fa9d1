import type { BoundNode, NodeClass } from '../evaluate/types.js';
import { compareText } from './order.js';
import { runDestinations, sourceRuns, type ClassPair, type SourceRuns } from './source-runs.js';

const byName = (a: BoundNode, b: BoundNode): number => compareText(a.node.name, b.node.name);

/**
 * The first `limit` directed node pairs covered by some class pair, sorted by source then
 * destination name. Sources come from a lazy merge of the source classes' sorted members, and
 * each source class merges the first `limit + 1` names of its destination classes once, so the
 * cost stays near classes x log(classes) + limit x log(classes), never N² and never all N sorted:
 * a report lists pairs for every finding, and the one-group-per-pool benchmark has hundreds.
 * The property test in first-pairs.test.ts holds this against sorting every covered pair.
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
  const runs = sourceRuns(classPairs);
  const merge = new SourceMerge(runs.sources.map((c) => membersOf(c)));
  const lists = new CandidateLists(classPairs, runs, limit, membersOf);
  for (let at = merge.next(); at >= 0 && pairs.length < limit; at = merge.next()) {
    const node = merge.node!;
    let last: string | undefined;
    for (const dest of lists.of(at)) {
      if (pairs.length >= limit) break;
      if (dest.node.name === node.node.name || dest.node.name === last) continue;
      last = dest.node.name;
      pairs.push(make(node, dest));
    }
  }
  return pairs;
}

/**
 * Per source run, its destinations' members by name (the first `limit + 1` of each class: the
 * source itself is skipped later, hence one more). Worked out only for runs the merge reaches;
 * runs with the same destination classes as the last one worked out share its list.
 */
class CandidateLists {
  private readonly byRun: (BoundNode[] | undefined)[] = [];
  private lastClasses: NodeClass[] | undefined;
  private lastList: BoundNode[] | undefined;

  constructor(
    private readonly pairs: readonly ClassPair[],
    private readonly runs: SourceRuns,
    private readonly limit: number,
    private readonly membersOf: SortedMembers,
  ) {}

  of(run: number): BoundNode[] {
    let list = this.byRun[run];
    if (list) return list;
    const classes = runDestinations(this.pairs, this.runs, run);
    list = this.lastClasses && sameClasses(classes, this.lastClasses) ? this.lastList! : candidates(classes, this.limit, this.membersOf);
    this.lastClasses = classes;
    this.lastList = list;
    this.byRun[run] = list;
    return list;
  }
}

function sameClasses(a: readonly NodeClass[], b: readonly NodeClass[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.id !== b[i]!.id) return false;
  return true;
}

function candidates(classes: readonly NodeClass[], limit: number, membersOf: SortedMembers): BoundNode[] {
  if (classes.length === 1) {
    const members = membersOf(classes[0]!);
    return members.length <= limit + 1 ? members : members.slice(0, limit + 1);
  }
  const list: BoundNode[] = [];
  for (const d of classes) {
    const members = membersOf(d);
    for (let i = 0; i < members.length && i <= limit; i++) list.push(members[i]!);
  }
  return list.sort(byName);
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
