import { describe, expect, it } from 'vitest';
import type { NetworkAclEntrySpec, SecurityGroupRuleSpec } from '../rule-spec.js';
import { apiNetworkAclEntry, apiSecurityGroupRule } from './api.js';
import { awsNetworkAclCli, awsSecurityGroupCli } from './aws-cli.js';
import { openstackSecurityGroupCli } from './openstack-cli.js';
import { shellQuote } from '../../findings/shell-quote.js';
import { terraformNetworkAclRule, terraformSecurityGroupRule } from './terraform.js';

const UDP = { name: 'udp', number: 17 };
const ESP = { name: 'esp', number: 50 };
const ANY = { name: 'any' };

function sgRule(o: Partial<SecurityGroupRuleSpec> = {}): SecurityGroupRuleSpec {
  return {
    kind: 'security-group',
    provider: 'aws',
    groupId: 'sg-0a1b',
    direction: 'ingress',
    protocol: UDP,
    fromPort: 8472,
    toPort: 8472,
    family: 4,
    peer: { kind: 'cidr', cidr: '172.16.10.0/24' },
    requirementId: 'flannel-vxlan',
    ...o,
  };
}

function aclRule(o: Partial<NetworkAclEntrySpec> = {}): NetworkAclEntrySpec {
  return {
    kind: 'network-acl',
    aclId: 'acl-0f00',
    direction: 'ingress',
    ruleNumber: 90,
    protocol: UDP,
    fromPort: 8472,
    toPort: 8472,
    family: 4,
    cidr: '172.16.10.0/24',
    requirementId: 'flannel-vxlan',
    ...o,
  };
}

const OS_GROUP = '5f1c8e2a-7b0d-4c39-9a51-0e6d2b7f4a10';

describe('shellQuote', () => {
  it.each([
    ['sg-0a1b', 'sg-0a1b'],
    ['172.16.10.0/24', '172.16.10.0/24'],
    ['sgaudit: flannel vxlan', `'sgaudit: flannel vxlan'`],
    [`it's`, `'it'\\''s'`],
    ['$(rm -rf /)', `'$(rm -rf /)'`],
    ['', `''`],
  ])('%s -> %s', (input, expected) => {
    expect(shellQuote(input)).toBe(expected);
  });
});

