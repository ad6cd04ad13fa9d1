import { describe, expect, it } from 'vitest';
import { portsCover, portsOverlap, protocolMatches, subtractInterval } from './match-protocol-port.js';
import { ports, protocol } from './testing/builders.js';
import { requiredTrafficText, ruleTrafficText } from './rule-text.js';

describe('protocol and port matching', () => {
  it.each([
    ['any', 17, true],
    [17, 17, true],
    ['udp', 17, true],
    ['tcp', 17, false],
    ['any', undefined, true],
    ['udp', undefined, false],
  ] as const)('rule %s carries required %s: %s', (rule, needed, expected) => {
    expect(protocolMatches(protocol(rule), needed)).toBe(expected);
  });

  it.each([
    [8472, 8472, 8472, true, true],
    [8471, 8472, 8472, false, false],
    [8473, 8472, 8472, false, false],
    [[8471, 8473], 8472, 8472, true, true],
    [[8400, 8450], 8400, 8500, false, true],
    ['all', 0, 65535, true, true],
    [[0, 65535], 0, 65535, true, true],
  ] as const)('rule ports %j vs %i-%i: cover %s, overlap %s', (rule, from, to, cover, overlap) => {
    const p = ports(rule as never);
    expect(portsCover(p, { from, to })).toBe(cover);
    expect(portsOverlap(p, { from, to })).toBe(overlap);
  });

  it.each([
    [[{ from: 8400, to: 8500 }], { from: 8450, to: 8460 }, [{ from: 8400, to: 8449 }, { from: 8461, to: 8500 }]],
    [[{ from: 8400, to: 8500 }], { from: 8000, to: 9000 }, []],
    [[{ from: 8400, to: 8500 }], { from: 8400, to: 8400 }, [{ from: 8401, to: 8500 }]],
    [[{ from: 8400, to: 8500 }], { from: 9000, to: 9001 }, [{ from: 8400, to: 8500 }]],
  ])('subtract %j - %j', (list, cut, expected) => {
    expect(subtractInterval(list, cut)).toEqual(expected);
  });
});

describe('rule text', () => {
  it.each([
    ['udp', 8472, 'udp 8472'],
    ['udp', [8000, 9000], 'udp 8000-9000'],
    ['udp', 'all', 'udp all ports'],
    ['esp', 'all', 'esp'],
    ['any', 'all', 'all traffic'],
    [99, 'all', 'protocol 99'],
  ] as const)('%s %j -> %s', (proto, p, text) => {
    expect(ruleTrafficText(protocol(proto), ports(p as never))).toBe(text);
  });

  it.each([
    [17, { from: 8472, to: 8472 }, 'udp 8472'],
    [50, { from: 0, to: 65535 }, 'esp'],
    [undefined, { from: 0, to: 65535 }, 'all traffic'],
  ])('required %s %j -> %s', (p, range, text) => {
    expect(requiredTrafficText({ protocol: p, ports: range })).toBe(text);
  });
});
