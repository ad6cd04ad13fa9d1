import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translateAwsDocuments } from '../../providers/aws/translate.js';
import { translateOpenstackDocuments } from '../../providers/openstack/translate.js';
import type { Cloud } from '../model/cloud.js';
import type { Verdict } from '../model/evidence.js';
import * as b from './testing/builders.js';
import { pairCell } from './testing/cells.js';

/**
 * The ICMP echo requirement is decided alike from AWS and Neutron exports of the same rules:
 * AWS writes type/code into FromPort/ToPort (-1 = all), Neutron into port_range_min/max (null =
 * all). Both are read by the real translators, and both must agree with a direct reading of the
 * abstract rules (a rule carries echo iff its type is any or 8 and its code any or 0).
 */

type Sel = number | 'any';
interface AbstractRule {
  direction: 'ingress' | 'egress';
  type: Sel;
  code: Sel;
  cidr: string;
}

const N1 = '10.0.1.11';
const N2 = '10.0.1.12';
const SG = { aws: 'sg-0000000000000000a', os: '11111111-1111-4111-8111-111111111111' };

const ruleArb: fc.Arbitrary<AbstractRule> = fc
  .record({
    direction: fc.constantFrom<'ingress' | 'egress'>('ingress', 'egress'),
    type: fc.constantFrom<Sel>('any', 8, 3, 0, 11),
    code: fc.constantFrom<Sel>('any', 0, 1, 4),
    cidr: fc.constantFrom('10.0.1.0/24', '10.0.0.0/8', '192.168.0.0/16'),
  })
  // Neither cloud accepts a code under "every type".
  .map((r) => (r.type === 'any' ? { ...r, code: 'any' as const } : r));

function awsCloud(rules: AbstractRule[]): Cloud {
  const permission = (r: AbstractRule) => ({
    IpProtocol: 'icmp',
    FromPort: r.type === 'any' ? -1 : r.type,
    ToPort: r.code === 'any' ? -1 : r.code,
    IpRanges: [{ CidrIp: r.cidr }],
  });
  const group = { GroupId: SG.aws, GroupName: 'nodes', VpcId: 'vpc-1', IpPermissions: rules.filter((r) => r.direction === 'ingress').map(permission), IpPermissionsEgress: rules.filter((r) => r.direction === 'egress').map(permission) };
  const eni = (id: string, ip: string, instance: string) => ({
    NetworkInterfaceId: id, SubnetId: 'subnet-1', VpcId: 'vpc-1', PrivateIpAddress: ip,
    PrivateIpAddresses: [{ PrivateIpAddress: ip, Primary: true }], Groups: [{ GroupId: SG.aws }],
    Attachment: { InstanceId: instance, DeviceIndex: 0 }, SourceDestCheck: true,
  });
  return translateAwsDocuments([
    { name: 'sgs.json', body: { SecurityGroups: [group] } },
    { name: 'enis.json', body: { NetworkInterfaces: [eni('eni-1', N1, 'i-1'), eni('eni-2', N2, 'i-2')] } },
  ]).cloud;
}

function neutronCloud(rules: AbstractRule[]): Cloud {
  const rule = (r: AbstractRule, i: number) => ({
    id: `rule-${i}`, security_group_id: SG.os, direction: r.direction, ethertype: 'IPv4', protocol: 'icmp',
    port_range_min: r.type === 'any' ? null : r.type, port_range_max: r.code === 'any' ? null : r.code,
    remote_ip_prefix: r.cidr, remote_group_id: null,
  });
  const port = (id: string, ip: string, server: string) => ({
    id, network_id: 'net-1', device_id: server, fixed_ips: [{ ip_address: ip, subnet_id: 'subnet-1' }],
    security_groups: [SG.os], port_security_enabled: true, allowed_address_pairs: [],
  });
  return translateOpenstackDocuments([
    { name: 'security-groups.json', body: { security_groups: [{ id: SG.os, name: 'nodes', stateful: true, security_group_rules: rules.map(rule) }] } },
    { name: 'ports.json', body: { ports: [port('port-1', N1, 'srv-1'), port('port-2', N2, 'srv-2')] } },
  ]).cloud;
}

const ECHO = b.flowRequirement({ id: 'cilium-health-icmp', protocol: { name: 'icmp', number: 1 }, icmp: { type: 8, code: 0 } });

function sides(cloud: Cloud): Verdict[] {
  const s = b.snapshot({ nodes: [b.node('n1', N1), b.node('n2', N2)], interfaces: cloud.interfaces, groups: cloud.securityGroups });
  const cell = pairCell(s, ECHO);
  return ['source-egress', 'destination-ingress'].map((check) => cell.evidence.find((e) => e.check === check)!.decision);
}

/** The oracle: echo request (8/0) between two addresses of 10.0.1.0/24. */
function expected(rules: AbstractRule[]): Verdict[] {
  const carries = (r: AbstractRule) => (r.type === 'any' || r.type === 8) && (r.code === 'any' || r.code === 0) && r.cidr !== '192.168.0.0/16';
  return (['egress', 'ingress'] as const).map((d) => (rules.some((r) => r.direction === d && carries(r)) ? 'allowed' : 'blocked'));
}

describe('ICMP echo requirement: AWS and Neutron agree with each other and with the rules', () => {
  const rulesArb = fc.array(ruleArb, { maxLength: 5 });

  it('for every rule set of ICMP types and codes', () => {
    fc.assert(
      fc.property(rulesArb, (rules) => {
        const aws = sides(awsCloud(rules));
        expect(aws).toEqual(expected(rules));
        expect(sides(neutronCloud(rules))).toEqual(aws);
      }),
      { numRuns: 300 },
    );
  });

  it('the generator reaches both outcomes, including a lone type-3 rule', () => {
    const only3: AbstractRule[] = [{ direction: 'ingress', type: 3, code: 'any', cidr: '10.0.1.0/24' }, { direction: 'egress', type: 'any', code: 'any', cidr: '10.0.0.0/8' }];
    expect(sides(awsCloud(only3))).toEqual(['allowed', 'blocked']);
    expect(sides(neutronCloud(only3))).toEqual(['allowed', 'blocked']);
  });
});
