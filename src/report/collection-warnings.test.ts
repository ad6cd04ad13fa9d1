import { describe, expect, it } from 'vitest';
import type { Unavailable } from '../model/cloud.js';
import { emptyInputs, type AuditInputs } from '../model/documents.js';
import { evaluate } from '../evaluate/evaluate.js';
import * as b from '../evaluate/testing/builders.js';
import { runAudit } from '../pipeline/audit.js';
import { awsNode, nodeList } from '../../providers/kubernetes/testdata/nodes.js';
import { buildReport } from './build-report.js';
import { COLLECTION_INCOMPLETE, MAX_COLLECTION_WARNINGS } from './collection-warnings.js';

const N1 = '172.16.10.11';
const N2 = '172.16.20.12';
const RULES_FAILED = 'DescribeSecurityGroupRules failed: InternalError: We encountered an internal error. Please try again. (3 attempts)';
const SUBNETS_FAILED = 'DescribeSubnets failed: ECONNRESET: socket hang up (3 attempts)';

/**
 * What `collectAws` hands the audit when DescribeSecurityGroupRules fails: the groups with their
 * inline IpPermissions (DescribeSecurityGroups worked), an empty SecurityGroupRules list, and one
 * Unavailable per group of the failed batch.
 */
function awsInputs(ingress: unknown[], unavailable: Unavailable[]): AuditInputs {
  const inputs = emptyInputs();
  inputs.nodes.push({ name: 'nodes.json', body: nodeList(awsNode('n1', N1, '10.244.1.0/24'), awsNode('n2', N2, '10.244.2.0/24')) });
  const eni = (id: string, ip: string, subnet: string) => ({
    NetworkInterfaceId: id,
    SubnetId: subnet,
    VpcId: 'vpc-1',
    PrivateIpAddress: ip,
    PrivateIpAddresses: [{ PrivateIpAddress: ip, Primary: true }],
    Groups: [{ GroupId: 'sg-nodes' }],
  });
  const allowAll = (egress: boolean) => ({ RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: egress, CidrBlock: '0.0.0.0/0' });
  inputs.aws.push({
    name: 'live:aws',
    body: {
      NetworkInterfaces: [eni('eni-1', N1, 'subnet-a'), eni('eni-2', N2, 'subnet-b')],
      SecurityGroups: [
        {
          GroupId: 'sg-nodes',
          VpcId: 'vpc-1',
          IpPermissions: ingress,
          IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        },
      ],
      SecurityGroupRules: [],
      Subnets: [],
      NetworkAcls: [
        {
          NetworkAclId: 'acl-1',
          VpcId: 'vpc-1',
          IsDefault: true,
          Associations: [{ SubnetId: 'subnet-a' }, { SubnetId: 'subnet-b' }],
          Entries: [allowAll(true), allowAll(false)],
        },
      ],
    },
  });
  inputs.unavailable.push(...unavailable);
  return inputs;
}

const VXLAN_FROM_VPC = [{ IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, IpRanges: [{ CidrIp: '172.16.0.0/16' }] }];

describe('failed collection calls in the report', () => {
  it('DescribeSecurityGroupRules failed but the inline rules allow every flow: pairs stay allowed and the failure is a warning', () => {
    const { report } = runAudit(awsInputs(VXLAN_FROM_VPC, [{ kind: 'security-group', id: 'sg-nodes', reason: RULES_FAILED }]));
    expect(report.summary).toMatchObject({ allowed: 2, blocked: 0, unknown: 0 });
    expect(report.warnings.filter((w) => w.code === COLLECTION_INCOMPLETE)).toEqual([
      {
        code: COLLECTION_INCOMPLETE,
        message:
          `collection incomplete: ${RULES_FAILED}; not read: 1 security group (sg-nodes); a flow that the rules read for these groups allow stays allowed ` +
          '(security groups only allow), and every other flow they filter is unknown instead of blocked; 0 node pairs have a check that is unknown because of it',
      },
    ]);
  });

  it('DescribeSecurityGroupRules failed and no inline rule allows the flow: unknown (never blocked, never allowed), counted in the warning', () => {
    const { report } = runAudit(awsInputs([], [{ kind: 'security-group', id: 'sg-nodes', reason: RULES_FAILED }]));
    expect(report.summary).toMatchObject({ allowed: 0, blocked: 0, unknown: 2 });
    expect(report.findings.every((f) => f.verdict === 'unknown')).toBe(true);
    const [warning] = report.warnings.filter((w) => w.code === COLLECTION_INCOMPLETE);
    expect(warning?.message).toMatch(/; 2 node pairs have a check that is unknown because of it$/);
  });

  it('the same export without the failure is blocked: the unknown above comes from the failure alone', () => {
    const { report } = runAudit(awsInputs([], []));
    expect(report.summary).toMatchObject({ blocked: 2, unknown: 0 });
    expect(report.warnings.filter((w) => w.code === COLLECTION_INCOMPLETE)).toEqual([]);
  });

  it('DescribeSubnets failed: the warning says no verdict reads subnet details, and verdicts are those of a full read', () => {
    const failed = runAudit(awsInputs(VXLAN_FROM_VPC, [{ kind: 'subnet', id: 'subnet-a', reason: SUBNETS_FAILED }, { kind: 'subnet', id: 'subnet-b', reason: SUBNETS_FAILED }])).report;
    const full = runAudit(awsInputs(VXLAN_FROM_VPC, [])).report;
    expect(failed.summary).toEqual(full.summary);
    expect(failed.warnings.filter((w) => w.code === COLLECTION_INCOMPLETE)).toEqual([
      {
        code: COLLECTION_INCOMPLETE,
        message:
          `collection incomplete: ${SUBNETS_FAILED}; not read: 2 subnets (subnet-a, subnet-b); no verdict reads subnet details (each interface names its own subnet, ` +
          "and network ACLs are found by their own association), but remediations name host addresses (/32, /128) instead of these subnets' CIDRs; " +
          '0 node pairs have a check that is unknown because of it',
      },
    ]);
  });

  it('a failed NACL look-up of a subnet makes the cross-subnet pairs unknown and says how many', () => {
    const inputs = awsInputs(VXLAN_FROM_VPC, [{ kind: 'network-acl', subnetId: 'subnet-b', reason: 'DescribeNetworkAcls failed: Throttling: Rate exceeded (3 attempts)' }]);
    const body = inputs.aws[0]!.body as { NetworkAcls: { Associations: unknown[] }[] };
    body.NetworkAcls[0]!.Associations = [{ SubnetId: 'subnet-a' }];
    const { report } = runAudit(inputs);
    expect(report.summary).toMatchObject({ allowed: 0, unknown: 2 });
    const [warning] = report.warnings.filter((w) => w.code === COLLECTION_INCOMPLETE);
    expect(warning?.message).toContain('not read: 1 network ACL (of subnet-b); cross-subnet flows through the network ACLs of these subnets are unknown; 2 node pairs have a check');
  });
});