describe('aws cli', () => {
  it.each<[string, Partial<SecurityGroupRuleSpec>, string]>([
    [
      'ingress udp from an IPv4 CIDR',
      {},
      `aws ec2 authorize-security-group-ingress --group-id sg-0a1b --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,IpRanges=[{CidrIp=172.16.10.0/24,Description="sgaudit: flannel vxlan"}]'`,
    ],
    [
      'egress udp to an IPv6 CIDR',
      { direction: 'egress', family: 6, peer: { kind: 'cidr', cidr: '2600:1f18:1::/64' }, requirementId: 'flannel-vxlan-v6' },
      `aws ec2 authorize-security-group-egress --group-id sg-0a1b --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,Ipv6Ranges=[{CidrIpv6=2600:1f18:1::/64,Description="sgaudit: flannel vxlan v6"}]'`,
    ],
    [
      'self-referencing group',
      { peer: { kind: 'security-group', groupId: 'sg-0a1b' } },
      `aws ec2 authorize-security-group-ingress --group-id sg-0a1b --ip-permissions 'IpProtocol=udp,FromPort=8472,ToPort=8472,UserIdGroupPairs=[{GroupId=sg-0a1b,Description="sgaudit: flannel vxlan"}]'`,
    ],
    [
      'ESP by protocol number, no ports',
      { protocol: ESP, fromPort: undefined, toPort: undefined, requirementId: 'flannel-ipsec-esp' },
      `aws ec2 authorize-security-group-ingress --group-id sg-0a1b --ip-permissions 'IpProtocol=50,IpRanges=[{CidrIp=172.16.10.0/24,Description="sgaudit: flannel ipsec esp"}]'`,
    ],
    [
      'every protocol',
      { protocol: ANY, fromPort: undefined, toPort: undefined },
      `aws ec2 authorize-security-group-ingress --group-id sg-0a1b --ip-permissions 'IpProtocol=-1,IpRanges=[{CidrIp=172.16.10.0/24,Description="sgaudit: flannel vxlan"}]'`,
    ],
    [
      'port range',
      { protocol: { name: 'udp', number: 17 }, fromPort: 51820, toPort: 51821 },
      `aws ec2 authorize-security-group-ingress --group-id sg-0a1b --ip-permissions 'IpProtocol=udp,FromPort=51820,ToPort=51821,IpRanges=[{CidrIp=172.16.10.0/24,Description="sgaudit: flannel vxlan"}]'`,
    ],
  ])('%s', (_name, o, expected) => {
    expect(awsSecurityGroupCli(sgRule(o))).toBe(expected);
  });

  it.each<[string, Partial<NetworkAclEntrySpec>, string]>([
    [
      'inbound udp',
      {},
      'aws ec2 create-network-acl-entry --network-acl-id acl-0f00 --ingress --rule-number 90 --protocol 17 --port-range From=8472,To=8472 --cidr-block 172.16.10.0/24 --rule-action allow',
    ],
    [
      'outbound ESP over IPv6',
      { direction: 'egress', protocol: ESP, fromPort: undefined, toPort: undefined, family: 6, cidr: '2600:1f18:1::/64', ruleNumber: 100 },
      'aws ec2 create-network-acl-entry --network-acl-id acl-0f00 --egress --rule-number 100 --protocol 50 --ipv6-cidr-block 2600:1f18:1::/64 --rule-action allow',
    ],
    [
      'every protocol',
      { protocol: ANY, fromPort: undefined, toPort: undefined },
      'aws ec2 create-network-acl-entry --network-acl-id acl-0f00 --ingress --rule-number 90 --protocol -1 --cidr-block 172.16.10.0/24 --rule-action allow',
    ],
  ])('network ACL %s', (_name, o, expected) => {
    expect(awsNetworkAclCli(aclRule(o))).toBe(expected);
  });
});

describe('openstack cli', () => {
  const os = (o: Partial<SecurityGroupRuleSpec>) => sgRule({ provider: 'openstack', groupId: OS_GROUP, ...o });
  it.each<[string, Partial<SecurityGroupRuleSpec>, string]>([
    [
      'ingress udp from an IPv4 CIDR',
      {},
      `openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472 --remote-ip 172.16.10.0/24 --description 'sgaudit: flannel vxlan' ${OS_GROUP}`,
    ],
    [
      'egress over IPv6 with a port range',
      { direction: 'egress', family: 6, fromPort: 51820, toPort: 51821, peer: { kind: 'cidr', cidr: 'fd00:10::/64' } },
      `openstack security group rule create --egress --ethertype IPv6 --protocol udp --dst-port 51820:51821 --remote-ip fd00:10::/64 --description 'sgaudit: flannel vxlan' ${OS_GROUP}`,
    ],
    [
      'any protocol omits the port',
      { protocol: ANY, fromPort: undefined, toPort: undefined },
      `openstack security group rule create --ingress --ethertype IPv4 --protocol any --remote-ip 172.16.10.0/24 --description 'sgaudit: flannel vxlan' ${OS_GROUP}`,
    ],
    [
      'ESP by number, remote group',
      { protocol: ESP, fromPort: undefined, toPort: undefined, peer: { kind: 'security-group', groupId: OS_GROUP } },
      `openstack security group rule create --ingress --ethertype IPv4 --protocol 50 --remote-group ${OS_GROUP} --description 'sgaudit: flannel vxlan' ${OS_GROUP}`,
    ],
  ])('%s', (_name, o, expected) => {
    expect(openstackSecurityGroupCli(os(o))).toBe(expected);
  });
});

