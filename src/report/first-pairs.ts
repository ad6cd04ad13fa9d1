import type { BoundNode, NodeClass } from '../evaluate/types.js';
import { compareText } from './order.js';

export interface ClassPair {
  source: NodeClass;
  destination: NodeClass;
}

const byName = (a: BoundNode, b: BoundNode): number => compareText(a.node.name, b.node.name);

/**
 * The first `limit` directed node pairs covered by some class pair, sorted by source then
 * destination name. Walks sources in order and merges only as many destinations as still
 * fit, so the cost stays near N log N + limit x classes, never N².
 */
export function firstPairs(classPairs: readonly ClassPair[], limit: number): [BoundNode, BoundNode][] {
  if (limit <= 0 || classPairs.length === 0) return [];
  const sortedMembers = new Map<number, BoundNode[]>();
  const membersOf = (c: NodeClass): BoundNode[] => {
    let m = sortedMembers.get(c.id);
    if (!m) {
      m = [...c.members].sort(byName);
      sortedMembers.set(c.id, m);
    }
    return m;
  };
  const destinationsBySourceClass = new Map<number, NodeClass[]>();
  const sourceClasses = new Map<number, NodeClass>();
  for (const { source, destination } of classPairs) {
    sourceClasses.set(source.id, source);
    const list = destinationsBySourceClass.get(source.id) ?? [];
    if (!list.some((d) => d.id === destination.id)) list.push(destination);
    destinationsBySourceClass.set(source.id, list);
  }
  const sources: { node: BoundNode; classId: number }[] = [];
  for (const cls of sourceClasses.values()) for (const node of membersOf(cls)) sources.push({ node, classId: cls.id });
  sources.sort((a, b) => byName(a.node, b.node));

  const pairs: [BoundNode, BoundNode][] = [];
  for (const { node, classId } of sources) {
    const need = limit - pairs.length;
    if (need <= 0) break;
    const candidates: BoundNode[] = [];
    // need + 1 per class: the source itself may be among the first names of its own class.
    for (const d of destinationsBySourceClass.get(classId) ?? []) candidates.push(...membersOf(d).slice(0, need + 1));
    candidates.sort(byName);
    let last: string | undefined;
    for (const dest of candidates) {
      if (pairs.length >= limit) break;
      if (dest.node.name === node.node.name || dest.node.name === last) continue;
      last = dest.node.name;
      pairs.push([node, dest]);
    }
  }
  return pairs;
}
