import { describe, expect, it } from 'vitest';
import * as b from './testing/builders.js';
import { pairCell } from './testing/cells.js';
import type { Peer } from '../model/cloud.js';

const N1 = '172.16.10.11';
const N2 = '172.16.10.12';

/** Two AWS nodes in one subnet; n2's ENI carries sg-dst with the given ingress rules; egress is open everywhere. */
function twoNodes(ingressRules: b.RuleDraft[], extra: Partial<b.SnapshotParts> = {}) {
  return b.snapshot({
    nodes: [b.node('n1', N1, { pod: '10.244.1.0/24' }), b.node('n2', N2, { pod: '10.244.2.0/24' })],
    interfaces: [b.eni('eni-1', N1, { groups: ['sg-src'] }), b.eni('eni-2', N2, { groups: ['sg-dst'] })],
    groups: [b.sg('sg-src', [b.egressAll()]), b.sg('sg-dst', [b.egressAll(), ...ingressRules])],
    ...extra,
  });
}

const vxlan = b.flowRequirement();

describe('security groups: destination ingress for udp 8472 from n1', () => {
  it.each<[string, b.RuleDraft[], 'allowed' | 'blocked']>([
    ['udp 8472 from the subnet', [b.ingress('udp', 8472, '172.16.10.0/24')], 'allowed'],
    ['protocol number 17', [b.ingress(17, 8472, '172.16.10.0/24')], 'allowed'],
    ['protocol any (-1), all ports', [b.ingress('any', 'all', '172.16.10.0/24')], 'allowed'],
    ['tcp 8472 only', [b.ingress('tcp', 8472, '172.16.10.0/24')], 'blocked'],
    ['port 8471', [b.ingress('udp', 8471, '172.16.10.0/24')], 'blocked'],
    ['port 8473', [b.ingress('udp', 8473, '172.16.10.0/24')], 'blocked'],
    ['range 8471-8473', [b.ingress('udp', [8471, 8473], '172.16.10.0/24')], 'allowed'],
    ['range ending at 8472', [b.ingress('udp', [8000, 8472], '172.16.10.0/24')], 'allowed'],
    ['range starting at 8473', [b.ingress('udp', [8473, 9000], '172.16.10.0/24')], 'blocked'],
    ['udp all ports', [b.ingress('udp', 'all', '172.16.10.0/24')], 'allowed'],
    ['/32 of the source', [b.ingress('udp', 8472, `${N1}/32`)], 'allowed'],
    ['/32 of the destination itself', [b.ingress('udp', 8472, `${N2}/32`)], 'blocked'],
    ['0.0.0.0/0', [b.ingress('udp', 8472, '0.0.0.0/0')], 'allowed'],
    ['::/0 (other family)', [b.ingress('udp', 8472, '::/0')], 'blocked'],
    ['any IPv4 address (Neutron no remote)', [b.ingress('udp', 8472, b.anyAddress(4))], 'allowed'],
    ['any IPv6 address', [b.ingress('udp', 8472, b.anyAddress(6))], 'blocked'],
    ['IPv6-only ethertype referencing the source group', [b.ingress('udp', 8472, b.sgRef('sg-src'), { family: 6 })], 'blocked'],
    ['reference to the source group', [b.ingress('udp', 8472, b.sgRef('sg-src'))], 'allowed'],
    ['reference to a group with no members', [b.ingress('udp', 8472, b.sgRef('sg-empty'))], 'blocked'],
    ['no ingress rules', [], 'blocked'],
  ])('%s -> %s', (_name, rules, expected) => {
    const cell = pairCell(twoNodes(rules), vxlan);
    expect(cell.verdict).toBe(expected);
    expect(cell.layer).toBe('security-group');
    if (expected === 'blocked') expect(cell.direction).toBe('ingress');
  });

  it('cites the allowing rule with a one-line text and its source', () => {
    const cell = pairCell(twoNodes([b.ingress('udp', 8472, '172.16.10.0/24', { id: 'sgr-123' })]), vxlan);
    const ingress = cell.evidence.find((e) => e.check === 'destination-ingress')!;
    expect(ingress.decidingRule).toEqual({
      ruleId: 'sgr-123',
      containerId: 'sg-dst',
      text: 'ingress udp 8472 from 172.16.10.0/24 (sg-dst / sgr-123)',
      source: b.ref('/rules/ingress'),
    });
    expect(ingress.objectIds).toEqual(['sg-dst']);
  });

  it('allows a port range that two rules cover only together', () => {
    const req = b.flowRequirement({ fromPort: 8400, toPort: 8500 });
    const covered = twoNodes([b.ingress('udp', [8400, 8450], '172.16.10.0/24'), b.ingress('udp', [8451, 8500], '172.16.10.0/24')]);
    expect(pairCell(covered, req).verdict).toBe('allowed');
    const gap = twoNodes([b.ingress('udp', [8400, 8450], '172.16.10.0/24'), b.ingress('udp', [8452, 8500], '172.16.10.0/24')]);
    expect(pairCell(gap, req).verdict).toBe('blocked');
  });

  it('checks egress at the source too, and reports it first', () => {
    const s = twoNodes([b.ingress('udp', 8472, '172.16.10.0/24')]);
    s.cloud.securityGroups[0]!.rules = [];
    const cell = pairCell(s, vxlan);
    expect(cell).toMatchObject({ verdict: 'blocked', layer: 'security-group', direction: 'egress' });
    expect(cell.evidence.map((e) => [e.check, e.decision])).toEqual([
      ['source-egress', 'blocked'],
      ['destination-ingress', 'allowed'],
    ]);
  });

  it('takes the union of all groups on the interface', () => {
    const s = twoNodes([]);
    s.cloud.interfaces[1]!.securityGroupIds = ['sg-dst', 'sg-extra'];
    s.cloud.securityGroups.push(b.sg('sg-extra', [b.ingress('udp', 8472, `${N1}/32`)]));
    expect(pairCell(s, vxlan).verdict).toBe('allowed');
  });
});

