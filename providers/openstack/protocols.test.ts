import { describe, expect, it } from 'vitest';
import { parseNeutronProtocol } from './protocols.js';

describe('parseNeutronProtocol', () => {
  const accepted: [unknown, 4 | 6, number | 'any'][] = [
    [null, 4, 'any'],
    [undefined, 4, 'any'],
    ['any', 4, 'any'],
    ['ANY', 6, 'any'],
    ['0', 4, 'any'],
    [0, 4, 'any'],
    ['udp', 4, 17],
    ['UDP', 4, 17],
    ['17', 4, 17],
    [17, 4, 17],
    ['017', 4, 17],
    ['tcp', 6, 6],
    ['ipip', 4, 4],
    ['4', 4, 4],
    ['esp', 4, 50],
    ['50', 6, 50],
    ['ah', 4, 51],
    ['gre', 4, 47],
    ['sctp', 4, 132],
    ['dccp', 4, 33],
    ['udplite', 4, 136],
    ['vrrp', 4, 112],
    ['ospf', 4, 89],
    ['encap', 4, 98],
    ['icmp', 4, 1],
    [1, 4, 1],
    ['ipv6-icmp', 6, 58],
    ['icmpv6', 6, 58],
    // Neutron applies the legacy IPv4 ICMP forms on an IPv6 rule as ICMPv6.
    ['icmp', 6, 58],
    ['1', 6, 58],
    [255, 4, 255],
  ];
  it.each(accepted)('%j on IPv%s -> %s', (value, family, expected) => {
    const result = parseNeutronProtocol(value, family);
    expect(result).toEqual({
      ok: true,
      protocol: expected === 'any' ? { kind: 'any' } : { kind: 'number', number: expected },
    });
  });

  const rejected: [unknown, RegExp][] = [
    [300, /0-255/],
    ['300', /0-255/],
    [256, /0-255/],
    [-1, /0-255/],
    ['-1', /unknown protocol name/],
    [17.5, /0-255/],
    ['vxlan', /unknown protocol name/],
    ['', /unknown protocol name/],
    [true, /must be null, a protocol name or a number/],
    [{ name: 'udp' }, /must be null, a protocol name or a number/],
  ];
  it.each(rejected)('rejects %j', (value, reason) => {
    const result = parseNeutronProtocol(value, 4);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
