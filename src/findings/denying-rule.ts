import type { Evidence } from '../model/evidence.js';
import type { NetworkAcl } from '../model/cloud.js';

/** AWS lists the non-deletable `*` deny-all entry as rule 32767 (32768 for IPv6). */
export const IMPLICIT_DENY = 32767;

/**
 * The number of the entry that denied, found by its source pointer (or the `#N` in the
 * cited rule id). No citation means the implicit deny-all decided.
 */
export function denyingRuleNumber(acl: NetworkAcl | undefined, evidence: Evidence): number {
  const rule = evidence.decidingRule;
  if (!rule) return IMPLICIT_DENY;
  const entry = acl?.entries.find(
    (e) => e.source.document === rule.source.document && e.source.pointer === rule.source.pointer,
  );
  if (entry) return Math.min(entry.ruleNumber, IMPLICIT_DENY);
  const match = /#(\d+)/.exec(rule.ruleId);
  return match ? Math.min(Number(match[1]), IMPLICIT_DENY) : IMPLICIT_DENY;
}
