import { IMPLICIT_DENY } from '../findings/denying-rule.js';
import type { Direction, NetworkAcl } from '../model/cloud.js';

const MAX_USER_RULE = 32766;

/** Rule numbers already taken in one direction of an ACL (ingress and egress number separately). */
export function usedRuleNumbers(acl: NetworkAcl | undefined, direction: Direction): Set<number> {
  return new Set((acl?.entries ?? []).filter((e) => e.direction === direction).map((e) => e.ruleNumber));
}

/**
 * A free rule number that is evaluated before the denying entry: the largest free
 * multiple of 10 below it, else the largest free number below it. When the implicit
 * deny-all decided, any user number works, so pick the conventional 100 (or the next
 * free multiple of 10). Undefined when nothing below the denying entry is free.
 */
export function chooseRuleNumber(used: ReadonlySet<number>, denyingNumber: number): number | undefined {
  if (denyingNumber >= IMPLICIT_DENY) {
    for (let n = 100; n <= MAX_USER_RULE; n += 10) if (!used.has(n)) return n;
    for (let n = 90; n >= 10; n -= 10) if (!used.has(n)) return n;
    for (let n = MAX_USER_RULE; n >= 1; n--) if (!used.has(n)) return n;
    return undefined;
  }
  const below = Math.min(denyingNumber - 1, MAX_USER_RULE);
  for (let n = below - (below % 10); n >= 10; n -= 10) if (!used.has(n)) return n;
  for (let n = below; n >= 1; n--) if (!used.has(n)) return n;
  return undefined;
}
