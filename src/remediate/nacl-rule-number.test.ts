import { describe, expect, it } from 'vitest';
import { at, citation, aclEntry, aclEvidence, networkAcl } from '../report/testing/fixtures.js';
import { chooseRuleNumber, usedRuleNumbers } from './nacl-rule-number.js';
import { denyingRuleNumber, IMPLICIT_DENY } from '../findings/denying-rule.js';

describe('chooseRuleNumber', () => {
  it.each<[string, number[], number, number | undefined]>([
    ['largest free multiple of 10 below the deny', [100], 100, 90],
    ['skips taken multiples of 10', [90, 100], 100, 80],
    ['deny at a non-multiple of 10', [], 95, 90],
    ['multiple of 10 just below', [], 11, 10],
    ['no multiple of 10 free: largest free number', [10, 20, 30], 35, 34],
    ['below 10 there is no multiple of 10', [], 5, 4],
    ['nothing free below the deny', [1, 2], 3, undefined],
    ['deny at 1 leaves nothing', [], 1, undefined],
    ['implicit deny: 100 when free', [], IMPLICIT_DENY, 100],
    ['implicit deny: next multiple of 10 when 100 is taken', [100, 110], IMPLICIT_DENY, 120],
  ])('%s', (_name, used, denying, expected) => {
    expect(chooseRuleNumber(new Set(used), denying)).toBe(expected);
  });
});

describe('denyingRuleNumber', () => {
  const deny = aclEntry(50, 'ingress', 'deny');
  const acl = networkAcl('acl-1', [deny, aclEntry(100, 'ingress', 'allow'), aclEntry(32767, 'ingress', 'deny')]);

  it('finds the cited entry by its source pointer', () => {
    const cite = citation('acl-1 rule', 'acl-1', 'deny all', deny.source);
    expect(denyingRuleNumber(acl, aclEvidence('blocked', 'ingress', 'acl-1', cite))).toBe(50);
  });

  it('falls back to the #N in the rule id', () => {
    const cite = citation('acl-1#70/ingress', 'acl-1', 'deny', at('/elsewhere'));
    expect(denyingRuleNumber(acl, aclEvidence('blocked', 'ingress', 'acl-1', cite))).toBe(70);
  });

  it('no citation means the implicit deny-all decided', () => {
    expect(denyingRuleNumber(acl, aclEvidence('blocked', 'ingress', 'acl-1'))).toBe(IMPLICIT_DENY);
  });

  it('rule numbers are counted per direction', () => {
    const mixed = networkAcl('acl-2', [aclEntry(100, 'ingress', 'allow'), aclEntry(90, 'egress', 'allow')]);
    expect([...usedRuleNumbers(mixed, 'ingress')]).toEqual([100]);
    expect([...usedRuleNumbers(mixed, 'egress')]).toEqual([90]);
  });
});