describe('security groups: requirement protocol any', () => {
  const anyFlow = b.flowRequirement({ id: 'any', protocol: { name: 'any' } });
  it.each<[string, b.RuleDraft[], 'allowed' | 'blocked']>([
    ['udp rule does not carry every protocol', [b.ingress('udp', 'all', '172.16.10.0/24')], 'blocked'],
    ['any rule does', [b.ingress('any', 'all', '172.16.10.0/24')], 'allowed'],
  ])('%s', (_n, rules, expected) => {
    expect(pairCell(twoNodes(rules), anyFlow).verdict).toBe(expected);
  });
});

describe('security groups: prefix lists and address groups', () => {
  it.each<[string, Peer, Partial<b.SnapshotParts>, 'allowed' | 'blocked' | 'unknown']>([
    ['prefix list containing the source', b.prefixListRef('pl-1'), { prefixLists: [b.prefixList('pl-1', ['10.0.0.0/8', '172.16.0.0/16'])] }, 'allowed'],
    ['prefix list not containing it', b.prefixListRef('pl-1'), { prefixLists: [b.prefixList('pl-1', ['10.0.0.0/8'])] }, 'blocked'],
    ['missing prefix list', b.prefixListRef('pl-gone'), { prefixLists: [] }, 'unknown'],
    ['address group containing the source', b.addressGroupRef('ag-1'), { addressGroups: [b.addressGroup('ag-1', [`${N1}/32`])] }, 'allowed'],
    ['missing address group', b.addressGroupRef('ag-1'), {}, 'unknown'],
  ])('%s -> %s', (_n, p, extra, expected) => {
    const cell = pairCell(twoNodes([b.ingress('udp', 8472, p)], extra), vxlan);
    expect(cell.verdict).toBe(expected);
    if (expected === 'unknown') expect(cell.evidence[1]!.reason).toMatch(/pl-gone|ag-1/);
  });

  it('cites the Unavailable reason of a prefix list that could not be read', () => {
    const s = twoNodes([b.ingress('udp', 8472, b.prefixListRef('pl-1'))], {
      unavailable: [{ kind: 'prefix-list', id: 'pl-1', reason: 'UnauthorizedOperation: GetManagedPrefixListEntries' }],
    });
    const cell = pairCell(s, vxlan);
    expect(cell.verdict).toBe('unknown');
    expect(cell.evidence[1]!.reason).toContain('UnauthorizedOperation');
  });
});

