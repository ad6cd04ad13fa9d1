import type { AppliedChange } from './apply-changes.js';
import type { PairChange } from './diff.js';

/**
 * The resource addresses a pair change is attributed to: those whose applied edits touch an
 * object the deciding evidence consulted (the group, ACL or interface). When none does (e.g.
 * a group detached from an interface), every applied resource is named, since the change as a
 * whole is what moved the verdict.
 */
export function blamedAddresses(pair: PairChange, changes: readonly AppliedChange[]): string[] {
  const applied = changes.filter((c) => c.outcome === 'applied');
  const direct = applied.filter((c) => pair.objectIds.includes(c.target.id));
  const chosen = direct.length > 0 ? direct : applied;
  return [...new Set(chosen.map((c) => c.address))];
}
