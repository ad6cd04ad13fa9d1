import { describe, expect, it } from 'vitest';
import type { NetworkInterface } from '../model/cloud.js';
import * as b from './testing/builders.js';
import { pairCell } from './testing/cells.js';

const N1 = '172.16.10.11';
const N2 = '172.16.10.12';

function pair(dst: NetworkInterface, src: NetworkInterface = dst.provider === 'aws' ? b.eni('eni-1', N1, { sourceDestCheck: false }) : b.port('p1', N1, { portSecurity: 'disabled' })) {
  return b.snapshot({
    nodes: [b.node('n1', N1, { pod: '10.244.1.0/24' }), b.node('n2', N2, { pod: '10.244.2.0/24' })],
    interfaces: [src, dst],
  });
}

describe('foreign-address forwarding', () => {
  const req = b.forwardingRequirement();
  it.each<[string, NetworkInterface, 'allowed' | 'blocked' | 'unknown', string]>([
    ['AWS check off', b.eni('eni-2', N2, { sourceDestCheck: false }), 'allowed', 'source-dest-check'],
    ['AWS check on', b.eni('eni-2', N2, { sourceDestCheck: true }), 'blocked', 'source-dest-check'],
    ['AWS check not exported', { ...b.eni('eni-2', N2), sourceDestCheck: undefined }, 'unknown', 'source-dest-check'],
    ['Neutron port security off', b.port('p2', N2, { portSecurity: 'disabled' }), 'allowed', 'port-security'],
    ['Neutron pair covers the pod CIDR', b.port('p2', N2, { allowedAddressPairs: ['10.244.0.0/16'] }), 'allowed', 'allowed-address-pairs'],
    ['Neutron pair is the exact pod CIDR', b.port('p2', N2, { allowedAddressPairs: ['10.244.2.0/24'] }), 'allowed', 'allowed-address-pairs'],
    ['Neutron pair covers another pod CIDR', b.port('p2', N2, { allowedAddressPairs: ['10.244.1.0/24'] }), 'blocked', 'allowed-address-pairs'],
    ['Neutron without pairs', b.port('p2', N2), 'blocked', 'allowed-address-pairs'],
  ])('%s -> %s', (_n, dst, expected, layer) => {
    const cell = pairCell(pair(dst), req);
    expect(cell.verdict).toBe(expected);
    expect(cell.layer).toBe(layer);
    if (expected !== 'allowed') expect(cell.direction).toBe('ingress');
    expect(cell.evidence.map((e) => e.objectIds[0])).toEqual([dst.provider === 'aws' ? 'eni-1' : 'p1', dst.id]);
  });

  it('reports the source side first', () => {
    const cell = pairCell(pair(b.eni('eni-2', N2, { sourceDestCheck: true }), b.eni('eni-1', N1, { sourceDestCheck: true })), req);
    expect(cell).toMatchObject({ verdict: 'blocked', direction: 'egress' });
  });
});

describe('l2 adjacency', () => {
  const req = b.l2Requirement();
  it.each<[string, string | undefined, 'allowed' | 'blocked' | 'unknown']>([
    ['same subnet', 'subnet-a', 'allowed'],
    ['different subnets', 'subnet-b', 'blocked'],
    ['unknown subnet', undefined, 'unknown'],
  ])('%s -> %s', (_n, dstSubnet, expected) => {
    const dst = b.eni('eni-2', N2);
    if (dstSubnet === undefined) delete dst.addresses[0]!.subnetId;
    else dst.addresses[0]!.subnetId = dstSubnet;
    const cell = pairCell(pair(dst, b.eni('eni-1', N1)), req);
    expect(cell).toMatchObject({ verdict: expected, layer: 'l2-adjacency' });
  });
});

describe('pair scope', () => {
  const groups = [b.sg('sg-nodes', [b.egressAll(), b.ingress('any', 'all', '0.0.0.0/0')])];
  const snap = (dstSubnet: string | undefined) => {
    const dst = b.eni('eni-2', N2);
    if (dstSubnet === undefined) delete dst.addresses[0]!.subnetId;
    else dst.addresses[0]!.subnetId = dstSubnet;
    return b.snapshot({ nodes: [b.node('n1', N1), b.node('n2', N2)], interfaces: [b.eni('eni-1', N1), dst], groups, acls: [b.nacl('acl', ['subnet-a', 'subnet-b'], b.allowAllEntries())] });
  };
  it.each<[string, 'same-subnet-pairs' | 'cross-subnet-pairs', string | undefined, 'allowed' | 'omitted' | 'unknown']>([
    ['same-subnet flow, same subnet', 'same-subnet-pairs', 'subnet-a', 'allowed'],
    ['same-subnet flow, other subnet', 'same-subnet-pairs', 'subnet-b', 'omitted'],
    ['cross-subnet flow, other subnet', 'cross-subnet-pairs', 'subnet-b', 'allowed'],
    ['cross-subnet flow, same subnet', 'cross-subnet-pairs', 'subnet-a', 'omitted'],
    ['unknown subnet', 'cross-subnet-pairs', undefined, 'unknown'],
  ])('%s -> %s', (_n, pairScope, dstSubnet, expected) => {
    const req = b.flowRequirement({ pairScope });
    if (expected === 'omitted') {
      expect(() => pairCell(snap(dstSubnet), req)).toThrow(/no cell/);
    } else {
      expect(pairCell(snap(dstSubnet), req).verdict).toBe(expected);
    }
  });
});