describe('security groups: missing or unreadable groups', () => {
  it('a group missing from the export makes a miss unknown, naming it', () => {
    const s = twoNodes([]);
    s.cloud.interfaces[1]!.securityGroupIds = ['sg-dst', 'sg-gone'];
    const cell = pairCell(s, vxlan);
    expect(cell).toMatchObject({ verdict: 'unknown', layer: 'security-group', direction: 'ingress' });
    expect(cell.evidence[1]!.reason).toContain('sg-gone is attached but missing from the inputs');
  });

  it('a known allowing rule still decides allowed', () => {
    const s = twoNodes([b.ingress('udp', 8472, '172.16.10.0/24')]);
    s.cloud.interfaces[1]!.securityGroupIds = ['sg-dst', 'sg-gone'];
    expect(pairCell(s, vxlan).verdict).toBe('allowed');
  });

  it('an Unavailable entry turns the miss unknown with its cause', () => {
    const s = twoNodes([], { unavailable: [{ kind: 'security-group', id: 'sg-dst', reason: 'AccessDenied: DescribeSecurityGroups' }] });
    const cell = pairCell(s, vxlan);
    expect(cell.verdict).toBe('unknown');
    expect(cell.evidence[1]!.reason).toContain('AccessDenied: DescribeSecurityGroups');
  });

  it('a kind-wide failure covers groups that are missing', () => {
    const s = twoNodes([], { unavailable: [{ kind: 'security-group', reason: 'throttled' }] });
    s.cloud.securityGroups = [];
    const cell = pairCell(s, vxlan);
    expect(cell.verdict).toBe('unknown');
    expect(cell.evidence[0]!.reason).toContain('sg-src could not be read: throttled');
  });
});

describe('security groups: AWS cross-VPC references', () => {
  it.each<[string | undefined, 'allowed' | 'blocked' | 'unknown']>([
    ['active', 'allowed'],
    ['pending-acceptance', 'blocked'],
    [undefined, 'unknown'],
  ])('peering %s -> %s', (status, expected) => {
    const s = twoNodes([b.ingress('udp', 8472, b.sgRef('sg-src', { vpcId: 'vpc-2', ...(status ? { peeringStatus: status } : {}) }))]);
    s.cloud.securityGroups[0]!.vpcId = 'vpc-2';
    expect(pairCell(s, vxlan).verdict).toBe(expected);
  });
});

describe('security groups: nearest rules', () => {
  const nearestOf = (rules: b.RuleDraft[]) => pairCell(twoNodes(rules), vxlan).evidence[1]!.nearest?.map((n) => n.mismatch);

  it.each<[string, b.RuleDraft[], string[] | undefined]>([
    ['wrong protocol', [b.ingress('tcp', 8472, '172.16.10.0/24')], ['tcp 8472 is allowed from 172.16.10.0/24, udp is not']],
    ['wrong port', [b.ingress('udp', 8285, '172.16.10.0/24')], ['udp 8285 is allowed, not 8472']],
    ['wrong block', [b.ingress('udp', 8472, '10.0.0.0/24')], ['udp 8472 is allowed from 10.0.0.0/24, which does not contain 172.16.10.11']],
    ['two dimensions off is not near', [b.ingress('tcp', 22, '172.16.10.0/24')], undefined],
    ['egress rules are not near an ingress miss', [b.egress('udp', 8472, '172.16.10.0/24')], undefined],
  ])('%s', (_n, rules, expected) => {
    expect(nearestOf(rules)).toEqual(expected);
  });

  it('lists at most three, in rule order', () => {
    const rules = [8281, 8282, 8283, 8284].map((p) => b.ingress('udp', p, '172.16.10.0/24'));
    expect(nearestOf(rules)).toEqual(['udp 8281 is allowed, not 8472', 'udp 8282 is allowed, not 8472', 'udp 8283 is allowed, not 8472']);
  });
});

describe('security groups: OpenStack', () => {
  function openstack(rules: b.RuleDraft[], opts: { stateful?: boolean } = {}) {
    return b.snapshot({
      nodes: [b.node('n1', N1, { pod: '10.244.1.0/24' }), b.node('n2', N2, { pod: '10.244.2.0/24' })],
      interfaces: [
        b.port('port-1', N1, { groups: ['sg-a'] }),
        b.port('port-2', N2, { groups: ['sg-b'] }),
        // A port of sg-members whose allowed-address-pairs name n1's address and pod CIDR.
        b.port('port-vip', '172.16.10.99', { groups: ['sg-members'], allowedAddressPairs: [N1, '10.244.1.0/24'] }),
      ],
      groups: [
        b.neutronSg('sg-a', [b.egress('any', 'all', b.anyAddress(4))], { stateful: opts.stateful ?? true }),
        b.neutronSg('sg-b', rules, { stateful: opts.stateful ?? true }),
      ],
    });
  }

  it('allowed-address-pair addresses of member ports are group members', () => {
    expect(pairCell(openstack([b.ingress('udp', 8472, b.sgRef('sg-members'))]), vxlan).verdict).toBe('allowed');
  });

  it('a pod CIDR covered by a member port pair matches a group reference', () => {
    const pods = b.podTrafficRequirement();
    expect(pairCell(openstack([b.ingress('any', 'all', b.sgRef('sg-members'))]), pods).verdict).toBe('allowed');
  });

  it('a stateless group is checked the same way and says so', () => {
    const cell = pairCell(openstack([b.ingress('udp', 8472, '172.16.10.0/24')], { stateful: false }), vxlan);
    expect(cell.verdict).toBe('allowed');
    expect(cell.evidence[1]!.notes?.[0]).toMatch(/sg-b is stateless/);
  });

  it('port security off allows without any group', () => {
    const s = openstack([]);
    s.cloud.interfaces[1] = { ...s.cloud.interfaces[1]!, portSecurity: 'disabled', securityGroupIds: [] };
    const cell = pairCell(s, vxlan);
    expect(cell.verdict).toBe('allowed');
    expect(cell.evidence[1]).toMatchObject({ layer: 'port-security', check: 'destination-ingress', decision: 'allowed' });
  });
});

