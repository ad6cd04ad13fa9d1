import { describe, expect, it } from 'vitest';
import type { NetworkAclEntry } from '../model/cloud.js';
import * as b from './testing/builders.js';
import { pairCell } from './testing/cells.js';

const N1 = '172.16.10.11';
const N2 = '172.16.20.12';

/** n1 in subnet-a, n2 in subnet-b; security groups allow everything, so only NACLs decide. */
function crossSubnet(aEntries: NetworkAclEntry[], bEntries: NetworkAclEntry[], extra: Partial<b.SnapshotParts> = {}) {
  return b.snapshot({
    nodes: [b.node('n1', N1, { pod: '10.244.1.0/24' }), b.node('n2', N2, { pod: '10.244.2.0/24' })],
    interfaces: [b.eni('eni-1', N1, { subnet: 'subnet-a' }), b.eni('eni-2', N2, { subnet: 'subnet-b' })],
    groups: [b.sg('sg-nodes', [b.egressAll(), b.ingress('any', 'all', '0.0.0.0/0')])],
    acls: [b.nacl('acl-a', ['subnet-a'], aEntries), b.nacl('acl-b', ['subnet-b'], bEntries)],
    ...extra,
  });
}

const vxlan = b.flowRequirement();
const allowAll = b.allowAllEntries();
const e = b.aclEntry;

