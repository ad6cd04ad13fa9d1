import { describe, expect, it } from 'vitest';
import { bindNodes } from './bind-nodes.js';
import * as b from './testing/builders.js';
import { pairCell } from './testing/cells.js';

const aws = (instanceId: string) => ({ provider: 'aws' as const, instanceId, raw: `aws:///us-east-1a/${instanceId}` });

describe('bindNodes', () => {
  it('binds a node to the interface owning its VTEP address, whichever NIC is primary', () => {
    const s = b.snapshot({
      nodes: [b.node('n1', '172.16.20.5')],
      interfaces: [b.eni('eni-primary', '172.16.10.5', { instanceId: 'i-1' }), b.eni('eni-overlay', '172.16.20.5', { instanceId: 'i-1', subnet: 'subnet-overlay' })],
    });
    const [bound] = bindNodes(s);
    expect(bound!.binding).toMatchObject({ kind: 'bound', ip: '172.16.20.5', subnetId: 'subnet-overlay' });
    expect(bound!.binding.kind === 'bound' && bound!.binding.iface.id).toBe('eni-overlay');
  });

  it.each([
    ['no interface has the address', [b.eni('eni-1', '172.16.10.6')], [], 'no-match', 'no network interface in the inputs has address 172.16.10.5'],
    ['two interfaces claim it', [b.eni('eni-b', '172.16.10.5'), b.eni('eni-a', '172.16.10.5')], [], 'ambiguous', 'ambiguous: address 172.16.10.5 (VTEP of node n1) is owned by eni-a and eni-b'],
    ['the interface look-up failed for it', [], [{ kind: 'network-interface' as const, ip: '172.16.10.5', reason: 'AccessDenied' }], 'collection', 'collection failed: AccessDenied'],
    ['the whole interface collection failed', [], [{ kind: 'network-interface' as const, reason: 'timeout' }], 'collection', 'collection failed: timeout'],
    ['the look-up by instance failed', [], [{ kind: 'network-interface' as const, instanceId: 'i-1', reason: 'throttled' }], 'collection', 'throttled'],
  ])('unbound when %s', (_n, interfaces, unavailable, cause, reason) => {
    const s = b.snapshot({ nodes: [b.node('n1', '172.16.10.5', { providerId: aws('i-1') })], interfaces, unavailable });
    const binding = bindNodes(s)[0]!.binding;
    expect(binding).toMatchObject({ kind: 'unbound', cause });
    expect(binding.kind === 'unbound' && binding.reason).toContain(reason);
  });

  it('an unrelated interface failure does not taint a node that has no match', () => {
    const s = b.snapshot({ nodes: [b.node('n1', '172.16.10.5')], unavailable: [{ kind: 'network-interface', ip: '172.16.10.9', reason: 'x' }] });
    expect(bindNodes(s)[0]!.binding).toMatchObject({ kind: 'unbound', cause: 'no-match' });
  });

  it.each([
    ['aws instance differs', { providerId: aws('i-1') }, 'i-2', 'unbound'],
    ['aws instance matches', { providerId: aws('i-1') }, 'i-1', 'bound'],
    ['openstack server differs', { providerId: { provider: 'openstack' as const, serverId: 'srv-1', raw: 'openstack:///srv-1' } }, 'srv-2', 'unbound'],
    ['no providerID', {}, 'i-2', 'bound'],
  ])('providerID cross-check: %s', (_n, opts, instanceId, kind) => {
    const s = b.snapshot({ nodes: [b.node('n1', '172.16.10.5', opts)], interfaces: [b.eni('eni-1', '172.16.10.5', { instanceId })] });
    const binding = bindNodes(s)[0]!.binding;
    expect(binding.kind).toBe(kind);
    if (kind === 'unbound') expect(binding.kind === 'unbound' && binding.reason).toContain(instanceId);
  });

  it('a node without a VTEP address is unbound', () => {
    const s = b.snapshot({ nodes: [b.node('n1', undefined)], interfaces: [b.eni('eni-1', '172.16.10.5')] });
    expect(bindNodes(s)[0]!.binding).toMatchObject({ kind: 'unbound', cause: 'no-vtep' });
  });

  it('an IPv6-only node binds by its IPv6 VTEP', () => {
    const s = b.snapshot({ nodes: [b.node('n1', undefined, { vtepIpv6: '2001:db8::5' })], interfaces: [b.eni('eni-1', '2001:0db8::5')] });
    expect(bindNodes(s)[0]!.binding).toMatchObject({ kind: 'bound', ip: '2001:db8::5' });
  });
});

describe('unbound nodes in cells', () => {
  const base = () => b.snapshot({
    nodes: [b.node('n1', '172.16.10.11'), b.node('n2', '172.16.10.12')],
    interfaces: [b.eni('eni-1', '172.16.10.11')],
    groups: [b.sg('sg-nodes', [b.egressAll(), b.ingress('any', 'all', '0.0.0.0/0')])],
  });

  it.each([b.flowRequirement(), b.l2Requirement(), b.forwardingRequirement()])('make every requirement unknown at node-mapping ($id)', (req) => {
    const cell = pairCell(base(), req);
    expect(cell).toMatchObject({ verdict: 'unknown', layer: 'node-mapping' });
    expect(cell.evidence).toEqual([expect.objectContaining({ check: 'node-mapping', decision: 'unknown', reason: expect.stringContaining('172.16.10.12') })]);
  });

  it('cite layer collection when the interface look-up failed', () => {
    const s = base();
    s.cloud.unavailable.push({ kind: 'network-interface', ip: '172.16.10.12', reason: 'AccessDenied' });
    expect(pairCell(s, b.flowRequirement())).toMatchObject({ verdict: 'unknown', layer: 'collection' });
  });
});
