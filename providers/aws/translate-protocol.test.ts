import { describe, expect, it } from 'vitest';
import type { PortMatch, ProtocolMatch } from '../../src/model/cloud.js';
import { AwsWarningCode } from './translate-warnings.js';
import { doc, groupWithIngress, problemsOf, rulesDoc, sgRule, translate } from './translate-test-support.js';

const any: ProtocolMatch = { kind: 'any' };
const proto = (number: number): ProtocolMatch => ({ kind: 'number', number });
const all: PortMatch = { kind: 'all' };
const range = (from: number, to: number): PortMatch => ({ kind: 'range', from, to });
const icmp = (type: number | 'any', code: number | 'any'): PortMatch => ({ kind: 'icmp', type, code });

function permission(IpProtocol: unknown, FromPort?: unknown, ToPort?: unknown): Record<string, unknown> {
  return { IpProtocol, FromPort, ToPort, IpRanges: [{ CidrIp: '172.16.0.0/16' }] };
}

describe('security group protocol and ports', () => {
  it.each([
    { name: '-1 means any protocol, all ports', p: '-1', from: -1, to: -1, protocol: any, ports: all },
    { name: '-1 ignores a port range', p: '-1', from: 22, to: 22, protocol: any, ports: all },
    { name: 'udp single port', p: 'udp', from: 8472, to: 8472, protocol: proto(17), ports: range(8472, 8472) },
    { name: '"17" equals udp', p: '17', from: 8472, to: 8472, protocol: proto(17), ports: range(8472, 8472) },
    { name: 'tcp whole range 0-65535', p: 'tcp', from: 0, to: 65535, protocol: proto(6), ports: range(0, 65535) },
    { name: '"6" equals tcp', p: '6', from: 30000, to: 32767, protocol: proto(6), ports: range(30000, 32767) },
    { name: 'names are case-insensitive', p: 'UDP', from: 53, to: 53, protocol: proto(17), ports: range(53, 53) },
    { name: 'port 0 alone', p: 'tcp', from: 0, to: 0, protocol: proto(6), ports: range(0, 0) },
    { name: 'port 65535 alone', p: 'udp', from: 65535, to: 65535, protocol: proto(17), ports: range(65535, 65535) },
    { name: 'ESP "50" ignores ports', p: '50', from: 500, to: 4500, protocol: proto(50), ports: all },
    { name: 'IP-in-IP "4" without ports', p: '4', from: undefined, to: undefined, protocol: proto(4), ports: all },
    { name: 'icmp FromPort is the type, ToPort -1 every code', p: 'icmp', from: 8, to: -1, protocol: proto(1), ports: icmp(8, 'any') },
    { name: 'icmp type 3 code 4 (fragmentation needed)', p: 'icmp', from: 3, to: 4, protocol: proto(1), ports: icmp(3, 4) },
    { name: 'icmp type 0 is a type, not "unset"', p: 'icmp', from: 0, to: -1, protocol: proto(1), ports: icmp(0, 'any') },
    { name: '"1" equals icmp, -1/-1 every type', p: '1', from: -1, to: -1, protocol: proto(1), ports: icmp('any', 'any') },
    { name: 'icmpv6 every type', p: 'icmpv6', from: -1, to: -1, protocol: proto(58), ports: icmp('any', 'any') },
    { name: '"58" equals icmpv6', p: '58', from: 128, to: 0, protocol: proto(58), ports: icmp(128, 0) },
    { name: 'protocol 0 is a number, not any', p: '0', from: -1, to: -1, protocol: proto(0), ports: all },
    { name: 'protocol 255', p: '255', from: -1, to: -1, protocol: proto(255), ports: all },
    { name: 'bare JSON number', p: 17, from: 4789, to: 4789, protocol: proto(17), ports: range(4789, 4789) },
  ])('$name', ({ p, from, to, protocol, ports }) => {
    const { cloud, warnings } = translate(groupWithIngress([permission(p, from, to)]));
    const rule = cloud.securityGroups[0]!.rules[0]!;
    expect(rule.protocol).toEqual(protocol);
    expect(rule.ports).toEqual(ports);
    expect(warnings).toEqual([]);
  });

  it.each([
    { name: 'tcp without FromPort/ToPort', p: 'tcp', from: undefined, to: undefined },
    { name: 'udp with -1/-1', p: 'udp', from: -1, to: -1 },
  ])('$name is all ports with a warning', ({ p, from, to }) => {
    const { cloud, warnings } = translate(groupWithIngress([permission(p, from, to)]));
    expect(cloud.securityGroups[0]!.rules[0]!.ports).toEqual(all);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: AwsWarningCode.portsMissing,
        source: { document: 'sg.json', pointer: '/SecurityGroups/0/IpPermissions/0' },
      }),
    ]);
  });

  const base = '/SecurityGroups/0/IpPermissions/0';
  it.each([
    { name: 'unknown protocol name', p: 'gre', from: -1, to: -1, pointer: `${base}/IpProtocol`, value: 'gre', reason: /unknown IP protocol/ },
    { name: 'protocol above 255', p: '256', from: -1, to: -1, pointer: `${base}/IpProtocol`, value: '256', reason: /0-255/ },
    { name: 'negative protocol other than -1', p: '-2', from: -1, to: -1, pointer: `${base}/IpProtocol`, value: '-2', reason: /unknown IP protocol/ },
    { name: 'empty protocol', p: '', from: -1, to: -1, pointer: `${base}/IpProtocol`, value: '', reason: /unknown IP protocol/ },
    { name: 'missing protocol', p: undefined, from: 1, to: 1, pointer: `${base}/IpProtocol`, value: undefined, reason: /unknown IP protocol/ },
    { name: 'port above 65535', p: 'tcp', from: 0, to: 65536, pointer: `${base}/ToPort`, value: 65536, reason: /between 0 and 65535/ },
    { name: 'negative start port', p: 'udp', from: -5, to: 10, pointer: `${base}/FromPort`, value: -5, reason: /between 0 and 65535/ },
    { name: 'reversed range', p: 'tcp', from: 100, to: 99, pointer: `${base}/ToPort`, value: 99, reason: /lower than its start \(100\)/ },
    { name: 'only FromPort', p: 'tcp', from: 80, to: undefined, pointer: `${base}/ToPort`, value: undefined, reason: /ToPort is missing while FromPort is 80/ },
    { name: 'only ToPort', p: 'tcp', from: undefined, to: 80, pointer: `${base}/FromPort`, value: undefined, reason: /FromPort is missing while ToPort is 80/ },
    { name: 'port as string', p: 'tcp', from: '80', to: 80, pointer: `${base}/FromPort`, value: '80', reason: /integer/ },
    { name: 'fractional port', p: 'udp', from: 1.5, to: 2, pointer: `${base}/FromPort`, value: 1.5, reason: /integer/ },
    { name: 'icmp type out of range', p: 'icmp', from: 300, to: 0, pointer: `${base}/FromPort`, value: 300, reason: /ICMP type/ },
    { name: 'icmp type below -1', p: 'icmp', from: -2, to: -1, pointer: `${base}/FromPort`, value: -2, reason: /ICMP type must be -1 \(all types\) or 0-255/ },
    { name: 'icmp code out of range', p: 'icmpv6', from: 128, to: 256, pointer: `${base}/ToPort`, value: 256, reason: /ICMP code must be -1 \(all codes\) or 0-255/ },
    { name: 'icmp code under every type', p: 'icmp', from: -1, to: 0, pointer: `${base}/ToPort`, value: 0, reason: /needs an ICMP type/ },
  ])('rejects $name', ({ p, from, to, pointer, value, reason }) => {
    const [problem, ...rest] = problemsOf(groupWithIngress([permission(p, from, to)]));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ document: 'sg.json', pointer });
    expect(problem!.value).toEqual(value);
    expect(problem!.reason).toMatch(reason);
  });

  it('applies the same rules to describe-security-group-rules entries', () => {
    const { cloud } = translate(
      rulesDoc([
        sgRule({ SecurityGroupRuleId: 'sgr-1', IpProtocol: '-1', FromPort: -1, ToPort: -1 }),
        sgRule({ SecurityGroupRuleId: 'sgr-2', IpProtocol: '50', FromPort: 0, ToPort: 0 }),
        sgRule({ SecurityGroupRuleId: 'sgr-3', IpProtocol: '17', FromPort: 8472, ToPort: 8472 }),
      ]),
    );
    expect(cloud.securityGroups[0]!.rules.map((r) => [r.id, r.protocol, r.ports])).toEqual([
      ['sgr-1', any, all],
      ['sgr-2', proto(50), all],
      ['sgr-3', proto(17), range(8472, 8472)],
    ]);
    expect(
      problemsOf(rulesDoc([sgRule({ IpProtocol: 'sctp' })])).map((p) => [p.pointer, p.value]),
    ).toEqual([['/SecurityGroupRules/0/IpProtocol', 'sctp']]);
  });
});