describe('collection warnings stay bounded', () => {
  const twoNodes = () =>
    b.snapshot({
      nodes: [b.node('n1', N1), b.node('n2', '172.16.10.12')],
      interfaces: [b.port('p1', N1, { groups: ['g'] }), b.port('p2', '172.16.10.12', { groups: ['g'] })],
      groups: [b.neutronSg('g', [b.egressAll(), b.ingress('udp', 8472, '172.16.0.0/16')])],
    });

  it('5,000 objects failed by one call, each reason naming its own id, make one warning with the count and the first ids', () => {
    const s = twoNodes();
    for (let i = 0; i < 5000; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      s.cloud.unavailable.push({ kind: 'subnet', id, reason: `subnets ${id}: Neutron answered 503 Service Unavailable` });
    }
    const report = buildReport(s, evaluate(s, [b.flowRequirement()]), { maxPairs: 10 });
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]!.message).toMatch(
      /^collection incomplete: subnets 00000000-0000-4000-8000-000000000000: Neutron answered 503 Service Unavailable; not read: 5000 subnets \(00000000-0000-4000-8000-000000000000, [^)]*, and 4995 more\); /,
    );
  });

  it(`thousands of different errors make at most ${MAX_COLLECTION_WARNINGS} warnings, the last one summing up the rest`, () => {
    const s = twoNodes();
    for (let i = 0; i < 3000; i++) s.cloud.unavailable.push({ kind: 'prefix-list', id: `pl-${i}`, reason: `GetManagedPrefixListEntries failed: error number ${i % 1000}` });
    const report = buildReport(s, evaluate(s, [b.flowRequirement()]), { maxPairs: 10 });
    expect(report.warnings).toHaveLength(MAX_COLLECTION_WARNINGS);
    expect(report.warnings.at(-1)!.message).toBe(
      '981 more failed collection calls (other errors) left 2943 more objects unread; every verdict that needs one of them is unknown, and its reason names the call',
    );
    expect(JSON.stringify(report.warnings).length).toBeLessThan(20_000);
  });
});

describe('a Neutron member listing that failed', () => {
  /** p2's ingress allows VXLAN only from members of `peers`; n1's port is not a member, but peers' member list failed. */
  function referenced(unavailable: Unavailable[]) {
    return b.snapshot({
      nodes: [b.node('n1', N1), b.node('n2', '172.16.10.12')],
      interfaces: [b.port('p1', N1, { groups: ['src'] }), b.port('p2', '172.16.10.12', { groups: ['dst'] })],
      groups: [b.neutronSg('src', [b.egressAll()]), b.neutronSg('dst', [b.egressAll(), b.ingress('udp', 8472, b.sgRef('peers'))]), b.neutronSg('peers', [])],
      unavailable,
    });
  }

  it('turns "not a member" into unknown, because a port the audit did not read could admit the source', () => {
    const reason = 'members of security group peers (needed for rules with remote_group_id peers) could not be listed: Neutron answered 500';
    const s = referenced([{ kind: 'security-group', id: 'peers', reason }]);
    const evaluation = evaluate(s, [b.flowRequirement()]);
    const cell = evaluation.cells.find((c) => c.verdict !== 'allowed');
    expect(cell?.verdict).toBe('unknown');
    expect(cell?.evidence.find((e) => e.decision === 'unknown')?.reason).toContain(`the members of peers (referenced by dst rule`);
    const report = buildReport(s, evaluation, { maxPairs: 10 });
    expect(report.warnings[0]!.message).toMatch(/1 node pair has a check that is unknown because of it$/);
  });

  it('is blocked when the member list was read', () => {
    const cell = evaluate(referenced([]), [b.flowRequirement()]).cells.find((c) => c.verdict !== 'allowed');
    expect(cell?.verdict).toBe('blocked');
  });
});
