import { describe, expect, it } from 'vitest';
import { chooseGroups } from './choose-groups.js';

const iface = (id: string, ...securityGroupIds: string[]) => ({ id, securityGroupIds });

describe('chooseGroups', () => {
  it('prefers the group shared by the most blocked interfaces', () => {
    const chosen = chooseGroups([iface('eni-1', 'sg-a', 'sg-common'), iface('eni-2', 'sg-b', 'sg-common'), iface('eni-3', 'sg-c')]);
    expect(Object.fromEntries(chosen)).toEqual({ 'eni-1': 'sg-common', 'eni-2': 'sg-common', 'eni-3': 'sg-c' });
  });

  it('breaks a tie with the first group listed on the interface', () => {
    expect(Object.fromEntries(chooseGroups([iface('eni-1', 'sg-q', 'sg-p')]))).toEqual({ 'eni-1': 'sg-q' });
  });

  it('after a pick, counts only the interfaces still uncovered', () => {
    // sg-x and sg-y tie at three; eni-1 (first by id) lists only sg-x, so sg-x wins.
    // Of the two left, sg-y is on both and beats sg-z, even though eni-5 lists sg-z first.
    const chosen = chooseGroups([
      iface('eni-1', 'sg-x'), iface('eni-2', 'sg-x'), iface('eni-3', 'sg-x', 'sg-y'),
      iface('eni-4', 'sg-y'), iface('eni-5', 'sg-z', 'sg-y'),
    ]);
    expect(Object.fromEntries(chosen)).toEqual({ 'eni-1': 'sg-x', 'eni-2': 'sg-x', 'eni-3': 'sg-x', 'eni-4': 'sg-y', 'eni-5': 'sg-y' });
  });

  it('leaves interfaces without groups out', () => {
    expect(chooseGroups([iface('eni-1')]).size).toBe(0);
  });
});
