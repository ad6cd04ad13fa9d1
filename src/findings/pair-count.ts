import type { NodeClass } from '../evaluate/types.js';

/** Directed pairs between two classes; a node is never paired with itself. */
export function classPairCount(source: NodeClass, destination: NodeClass): number {
  const s = source.members.length;
  return source.id === destination.id ? s * (s - 1) : s * destination.members.length;
}