describe('network ACLs', () => {
  it('apply between subnets: both allow -> allowed at the NACL layer', () => {
    const cell = pairCell(crossSubnet(allowAll, allowAll), vxlan);
    expect(cell).toMatchObject({ verdict: 'allowed', layer: 'network-acl' });
    expect(cell.evidence.map((x) => x.check)).toEqual(['source-egress', 'destination-ingress', 'source-subnet-outbound', 'destination-subnet-inbound']);
    expect(cell.evidence[2]!.decidingRule?.ruleId).toBe('acl-a#100/egress');
    expect(cell.evidence[2]!.notes?.[0]).toContain('subnet boundary');
  });

  it.each<[string, NetworkAclEntry[], 'allowed' | 'blocked', string | undefined]>([
    ['deny before allow wins', [e(50, 'ingress', 'deny', 'udp', 8472, '172.16.10.0/24'), ...allowAll], 'blocked', 'acl-b#50/ingress'],
    ['allow before deny wins', [e(50, 'ingress', 'allow', 'udp', 8472, '172.16.10.0/24'), e(60, 'ingress', 'deny', 'any', 'all', '0.0.0.0/0')], 'allowed', 'acl-b#50/ingress'],
    ['order is by rule number, not list order', [e(60, 'ingress', 'deny', 'any', 'all', '0.0.0.0/0'), e(50, 'ingress', 'allow', 'udp', 8472, '172.16.10.0/24')], 'allowed', 'acl-b#50/ingress'],
    ['deny for another block does not apply', [e(50, 'ingress', 'deny', 'udp', 8472, '10.0.0.0/8'), e(100, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0')], 'allowed', 'acl-b#100/ingress'],
    ['deny for another port does not apply', [e(50, 'ingress', 'deny', 'udp', 8473, '0.0.0.0/0'), e(100, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0')], 'allowed', 'acl-b#100/ingress'],
    ['allow tcp only -> implicit deny', [e(100, 'ingress', 'allow', 'tcp', 8472, '0.0.0.0/0')], 'blocked', undefined],
    ['no entries -> implicit deny', [], 'blocked', undefined],
    ['an explicit * deny entry decides', [e(32767, 'ingress', 'deny', 'any', 'all', '0.0.0.0/0')], 'blocked', 'acl-b#32767/ingress'],
    ['egress entries do not serve ingress', [e(100, 'egress', 'allow', 'any', 'all', '0.0.0.0/0')], 'blocked', undefined],
  ])('%s', (_n, bEntries, expected, decidingRule) => {
    const cell = pairCell(crossSubnet(allowAll, bEntries), vxlan);
    expect(cell.verdict).toBe(expected);
    const inbound = cell.evidence.find((x) => x.check === 'destination-subnet-inbound')!;
    expect(inbound.decidingRule?.ruleId).toBe(decidingRule);
    if (expected === 'blocked') expect(cell).toMatchObject({ layer: 'network-acl', direction: 'ingress' });
  });

  it('checks the source subnet outbound with the destination address', () => {
    const cell = pairCell(crossSubnet([e(10, 'egress', 'deny', 'udp', 8472, `${N2}/32`), ...allowAll], allowAll), vxlan);
    expect(cell).toMatchObject({ verdict: 'blocked', layer: 'network-acl', direction: 'egress' });
    expect(cell.evidence[2]!.decidingRule?.text).toBe(`egress #10 deny udp 8472 to ${N2}/32 (acl-a)`);
  });

  describe('a port range settled by several entries', () => {
    const req = b.flowRequirement({ fromPort: 8470, toPort: 8475 });
    it.each<[string, NetworkAclEntry[], 'allowed' | 'blocked']>([
      ['two allows cover it', [e(100, 'ingress', 'allow', 'udp', [8470, 8472], '0.0.0.0/0'), e(110, 'ingress', 'allow', 'udp', [8473, 8475], '0.0.0.0/0')], 'allowed'],
      ['a deny for the open rest blocks', [e(100, 'ingress', 'allow', 'udp', [8470, 8472], '0.0.0.0/0'), e(150, 'ingress', 'deny', 'udp', 'all', '0.0.0.0/0'), e(200, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0')], 'blocked'],
      ['a deny only for already allowed ports does not', [e(100, 'ingress', 'allow', 'udp', [8470, 8472], '0.0.0.0/0'), e(150, 'ingress', 'deny', 'udp', 8471, '0.0.0.0/0'), e(200, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0')], 'allowed'],
    ])('%s', (_n, bEntries, expected) => {
      expect(pairCell(crossSubnet(allowAll, bEntries), req).verdict).toBe(expected);
    });
  });

  describe('every-protocol pod traffic', () => {
    const pods = b.podTrafficRequirement();
    it.each<[string, NetworkAclEntry[], 'allowed' | 'blocked' | 'unknown']>([
      ['allow all', [e(100, 'ingress', 'allow', 'any', 'all', '10.244.0.0/16')], 'allowed'],
      ['udp allowed first, then udp denied, then all allowed', [e(100, 'ingress', 'allow', 'udp', 'all', '10.244.0.0/16'), e(110, 'ingress', 'deny', 'udp', 'all', '0.0.0.0/0'), e(120, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0')], 'allowed'],
      ['tcp denied first', [e(100, 'ingress', 'deny', 'tcp', 'all', '0.0.0.0/0'), e(120, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0')], 'blocked'],
      ['a deny for part of the pod CIDR', [e(100, 'ingress', 'deny', 'any', 'all', '10.244.1.128/25'), e(120, 'ingress', 'allow', 'any', 'all', '0.0.0.0/0')], 'blocked'],
      ['an allow for part only, then implicit deny', [e(100, 'ingress', 'allow', 'any', 'all', '10.244.1.0/25')], 'unknown'],
    ])('%s -> %s', (_n, bEntries, expected) => {
      expect(pairCell(crossSubnet(allowAll, bEntries), pods).verdict).toBe(expected);
    });
  });

  it('are skipped within one subnet', () => {
    const s = crossSubnet([], []);
    s.cloud.interfaces[1]!.addresses[0]!.subnetId = 'subnet-a';
    const cell = pairCell(s, vxlan);
    expect(cell).toMatchObject({ verdict: 'allowed', layer: 'security-group' });
    expect(cell.evidence.some((x) => x.layer === 'network-acl')).toBe(false);
  });

  it('without a NACL export, cross-subnet cells are unknown', () => {
    const s = crossSubnet([], [], { providedKinds: ['network-interface', 'security-group'] });
    const cell = pairCell(s, vxlan);
    expect(cell).toMatchObject({ verdict: 'unknown', layer: 'network-acl', direction: 'egress' });
    expect(cell.evidence[2]!.reason).toBe('no network ACL export given; NACLs apply between subnet-a and subnet-b');
  });

  it('a subnet without an associated NACL in the export is unknown', () => {
    const s = crossSubnet(allowAll, allowAll);
    s.cloud.networkAcls = [s.cloud.networkAcls[0]!];
    const cell = pairCell(s, vxlan);
    expect(cell).toMatchObject({ verdict: 'unknown', layer: 'network-acl', direction: 'ingress' });
    expect(cell.evidence[3]!.reason).toContain('no network ACL in the inputs is associated with subnet-b');
  });

  it('a NACL look-up that failed for the subnet cites its reason', () => {
    const s = crossSubnet(allowAll, allowAll, { unavailable: [{ kind: 'network-acl', subnetId: 'subnet-b', reason: 'RequestLimitExceeded' }] });
    s.cloud.networkAcls = [s.cloud.networkAcls[0]!];
    expect(pairCell(s, vxlan).evidence[3]!.reason).toContain('RequestLimitExceeded');
  });

  it('an unknown subnet makes the NACL checks unknown', () => {
    const s = crossSubnet(allowAll, allowAll);
    delete s.cloud.interfaces[1]!.addresses[0]!.subnetId;
    const cell = pairCell(s, vxlan);
    expect(cell.verdict).toBe('unknown');
    expect(cell.evidence[3]).toMatchObject({ layer: 'network-acl', decision: 'unknown' });
  });

  it('do not apply to OpenStack ports', () => {
    const s = b.snapshot({
      nodes: [b.node('n1', N1), b.node('n2', N2)],
      interfaces: [b.port('p1', N1, { subnet: 's1' }), b.port('p2', N2, { subnet: 's2' })],
      groups: [b.neutronSg('sg-nodes', [b.egress('any', 'all', b.anyAddress(4)), b.ingress('udp', 8472, b.anyAddress(4))])],
    });
    const cell = pairCell(s, vxlan);
    expect(cell.verdict).toBe('allowed');
    expect(cell.evidence).toHaveLength(2);
  });
});
