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
  if (limit <= 0 || classPairs.length === 0) return [];
  const destinationsBySourceClass = new Map<number, { seen: Set<number>; list: NodeClass[] }>();
  const sourceClasses = new Map<number, NodeClass>();
  for (const { source, destination } of classPairs) {
    sourceClasses.set(source.id, source);
    let entry = destinationsBySourceClass.get(source.id);
    if (!entry) {
      entry = { seen: new Set(), list: [] };
      destinationsBySourceClass.set(source.id, entry);
    }
    if (!entry.seen.has(destination.id)) {
      entry.seen.add(destination.id);
      entry.list.push(destination);
    }
  }
  // The destinations of every source in one class, by name; the source itself is skipped later,
  // hence one name more than the limit per destination class.
  const candidatesByClass = new Map<number, BoundNode[]>();
  const candidatesOf = (classId: number): BoundNode[] => {
    let candidates = candidatesByClass.get(classId);
    if (!candidates) {
      candidates = [];
      for (const d of destinationsBySourceClass.get(classId)?.list ?? []) {
        const members = membersOf(d);
        for (let i = 0; i < members.length && i <= limit; i++) candidates.push(members[i]!);
      }
      candidates.sort(byName);
      candidatesByClass.set(classId, candidates);
    }
    return candidates;
  };

  const pairs: [BoundNode, BoundNode][] = [];
  const sources = new SourceMerge([...sourceClasses.values()].map((c) => ({ classId: c.id, members: membersOf(c) })));
  for (let next = sources.next(); next !== undefined && pairs.length < limit; next = sources.next()) {
    const { node, classId } = next;
    let last: string | undefined;
    for (const dest of candidatesOf(classId)) {
      if (pairs.length >= limit) break;
      if (dest.node.name === node.node.name || dest.node.name === last) continue;
      last = dest.node.name;
      pairs.push([node, dest]);
    }
  }
  return pairs;
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

class Cursor {
  at = 0;
  constructor(
    readonly classId: number,
    /** Order of the class among the source classes: breaks ties between equal names. */
    readonly order: number,
    readonly members: BoundNode[],
  ) {}
}

/** Yields the members of several name-sorted lists in name order (a binary heap of cursors). */
class SourceMerge {
  private readonly heap: Cursor[] = [];

  constructor(lists: { classId: number; members: BoundNode[] }[]) {
    lists.forEach((l, order) => {
      if (l.members.length > 0) this.heap.push(new Cursor(l.classId, order, l.members));
    });
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  next(): { node: BoundNode; classId: number } | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const node = top.members[top.at]!;
    top.at += 1;
    if (top.at < top.members.length) this.down(0);
    else {
      const end = this.heap.pop()!;
      if (this.heap.length > 0) {
        this.heap[0] = end;
        this.down(0);
      }
    }
    return { node, classId: top.classId };
  }

  private less(a: Cursor, b: Cursor): boolean {
    const c = byName(a.members[a.at]!, b.members[b.at]!);
    return c < 0 || (c === 0 && a.order < b.order);
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && this.less(heap[l]!, heap[smallest]!)) smallest = l;
      if (r < heap.length && this.less(heap[r]!, heap[smallest]!)) smallest = r;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}