describe('terraform', () => {
  it('aws ingress rule with cidr_ipv4 and a deterministic name', () => {
    expect(terraformSecurityGroupRule(sgRule())).toBe(
      [
        'resource "aws_vpc_security_group_ingress_rule" "sgaudit_flannel_vxlan_sg_0a1b_172_16_10_0_24" {',
        '  security_group_id = "sg-0a1b"',
        '  description       = "sgaudit: flannel vxlan"',
        '  ip_protocol       = "udp"',
        '  from_port         = 8472',
        '  to_port           = 8472',
        '  cidr_ipv4         = "172.16.10.0/24"',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('aws egress rule over IPv6', () => {
    const out = terraformSecurityGroupRule(sgRule({ direction: 'egress', family: 6, peer: { kind: 'cidr', cidr: '2600:1f18:1::/64' } }));
    expect(out).toContain('resource "aws_vpc_security_group_egress_rule" "sgaudit_flannel_vxlan_sg_0a1b_egress_2600_1f18_1_64" {');
    expect(out).toContain('  cidr_ipv6         = "2600:1f18:1::/64"');
    expect(out).not.toContain('cidr_ipv4');
  });

  it('aws group reference, and protocol -1 without ports', () => {
    const out = terraformSecurityGroupRule(sgRule({ protocol: ANY, fromPort: undefined, toPort: undefined, peer: { kind: 'security-group', groupId: 'sg-0a1b' } }));
    expect(out).toBe(
      [
        'resource "aws_vpc_security_group_ingress_rule" "sgaudit_flannel_vxlan_sg_0a1b_sg_0a1b" {',
        '  security_group_id            = "sg-0a1b"',
        '  description                  = "sgaudit: flannel vxlan"',
        '  ip_protocol                  = "-1"',
        '  referenced_security_group_id = "sg-0a1b"',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('aws network ACL rule', () => {
    expect(terraformNetworkAclRule(aclRule())).toBe(
      [
        'resource "aws_network_acl_rule" "sgaudit_flannel_vxlan_acl_0f00_ingress_90" {',
        '  network_acl_id = "acl-0f00"',
        '  rule_number    = 90',
        '  egress         = false',
        '  protocol       = "17"',
        '  rule_action    = "allow"',
        '  cidr_block     = "172.16.10.0/24"',
        '  from_port      = 8472',
        '  to_port        = 8472',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('openstack rule with port_range_min/max', () => {
    const out = terraformSecurityGroupRule(sgRule({ provider: 'openstack', groupId: OS_GROUP }));
    expect(out).toBe(
      [
        'resource "openstack_networking_secgroup_rule_v2" "sgaudit_flannel_vxlan_5f1c8e2a_7b0d_4c39_9a51_0e6d2b7f4a10_172_16_10_0_24" {',
        `  security_group_id = "${OS_GROUP}"`,
        '  description       = "sgaudit: flannel vxlan"',
        '  direction         = "ingress"',
        '  ethertype         = "IPv4"',
        '  protocol          = "udp"',
        '  port_range_min    = 8472',
        '  port_range_max    = 8472',
        '  remote_ip_prefix  = "172.16.10.0/24"',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('openstack any protocol leaves protocol and ports out', () => {
    const out = terraformSecurityGroupRule(sgRule({ provider: 'openstack', groupId: OS_GROUP, protocol: ANY, fromPort: undefined, toPort: undefined }));
    expect(out).not.toMatch(/protocol|port_range/);
  });
});

describe('api', () => {
  it('EC2 AuthorizeSecurityGroupIngress', () => {
    expect(apiSecurityGroupRule(sgRule())).toEqual({
      method: 'POST',
      path: '/?Action=AuthorizeSecurityGroupIngress',
      body: {
        GroupId: 'sg-0a1b',
        IpPermissions: [{ IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, IpRanges: [{ CidrIp: '172.16.10.0/24', Description: 'sgaudit: flannel vxlan' }] }],
      },
    });
  });

  it('EC2 AuthorizeSecurityGroupEgress with a group reference', () => {
    expect(apiSecurityGroupRule(sgRule({ direction: 'egress', peer: { kind: 'security-group', groupId: 'sg-9' } }))).toEqual({
      method: 'POST',
      path: '/?Action=AuthorizeSecurityGroupEgress',
      body: {
        GroupId: 'sg-0a1b',
        IpPermissions: [{ IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, UserIdGroupPairs: [{ GroupId: 'sg-9', Description: 'sgaudit: flannel vxlan' }] }],
      },
    });
  });

  it('Neutron security-group-rules POST', () => {
    expect(apiSecurityGroupRule(sgRule({ provider: 'openstack', groupId: OS_GROUP }))).toEqual({
      method: 'POST',
      path: '/v2.0/security-group-rules',
      body: {
        security_group_rule: {
          security_group_id: OS_GROUP,
          direction: 'ingress',
          ethertype: 'IPv4',
          protocol: 'udp',
          port_range_min: 8472,
          port_range_max: 8472,
          remote_ip_prefix: '172.16.10.0/24',
          description: 'sgaudit: flannel vxlan',
        },
      },
    });
  });

  it('Neutron any protocol is null with no ports', () => {
    const call = apiSecurityGroupRule(sgRule({ provider: 'openstack', groupId: OS_GROUP, protocol: ANY, fromPort: undefined, toPort: undefined }));
    expect(call.body).toEqual({
      security_group_rule: {
        security_group_id: OS_GROUP,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: null,
        remote_ip_prefix: '172.16.10.0/24',
        description: 'sgaudit: flannel vxlan',
      },
    });
  });

  it('EC2 CreateNetworkAclEntry', () => {
    expect(apiNetworkAclEntry(aclRule())).toEqual({
      method: 'POST',
      path: '/?Action=CreateNetworkAclEntry',
      body: {
        NetworkAclId: 'acl-0f00',
        RuleNumber: 90,
        Protocol: '17',
        RuleAction: 'allow',
        Egress: false,
        CidrBlock: '172.16.10.0/24',
        PortRange: { From: 8472, To: 8472 },
      },
    });
  });
});

describe('protocol-number requirements are proposed by number on every surface', () => {
  const IPIP = { name: 'ipip', number: 4 };
  const noPorts = { fromPort: undefined, toPort: undefined };
  const ipipAws = sgRule({ protocol: IPIP, ...noPorts, requirementId: 'calico-ipip' });
  const ipipOs = sgRule({ provider: 'openstack', groupId: OS_GROUP, protocol: IPIP, ...noPorts, requirementId: 'calico-ipip' });
  const ipipAcl = aclRule({ protocol: IPIP, ...noPorts, requirementId: 'calico-ipip' });

  it('openstack cli: --protocol 4, never the name ipip (94 under the iptables driver)', () => {
    expect(openstackSecurityGroupCli(ipipOs)).toBe(
      `openstack security group rule create --ingress --ethertype IPv4 --protocol 4 --remote-ip 172.16.10.0/24 --description 'sgaudit: calico ipip' ${OS_GROUP}`,
    );
  });

  it('aws cli: IpProtocol=4 without ports', () => {
    expect(awsSecurityGroupCli(ipipAws)).toBe(
      `aws ec2 authorize-security-group-ingress --group-id sg-0a1b --ip-permissions 'IpProtocol=4,IpRanges=[{CidrIp=172.16.10.0/24,Description="sgaudit: calico ipip"}]'`,
    );
  });

  it('network ACL entry with protocol 4 (cli, api, terraform)', () => {
    expect(awsNetworkAclCli(ipipAcl)).toBe(
      'aws ec2 create-network-acl-entry --network-acl-id acl-0f00 --ingress --rule-number 90 --protocol 4 --cidr-block 172.16.10.0/24 --rule-action allow',
    );
    expect(apiNetworkAclEntry(ipipAcl).body).toEqual({ NetworkAclId: 'acl-0f00', RuleNumber: 90, Protocol: '4', RuleAction: 'allow', Egress: false, CidrBlock: '172.16.10.0/24' });
    expect(terraformNetworkAclRule(ipipAcl)).toBe(
      [
        'resource "aws_network_acl_rule" "sgaudit_calico_ipip_acl_0f00_ingress_90" {',
        '  network_acl_id = "acl-0f00"',
        '  rule_number    = 90',
        '  egress         = false',
        '  protocol       = "4"',
        '  rule_action    = "allow"',
        '  cidr_block     = "172.16.10.0/24"',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('terraform: ip_protocol = "4" and protocol = "4", no ports', () => {
    expect(terraformSecurityGroupRule(ipipAws)).toBe(
      [
        'resource "aws_vpc_security_group_ingress_rule" "sgaudit_calico_ipip_sg_0a1b_172_16_10_0_24" {',
        '  security_group_id = "sg-0a1b"',
        '  description       = "sgaudit: calico ipip"',
        '  ip_protocol       = "4"',
        '  cidr_ipv4         = "172.16.10.0/24"',
        '}',
        '',
      ].join('\n'),
    );
    expect(terraformSecurityGroupRule(ipipOs)).toBe(
      [
        `resource "openstack_networking_secgroup_rule_v2" "sgaudit_calico_ipip_${OS_GROUP.replace(/-/g, '_')}_172_16_10_0_24" {`,
        `  security_group_id = "${OS_GROUP}"`,
        '  description       = "sgaudit: calico ipip"',
        '  direction         = "ingress"',
        '  ethertype         = "IPv4"',
        '  protocol          = "4"',
        '  remote_ip_prefix  = "172.16.10.0/24"',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('api bodies: IpProtocol "4" and Neutron protocol "4"', () => {
    expect(apiSecurityGroupRule(ipipAws).body).toEqual({
      GroupId: 'sg-0a1b',
      IpPermissions: [{ IpProtocol: '4', IpRanges: [{ CidrIp: '172.16.10.0/24', Description: 'sgaudit: calico ipip' }] }],
    });
    expect(apiSecurityGroupRule(ipipOs).body).toEqual({
      security_group_rule: { security_group_id: OS_GROUP, direction: 'ingress', ethertype: 'IPv4', protocol: '4', remote_ip_prefix: '172.16.10.0/24', description: 'sgaudit: calico ipip' },
    });
  });

  it('ESP is 50 on every surface', () => {
    const esp = { protocol: ESP, ...noPorts, requirementId: 'cilium-ipsec-esp' };
    expect(openstackSecurityGroupCli(sgRule({ provider: 'openstack', groupId: OS_GROUP, ...esp }))).toContain('--protocol 50 ');
    expect(terraformSecurityGroupRule(sgRule({ provider: 'openstack', groupId: OS_GROUP, ...esp }))).toContain('  protocol          = "50"');
    expect(terraformSecurityGroupRule(sgRule(esp))).toContain('  ip_protocol       = "50"');
    expect(apiSecurityGroupRule(sgRule({ provider: 'openstack', groupId: OS_GROUP, ...esp })).body).toMatchObject({ security_group_rule: { protocol: '50' } });
  });

  it.each<[string, number, string]>([
    ['icmp', 1, 'icmp'],
    ['ipv6-icmp', 58, 'ipv6-icmp'],
  ])('ICMP keeps its name on Neutron (%s reads alike on every driver)', (name, number, expected) => {
    const spec = sgRule({ provider: 'openstack', groupId: OS_GROUP, protocol: { name, number }, ...noPorts, family: number === 58 ? 6 : 4, peer: { kind: 'cidr', cidr: number === 58 ? 'fd00::/64' : '172.16.10.0/24' } });
    expect(openstackSecurityGroupCli(spec)).toContain(`--protocol ${expected} `);
  });

  it('AWS ICMP without a named message admits every type with -1/-1', () => {
    const spec = sgRule({ protocol: { name: 'icmp', number: 1 }, ...noPorts, requirementId: 'cilium-health-icmp' });
    expect(awsSecurityGroupCli(spec)).toContain(`'IpProtocol=icmp,FromPort=-1,ToPort=-1,IpRanges=`);
    expect(terraformSecurityGroupRule(spec)).toContain('  from_port         = -1\n  to_port           = -1\n');
  });
});

describe('ICMP echo request: exactly type 8 (IPv4) / 128 (IPv6), every code', () => {
  const noPorts = { fromPort: undefined, toPort: undefined };
  const echo = { protocol: { name: 'icmp', number: 1 }, ...noPorts, icmp: { type: 8, code: 0 }, requirementId: 'cilium-health-icmp' };
  const echo6 = {
    protocol: { name: 'icmpv6', number: 58 }, ...noPorts, icmp: { type: 128, code: 0 }, requirementId: 'cilium-health-icmp-v6',
    family: 6 as const, peer: { kind: 'cidr' as const, cidr: 'fd00::/64' },
  };

  it('AWS security group: FromPort = type, ToPort = -1', () => {
    expect(awsSecurityGroupCli(sgRule(echo))).toBe(
      `aws ec2 authorize-security-group-ingress --group-id sg-0a1b --ip-permissions 'IpProtocol=icmp,FromPort=8,ToPort=-1,IpRanges=[{CidrIp=172.16.10.0/24,Description="sgaudit: cilium health icmp"}]'`,
    );
    expect(apiSecurityGroupRule(sgRule(echo)).body).toEqual({
      GroupId: 'sg-0a1b',
      IpPermissions: [{ IpProtocol: 'icmp', FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: '172.16.10.0/24', Description: 'sgaudit: cilium health icmp' }] }],
    });
    expect(terraformSecurityGroupRule(sgRule(echo))).toBe(
      'resource "aws_vpc_security_group_ingress_rule" "sgaudit_cilium_health_icmp_sg_0a1b_172_16_10_0_24" {\n' +
        '  security_group_id = "sg-0a1b"\n' +
        '  description       = "sgaudit: cilium health icmp"\n' +
        '  ip_protocol       = "icmp"\n' +
        '  from_port         = 8\n' +
        '  to_port           = -1\n' +
        '  cidr_ipv4         = "172.16.10.0/24"\n' +
        '}\n',
    );
    expect(awsSecurityGroupCli(sgRule(echo6))).toContain(`'IpProtocol=icmpv6,FromPort=128,ToPort=-1,Ipv6Ranges=[{CidrIpv6=fd00::/64,`);
  });

  it('Neutron: --icmp-type 8 / port_range_min 8, no code', () => {
    const os = sgRule({ provider: 'openstack', groupId: OS_GROUP, ...echo });
    expect(openstackSecurityGroupCli(os)).toBe(
      `openstack security group rule create --ingress --ethertype IPv4 --protocol icmp --icmp-type 8 --remote-ip 172.16.10.0/24 --description 'sgaudit: cilium health icmp' ${OS_GROUP}`,
    );
    expect(apiSecurityGroupRule(os).body).toEqual({
      security_group_rule: { security_group_id: OS_GROUP, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', port_range_min: 8, remote_ip_prefix: '172.16.10.0/24', description: 'sgaudit: cilium health icmp' },
    });
    const tf = terraformSecurityGroupRule(os);
    expect(tf).toContain('  port_range_min    = 8\n');
    expect(tf).not.toContain('port_range_max');
    const os6 = sgRule({ provider: 'openstack', groupId: OS_GROUP, ...echo6 });
    expect(openstackSecurityGroupCli(os6)).toContain('--ethertype IPv6 --protocol ipv6-icmp --icmp-type 128 --remote-ip fd00::/64 ');
    expect(apiSecurityGroupRule(os6).body).toMatchObject({ security_group_rule: { protocol: 'ipv6-icmp', port_range_min: 128 } });
  });

  it('AWS network ACL: IcmpTypeCode Type=8, Code=-1', () => {
    const acl = aclRule(echo);
    expect(awsNetworkAclCli(acl)).toBe(
      'aws ec2 create-network-acl-entry --network-acl-id acl-0f00 --ingress --rule-number 90 --protocol 1 --icmp-type-code Type=8,Code=-1 --cidr-block 172.16.10.0/24 --rule-action allow',
    );
    expect(apiNetworkAclEntry(acl).body).toMatchObject({ Protocol: '1', IcmpTypeCode: { Type: 8, Code: -1 } });
    expect(apiNetworkAclEntry(acl).body).not.toHaveProperty('PortRange');
    const tf = terraformNetworkAclRule(acl);
    expect(tf).toMatch(/ {2}icmp_type +:?= 8\n/);
    expect(tf).toMatch(/ {2}icmp_code +:?= -1\n/);
    expect(awsNetworkAclCli(aclRule({ ...echo6, cidr: 'fd00::/64' }))).toContain('--protocol 58 --icmp-type-code Type=128,Code=-1 --ipv6-cidr-block fd00::/64');
  });
});
