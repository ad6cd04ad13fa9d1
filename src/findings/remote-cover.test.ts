import { describe, expect, it } from 'vitest';
import { boundNode, FLANNEL, subnet } from '../report/testing/fixtures.js';
import { coverRemoteNodes } from './remote-cover.js';
import { podNetworksOf } from './pod-networks.js';

const NETWORKS = podNetworksOf({ cni: { name: 'flannel', flannel: FLANNEL } });

const SUBNETS = [subnet('subnet-a', '172.16.10.0/24'), subnet('subnet-b', '172.16.20.0/24'), subnet('vpc-wide', '172.16.0.0/16')];

describe('coverRemoteNodes', () => {
  it('uses the narrowest subnet holding each VTEP address', () => {
    const nodes = [boundNode('a1', '172.16.10.11', []), boundNode('a2', '172.16.10.12', []), boundNode('b1', '172.16.20.11', [])];
    const cover = coverRemoteNodes(nodes, 'node-vtep', 4, SUBNETS, NETWORKS);
    expect(cover.cidrs).toEqual(['172.16.10.0/24', '172.16.20.0/24']);
    expect(Object.fromEntries(cover.cidrOfNode)).toEqual({ a1: '172.16.10.0/24', a2: '172.16.10.0/24', b1: '172.16.20.0/24' });
    expect(cover.notes).toEqual([]);
  });

  it('falls back to a /32 with a note for an address in no known subnet', () => {
    const cover = coverRemoteNodes([boundNode('x', '192.168.7.9', [])], 'node-vtep', 4, SUBNETS, NETWORKS);
    expect(cover.cidrs).toEqual(['192.168.7.9/32']);
    expect(Object.fromEntries(cover.cidrNotes)).toEqual({ '192.168.7.9/32': ['192.168.7.9 (x) is in no known subnet; the rule uses 192.168.7.9/32.'] });
  });

  it('never proposes 0.0.0.0/0, even when a subnet claims it', () => {
    const cover = coverRemoteNodes([boundNode('x', '10.9.9.9', [])], 'node-vtep', 4, [subnet('everything', '0.0.0.0/0')], NETWORKS);
    expect(cover.cidrs).toEqual(['10.9.9.9/32']);
    expect(cover.cidrNotes.get('10.9.9.9/32')?.[0]).toContain('whole address space');
  });

  it('IPv6 fallback is a /128', () => {
    const n = boundNode('v6', '172.16.10.11', []);
    n.node.vtepIpv6 = '2600:1f18::5';
    const cover = coverRemoteNodes([n], 'node-vtep-v6', 6, SUBNETS, NETWORKS);
    expect(cover.cidrs).toEqual(['2600:1f18::5/128']);
  });

  it('aggregates pod CIDRs to the flannel Network when all lie inside it', () => {
    const nodes = [boundNode('a', '172.16.10.11', [], { podCidrs: ['10.244.1.0/24'] }), boundNode('b', '172.16.10.12', [], { podCidrs: ['10.244.2.0/24'] })];
    const cover = coverRemoteNodes(nodes, 'pod-cidr', 4, SUBNETS, NETWORKS);
    expect(cover.cidrs).toEqual(['10.244.0.0/16']);
    expect(Object.fromEntries(cover.cidrNotes)).toEqual({ '10.244.0.0/16': ["Pod CIDRs aggregated to flannel's Network 10.244.0.0/16."] });
    expect(Object.fromEntries(cover.cidrOfNode)).toEqual({ a: '10.244.0.0/16', b: '10.244.0.0/16' });
  });

  it('keeps individual pod CIDRs when one lies outside the Network', () => {
    const nodes = [boundNode('a', '172.16.10.11', [], { podCidrs: ['10.244.1.0/24'] }), boundNode('b', '172.16.10.12', [], { podCidrs: ['10.99.2.0/24'] })];
    const cover = coverRemoteNodes(nodes, 'pod-cidr', 4, SUBNETS, NETWORKS);
    expect(cover.cidrs).toEqual(['10.99.2.0/24', '10.244.1.0/24']);
  });

  it('drops a CIDR that another chosen one contains', () => {
    const nodes = [boundNode('a', '172.16.10.11', [], { podCidrs: ['10.99.0.0/16'] }), boundNode('b', '172.16.10.12', [], { podCidrs: ['10.99.2.0/24'] })];
    const cover = coverRemoteNodes(nodes, 'pod-cidr', 4, SUBNETS, NETWORKS);
    expect(cover.cidrs).toEqual(['10.99.0.0/16']);
    expect(Object.fromEntries(cover.cidrOfNode)).toEqual({ a: '10.99.0.0/16', b: '10.99.0.0/16' });
  });

  it('notes a node without an address instead of dropping it silently', () => {
    const n = boundNode('nov', '172.16.10.11', []);
    delete n.node.vtepIpv6;
    const cover = coverRemoteNodes([n], 'node-vtep-v6', 6, SUBNETS, NETWORKS);
    expect(cover.cidrs).toEqual([]);
    expect(cover.notes).toEqual(['nov has no IPv6 VTEP address; no rule covers it.']);
  });
});
