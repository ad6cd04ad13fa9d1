import { describe, expect, it } from 'vitest';
import { decodeDatagram, encodeDatagram, IPV4_UDP_OVERHEAD, minimumProbeSize, newNonce, PROBE_MAGIC } from './protocol.js';

describe('probe datagrams', () => {
  it('nonces are 128 random bits, never repeated', () => {
    const nonces = new Set(Array.from({ length: 10_000 }, newNonce));
    expect(nonces.size).toBe(10_000);
    for (const n of [...nonces].slice(0, 10)) expect(n).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each(['overlay', 'underlay', 'mtu'] as const)('round-trips a %s probe', (kind) => {
    const d = { kind, nonce: newNonce(), senderNode: 'ip-172-16-10-85.ec2.internal', size: 1450 };
    const buf = encodeDatagram(d);
    expect(buf.length + IPV4_UDP_OVERHEAD).toBe(1450);
    expect(decodeDatagram(buf)).toEqual(d);
  });

  it('pads small sizes up to the header, never truncating it', () => {
    const buf = encodeDatagram({ kind: 'overlay', nonce: newNonce(), senderNode: 'n1', size: 1 });
    expect(buf.length + IPV4_UDP_OVERHEAD).toBe(minimumProbeSize('n1'));
    expect(decodeDatagram(buf)?.senderNode).toBe('n1');
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['wrong magic', Buffer.concat([Buffer.from('XXXX'), Buffer.alloc(40)])],
    ['wrong version', Buffer.concat([PROBE_MAGIC, Buffer.from([2, 1]), Buffer.alloc(40)])],
    ['unknown kind', Buffer.concat([PROBE_MAGIC, Buffer.from([1, 9]), Buffer.alloc(40)])],
    ['name longer than the datagram', Buffer.concat([PROBE_MAGIC, Buffer.from([1, 1]), Buffer.alloc(16), Buffer.from([200]), Buffer.alloc(4)])],
  ])('ignores %s', (_label, buf) => {
    expect(decodeDatagram(buf)).toBeUndefined();
  });

  it('refuses malformed nonces and names when encoding', () => {
    expect(() => encodeDatagram({ kind: 'overlay', nonce: 'abc', senderNode: 'n', size: 100 })).toThrow(/16 bytes/);
    expect(() => encodeDatagram({ kind: 'overlay', nonce: newNonce(), senderNode: 'x'.repeat(254), size: 100 })).toThrow(/253/);
  });
});
