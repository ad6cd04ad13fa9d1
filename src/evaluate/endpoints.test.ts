import { describe, expect, it } from 'vitest';
import type { FlowEndpoint } from '../model/requirement.js';
import type { IpFamily } from '../model/cloud.js';
import * as b from './testing/builders.js';
import { pairCell } from './testing/cells.js';

const N1 = '172.16.10.11';
const N2 = '172.16.10.12';
const V6 = '2001:db8::11';

/**
 * A missing endpoint is stored as a cause only; its text is written when a cell needs it.
 * Each cause must still read exactly as the node and interface give it.
 */
describe('missing endpoint reasons', () => {
  it.each<[string, b.NodeOptions & { vtep?: string }, string[], FlowEndpoint, IpFamily, string]>([
    ['no IPv4 VTEP (bound by IPv6)', { vtep: undefined, vtepIpv6: V6 }, [V6], 'node-vtep', 4, 'node n1 has no IPv4 VTEP address (flannel public-ip)'],
    ['IPv4 VTEP for an IPv6 flow', {}, [N1], 'node-vtep', 6, `the VTEP ${N1} of node n1 is IPv4, but the flow is IPv6`],
    ['no IPv6 VTEP', {}, [N1], 'node-vtep-v6', 6, 'node n1 has no IPv6 VTEP address (flannel public-ipv6)'],
    ['IPv6 VTEP that is not an address', { vtepIpv6: 'fe80::zz' }, [N1], 'node-vtep-v6', 6, 'the IPv6 VTEP "fe80::zz" of node n1 is not an IP address'],
    ['IPv6 VTEP for an IPv4 flow', { vtepIpv6: V6 }, [N1, V6], 'node-vtep-v6', 4, `the IPv6 VTEP ${V6} of node n1 is IPv6, but the flow is IPv4`],
    ['IPv6 VTEP not on the interface', { vtepIpv6: V6 }, [N1], 'node-vtep-v6', 6, `the IPv6 VTEP ${V6} of node n1 is not an address of eni-1, which owns its VTEP`],
    ['no IPv4 pod CIDR', {}, [N1], 'pod-cidr', 4, 'node n1 has no IPv4 pod CIDR'],
    ['no IPv6 pod CIDR', { pod: '10.244.1.0/24' }, [N1], 'pod-cidr', 6, 'node n1 has no IPv6 pod CIDR'],
  ])('%s', (_name, opts, addresses, endpoint, family, reason) => {
    const { vtep, ...rest } = opts;
    const s = b.snapshot({
      nodes: [b.node('n1', 'vtep' in opts ? vtep : N1, rest), b.node('n2', N2, { vtepIpv6: '2001:db8::12', pod: '10.244.2.0/24' })],
      interfaces: [b.eni('eni-1', addresses[0]!, { extra: addresses.slice(1) }), b.eni('eni-2', N2, { extra: ['2001:db8::12'] })],
      groups: [b.sg('sg-nodes', [b.egress('any', 'all', '0.0.0.0/0'), b.ingress('any', 'all', '0.0.0.0/0')])],
    });
    const requirement = b.flowRequirement({ id: 'r', family, source: endpoint, destination: endpoint, protocol: { name: 'any' } });
    const cell = pairCell(s, requirement);
    expect(cell).toMatchObject({ verdict: 'unknown', layer: 'node-mapping' });
    expect(cell.evidence[0]!.reason).toBe(reason);
  });
});