describe('security groups: pod CIDR endpoints', () => {
  const pods = b.podTrafficRequirement();
  it.each<[string, string, 'allowed' | 'blocked' | 'unknown']>([
    ['a block containing the whole pod CIDR', '10.244.0.0/16', 'allowed'],
    ['the exact pod CIDR', '10.244.1.0/24', 'allowed'],
    ['half of the pod CIDR', '10.244.1.0/25', 'unknown'],
    ['another pod CIDR', '10.244.2.0/24', 'blocked'],
    ['the source VTEP only', `${N1}/32`, 'blocked'],
  ])('%s -> %s', (_n, p, expected) => {
    expect(pairCell(twoNodes([b.ingress('any', 'all', p)]), pods).verdict).toBe(expected);
  });

  it('AWS group references never match pod CIDRs', () => {
    const cell = pairCell(twoNodes([b.ingress('any', 'all', b.sgRef('sg-src'))]), pods);
    expect(cell.verdict).toBe('blocked');
    expect(cell.evidence[1]!.nearest?.[0]?.mismatch).toContain('never pod CIDR 10.244.1.0/24');
  });

  it('a node without a pod CIDR of the family makes the cell unknown', () => {
    const cell = pairCell(twoNodes([b.ingress('any', 'all', '0.0.0.0/0')]), b.podTrafficRequirement(6));
    expect(cell).toMatchObject({ verdict: 'unknown', layer: 'node-mapping' });
    expect(cell.evidence[0]!.reason).toContain('has no IPv6 pod CIDR');
  });
});

describe('security groups: IPv6 VTEP flows', () => {
  const v6 = b.flowRequirement({ id: 'v6', family: 6, source: 'node-vtep-v6', destination: 'node-vtep-v6' });
  function dual(rule: b.RuleDraft, n1v6OnInterface = true) {
    return b.snapshot({
      nodes: [b.node('n1', N1, { vtepIpv6: '2001:db8::11' }), b.node('n2', N2, { vtepIpv6: '2001:db8::12' })],
      interfaces: [
        b.eni('eni-1', N1, { groups: ['sg-src'], extra: n1v6OnInterface ? ['2001:db8::11'] : [] }),
        b.eni('eni-2', N2, { groups: ['sg-dst'], extra: ['2001:db8::12'] }),
      ],
      groups: [b.sg('sg-src', [b.egress('any', 'all', '::/0')]), b.sg('sg-dst', [rule])],
    });
  }
  it.each<[string, b.RuleDraft, 'allowed' | 'blocked']>([
    ['v6 block', b.ingress('udp', 8472, '2001:db8::/64'), 'allowed'],
    ['::/0', b.ingress('udp', 8472, '::/0'), 'allowed'],
    ['/128 of the source', b.ingress('udp', 8472, '2001:db8::11/128'), 'allowed'],
    ['v4 rule', b.ingress('udp', 8472, '0.0.0.0/0'), 'blocked'],
    ['group reference (members include v6 addresses)', b.ingress('udp', 8472, b.sgRef('sg-src')), 'allowed'],
  ])('%s -> %s', (_n, rule, expected) => {
    expect(pairCell(dual(rule), v6).verdict).toBe(expected);
  });

  it('an IPv6 VTEP that is not on the bound interface is unknown', () => {
    const cell = pairCell(dual(b.ingress('udp', 8472, '::/0'), false), v6);
    expect(cell).toMatchObject({ verdict: 'unknown', layer: 'node-mapping' });
    expect(cell.evidence[0]!.reason).toContain('is not an address of eni-1');
  });
});

