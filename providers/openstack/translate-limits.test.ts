import { describe, expect, it } from 'vitest';
import type { RawDocument } from '../../src/model/documents.js';
import { InputError, type InputProblem } from '../../src/model/source.js';
import { GROUP_ID, neutronGroup, neutronRule } from './testdata/neutron-bodies.js';
import { translateOpenstackDocuments } from './translate.js';

function problemsOf(docs: RawDocument[]): InputProblem[] {
  try {
    translateOpenstackDocuments(docs);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('translateOpenstackDocuments: null lists and Neutron string limits', () => {
  it('refuses security_group_rules: null on a group (a list when present)', () => {
    const problems = problemsOf([{ name: 'sg.json', body: { security_groups: [neutronGroup([], { security_group_rules: null })] } }]);
    expect(problems).toEqual([{ document: 'sg.json', pointer: '/security_groups/0/security_group_rules', reason: '"security_group_rules" must be an array', value: null }]);
  });

  it('refuses a top-level security_group_rules: null', () => {
    const problems = problemsOf([{ name: 'rules.json', body: { security_group_rules: null } }]);
    expect(problems).toEqual([{ document: 'rules.json', pointer: '/security_group_rules', reason: '"security_group_rules" must be an array', value: null }]);
  });

  it('refuses an id longer than a UUID (36) and a description longer than 255, with length and limit', () => {
    const rule = neutronRule({ id: `${'a'.repeat(37)}`, description: 'd'.repeat(256) });
    const problems = problemsOf([{ name: 'sg.json', body: { security_groups: [neutronGroup([rule])] } }]);
    expect(problems).toEqual(
      expect.arrayContaining([
        { document: 'sg.json', pointer: '/security_groups/0/security_group_rules/0/id', reason: '"id" is 37 characters long; Neutron allows at most 36', value: `${'a'.repeat(37)}...` },
        { document: 'sg.json', pointer: '/security_groups/0/security_group_rules/0/description', reason: '"description" is 256 characters long; Neutron allows at most 255', value: `${'d'.repeat(64)}...` },
      ]),
    );
  });

  it('accepts a group name of exactly 255 characters', () => {
    const { cloud } = translateOpenstackDocuments([{ name: 'sg.json', body: { security_groups: [neutronGroup([neutronRule()], { name: 'n'.repeat(255) })] } }]);
    expect(cloud.securityGroups.find((g) => g.id === GROUP_ID)?.name).toHaveLength(255);
  });
});