describe('network ACL protocol and ports', () => {
  const acl = (entry: Record<string, unknown>) =>
    doc('acl.json', {
      NetworkAcls: [
        {
          NetworkAclId: 'acl-1',
          IsDefault: false,
          Associations: [],
          Entries: [{ RuleNumber: 100, Egress: false, RuleAction: 'allow', CidrBlock: '10.0.0.0/8', ...entry }],
        },
      ],
    });

  it.each([
    { name: '"-1" is any with all ports', entry: { Protocol: '-1', PortRange: { From: 22, To: 22 } }, protocol: any, ports: all },
    { name: '"17" with a port range', entry: { Protocol: '17', PortRange: { From: 8472, To: 8472 } }, protocol: proto(17), ports: range(8472, 8472) },
    { name: '"6" ephemeral range', entry: { Protocol: '6', PortRange: { From: 1024, To: 65535 } }, protocol: proto(6), ports: range(1024, 65535) },
    { name: '"1" icmp reads IcmpTypeCode', entry: { Protocol: '1', IcmpTypeCode: { Type: 8, Code: -1 } }, protocol: proto(1), ports: icmp(8, 'any') },
    { name: 'icmp type and code', entry: { Protocol: '1', IcmpTypeCode: { Type: 3, Code: 4 } }, protocol: proto(1), ports: icmp(3, 4) },
    { name: 'icmp every type', entry: { Protocol: '1', IcmpTypeCode: { Type: -1, Code: -1 } }, protocol: proto(1), ports: icmp('any', 'any') },
    { name: '"58" icmpv6 echo request', entry: { Protocol: '58', IcmpTypeCode: { Type: 128, Code: -1 } }, protocol: proto(58), ports: icmp(128, 'any') },
    { name: '"50" ignores a port range', entry: { Protocol: '50', PortRange: { From: 1, To: 2 } }, protocol: proto(50), ports: all },
  ])('$name', ({ entry, protocol, ports }) => {
    const e = translate(acl(entry)).cloud.networkAcls[0]!.entries[0]!;
    expect(e.protocol).toEqual(protocol);
    expect(e.ports).toEqual(ports);
  });

  it('treats an icmp entry without IcmpTypeCode as every type, with a warning', () => {
    const { cloud, warnings } = translate(acl({ Protocol: '1' }));
    expect(cloud.networkAcls[0]!.entries[0]!.ports).toEqual(icmp('any', 'any'));
    expect(warnings.map((w) => [w.code, w.source?.pointer])).toEqual([[AwsWarningCode.portsMissing, '/NetworkAcls/0/Entries/0']]);
  });

  it.each([
    { name: 'type above 255', code: { Type: 256, Code: -1 }, pointer: '/IcmpTypeCode/Type', value: 256, reason: /ICMP type must be -1 \(all types\) or 0-255/ },
    { name: 'code below -1', code: { Type: 8, Code: -3 }, pointer: '/IcmpTypeCode/Code', value: -3, reason: /ICMP code must be -1 \(all codes\) or 0-255/ },
    { name: 'code under every type', code: { Type: -1, Code: 4 }, pointer: '/IcmpTypeCode/Code', value: 4, reason: /needs an ICMP type/ },
    { name: 'not an object', code: '8/0', pointer: '/IcmpTypeCode', value: '8/0', reason: /\{Type, Code\}/ },
  ])('rejects IcmpTypeCode with $name', ({ code, pointer, value, reason }) => {
    const [problem, ...rest] = problemsOf(acl({ Protocol: '1', IcmpTypeCode: code }));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ pointer: `/NetworkAcls/0/Entries/0${pointer}` });
    expect(problem!.value).toEqual(value);
    expect(problem!.reason).toMatch(reason);
  });

  it('treats a tcp entry without PortRange as all ports, with a warning', () => {
    const { cloud, warnings } = translate(acl({ Protocol: '6' }));
    expect(cloud.networkAcls[0]!.entries[0]!.ports).toEqual(all);
    expect(warnings.map((w) => [w.code, w.source?.pointer])).toEqual([
      [AwsWarningCode.portsMissing, '/NetworkAcls/0/Entries/0'],
    ]);
  });

  const entryAt = '/NetworkAcls/0/Entries/0';
  it.each([
    { name: 'protocol name not in the table', entry: { Protocol: 'esp' }, pointer: `${entryAt}/Protocol`, value: 'esp' },
    { name: 'port beyond 65535', entry: { Protocol: '17', PortRange: { From: 1, To: 70000 } }, pointer: `${entryAt}/PortRange/To`, value: 70000 },
    { name: 'reversed range', entry: { Protocol: '17', PortRange: { From: 9000, To: 8000 } }, pointer: `${entryAt}/PortRange/To`, value: 8000 },
    { name: 'PortRange without From', entry: { Protocol: '6', PortRange: { To: 80 } }, pointer: `${entryAt}/PortRange/From`, value: undefined },
    { name: 'PortRange not an object', entry: { Protocol: '6', PortRange: '80-90' }, pointer: `${entryAt}/PortRange`, value: '80-90' },
  ])('rejects $name', ({ entry, pointer, value }) => {
    const problems = problemsOf(acl(entry));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ document: 'acl.json', pointer });
    expect(problems[0]!.value).toEqual(value);
  });
});