describe('a Neutron rule stored as the protocol name `ipip` (firewall-driver dependent)', () => {
  const IPIP = b.flowRequirement({ id: 'calico-ipip', protocol: { name: 'ipip', number: 4 } });
  const byName = { name: 'ipip', ovsFirewall: 4, iptablesFirewall: 94 };
  const neutron = (ingressRules: b.RuleDraft[]) =>
    b.snapshot({
      nodes: [b.node('n1', N1), b.node('n2', N2)],
      interfaces: [b.port('port-1', N1, { groups: ['sg-src'] }), b.port('port-2', N2, { groups: ['sg-dst'] })],
      groups: [b.neutronSg('sg-src', [b.egressAll()]), b.neutronSg('sg-dst', [b.egressAll(), ...ingressRules])],
    });
  const ipipRule = (o: Partial<b.RuleDraft> = {}): b.RuleDraft => ({ ...b.ingress(4, 'all', '172.16.10.0/24', { id: 'rule-ipip', family: 4 }), protocolByDriver: byName, ...o });

  it('is unknown on its own, naming the rule, both drivers and the numbered fix', () => {
    const cell = pairCell(neutron([ipipRule()]), IPIP);
    expect(cell).toMatchObject({ verdict: 'unknown', layer: 'security-group', direction: 'ingress' });
    const ingress = cell.evidence.find((e) => e.check === 'destination-ingress')!;
    expect(ingress.reason).toBe(
      'no known ingress rule in sg-dst allows ipip from the source VTEP address; ' +
        'sg-dst rule rule-ipip names its protocol as "ipip", which is protocol 4 (ipip) under the OVS firewall driver ' +
        'but protocol 94 under the iptables and iptables_hybrid firewall drivers, and the API does not show which driver runs; ' +
        'a rule stored as the number works with both: delete rule-ipip first (Neutron refuses the numbered rule as a duplicate of it), ' +
        'then `openstack security group rule create --ingress --ethertype IPv4 --protocol 4 --remote-ip 172.16.10.0/24 sg-dst`',
    );
  });

  it.each<[string, b.RuleDraft[], 'allowed' | 'blocked' | 'unknown']>([
    ['a rule stored as 4 beside it allows', [ipipRule(), b.ingress(4, 'all', '172.16.10.0/24', { family: 4 })], 'allowed'],
    ['an any-protocol rule beside it allows', [ipipRule(), b.ingress('any', 'all', '172.16.10.0/24', { family: 4 })], 'allowed'],
    ['a stored 4 alone allows', [b.ingress(4, 'all', '172.16.10.0/24', { family: 4 })], 'allowed'],
    ['the name with a remote that misses the source still blocks', [ipipRule({ peer: { kind: 'cidr', cidr: '192.168.0.0/16' } })], 'blocked'],
    ['a remote-group reference to the source group is unknown too', [ipipRule({ peer: b.sgRef('sg-src') })], 'unknown'],
  ])('%s', (_n, rules, verdict) => {
    expect(pairCell(neutron(rules), IPIP).verdict).toBe(verdict);
  });

  it('does not touch other protocols: the name cannot be ESP under either driver', () => {
    expect(pairCell(neutron([ipipRule()]), b.flowRequirement({ id: 'esp', protocol: { name: 'esp', number: 50 } })).verdict).toBe('blocked');
  });

  it('applies to flannel’s ipip backend requirement as well', () => {
    const flannelIpip = b.flowRequirement({ id: 'flannel-ipip', protocol: { name: 'ipip', number: 4 } });
    expect(pairCell(neutron([ipipRule()]), flannelIpip).verdict).toBe('unknown');
  });

  it('a required protocol 94 meets the same doubt from the other side', () => {
    const cell = pairCell(neutron([ipipRule()]), b.flowRequirement({ id: 'p94', protocol: { name: 'protocol 94', number: 94 } }));
    expect(cell.verdict).toBe('unknown');
    expect(cell.evidence.find((e) => e.check === 'destination-ingress')!.reason).toContain(
      'which is protocol 94 (protocol 94) under the iptables and iptables_hybrid firewall drivers but protocol 4 under the OVS firewall driver',
    );
  });
});

describe('AWS protocol numbers 4 and 94 are distinct (no driver doubt on EC2)', () => {
  const IPIP = b.flowRequirement({ id: 'calico-ipip', protocol: { name: 'ipip', number: 4 } });
  it.each<[number, 'allowed' | 'blocked']>([
    [4, 'allowed'],
    [94, 'blocked'],
  ])('IpProtocol %s for IP-in-IP -> %s', (n, verdict) => {
    expect(pairCell(twoNodes([b.ingress(n, 'all', '172.16.10.0/24')]), IPIP).verdict).toBe(verdict);
  });
});
