import { describe, expect, it } from 'vitest';
import { InputError, type InputProblem } from '../model/source.js';
import { emptyInputs, type AuditInputs } from '../model/documents.js';
import { buildSnapshot } from './build-snapshot.js';
import { awsNode, nodeList } from '../../providers/kubernetes/testdata/nodes.js';
import { kubeFlannelCfg, UPSTREAM_NET_CONF } from '../../providers/kubernetes/testdata/flannel.js';

function problemsOf(fn: () => unknown): InputProblem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

const NODES = nodeList(awsNode('ip-172-16-10-11', '172.16.10.11', '10.244.1.0/24'), awsNode('ip-172-16-10-12', '172.16.10.12', '10.244.2.0/24', { labels: { 'kubernetes.io/os': 'windows' } }));

const AWS_GROUPS = {
  SecurityGroups: [{
    GroupId: 'sg-0123456789abcdef0', GroupName: 'k8s-nodes', Description: 'nodes', OwnerId: '111122223333', VpcId: 'vpc-0a1b2c3d',
    IpPermissions: [{ IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [{ GroupId: 'sg-0123456789abcdef0', UserId: '111122223333' }] }],
    IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
  }],
};

const NEUTRON_GROUPS = {
  security_groups: [{
    id: '1d7c9a2e-3f4b-4a5c-8d6e-7f8091a2b3c4', name: 'k8s-nodes', stateful: true, project_id: '8e2c4f1a7b3d4e5f9a0b1c2d3e4f5a6b', description: '',
    security_group_rules: [{
      id: '3b1f7e42-6a0c-4c9e-9d51-8e2a7f0c1b01', security_group_id: '1d7c9a2e-3f4b-4a5c-8d6e-7f8091a2b3c4', ethertype: 'IPv4', direction: 'ingress',
      protocol: 'udp', port_range_min: 8472, port_range_max: 8472, remote_ip_prefix: '172.16.10.0/24', remote_group_id: null, remote_address_group_id: null,
      project_id: '8e2c4f1a7b3d4e5f9a0b1c2d3e4f5a6b', description: 'flannel',
    }],
  }],
};

function inputs(over: Partial<AuditInputs>): AuditInputs {
  return { ...emptyInputs(), nodes: [{ name: 'nodes.json', body: NODES }], flannel: [{ name: 'kube-flannel-cfg.yaml', body: kubeFlannelCfg(UPSTREAM_NET_CONF) }], ...over };
}

describe('buildSnapshot', () => {
  it('assembles cluster, merged cloud, requirements and every warning', () => {
    const { snapshot, requirements } = buildSnapshot(inputs({
      aws: [{ name: 'sgs.json', body: AWS_GROUPS }],
      openstack: [{ name: 'neutron-sgs.json', body: NEUTRON_GROUPS }],
      unavailable: [{ kind: 'network-acl', reason: 'DescribeNetworkAcls: UnauthorizedOperation' }],
    }));
    expect(snapshot.cluster.nodes.map((n) => n.name)).toEqual(['ip-172-16-10-11', 'ip-172-16-10-12']);
    expect(snapshot.cluster.cni.name).toBe('flannel');
    expect(snapshot.cluster.flannel?.backend.type).toBe('vxlan');
    // The one flannel configuration: the report's flannel section and the requirements read the same object.
    expect(snapshot.cluster.cni).toEqual({ name: 'flannel', flannel: snapshot.cluster.flannel });
    // A Windows node with the port unset: flannel needs 4789, and the catalog says why.
    expect(requirements.map((r) => r.kind === 'flow' ? `${r.id}:${r.fromPort}` : r.id)).toEqual(['flannel-vxlan:4789']);
    expect(snapshot.warnings.map((w) => w.code)).toContain('vxlan-windows-port');
    expect(snapshot.cloud.securityGroups.map((g) => [g.provider, g.id])).toEqual([
      ['aws', 'sg-0123456789abcdef0'],
      ['openstack', '1d7c9a2e-3f4b-4a5c-8d6e-7f8091a2b3c4'],
    ]);
    expect(snapshot.cloud.providedKinds).toEqual(['security-group']);
    expect(snapshot.cloud.unavailable).toContainEqual({ kind: 'network-acl', reason: 'DescribeNetworkAcls: UnauthorizedOperation' });
  });

  it('works with no cloud documents and no flannel documents (annotation fallback)', () => {
    const { snapshot, requirements } = buildSnapshot(inputs({ flannel: [] }));
    expect(snapshot.cluster.flannel?.origin.kind).toBe('node-annotations');
    expect(snapshot.cloud.securityGroups).toEqual([]);
    expect(snapshot.cloud.providedKinds).toEqual([]);
    expect(snapshot.warnings.map((w) => w.code)).toEqual(['flannel-from-annotations', 'vxlan-windows-port', 'vxlan-windows-vni']);
    expect(requirements).toHaveLength(1);
  });

  it('zero nodes is an input error', () => {
    expect(problemsOf(() => buildSnapshot(inputs({ nodes: [{ name: 'empty.json', body: nodeList() }] })))).toEqual([
      { document: 'empty.json', pointer: '', reason: 'the node documents contain no nodes' },
    ]);
    expect(problemsOf(() => buildSnapshot(inputs({ nodes: [] })))).toEqual([
      { document: '--nodes', pointer: '', reason: 'no node documents given; pass kubectl get nodes -o json' },
    ]);
  });

  it('collects node, flannel and cloud problems in one error', () => {
    const badNodes = nodeList(awsNode('n1', '10.0.0.1', 'nope'));
    const problems = problemsOf(() => buildSnapshot(inputs({
      nodes: [{ name: 'nodes.json', body: badNodes }],
      flannel: [{ name: 'flannel.json', body: { Network: '10.244.0.0/16', Backend: { Type: 'gce' } } }],
      aws: [{ name: 'aws.json', body: { SecurityGroups: 'not a list' } }],
      openstack: [{ name: 'os.json', body: { security_groups: [{ id: 7 }] } }],
    })));
    const where = problems.map((p) => `${p.document}#${p.pointer}`);
    expect(where.slice(0, 2)).toEqual(['nodes.json#/items/0/spec/podCIDRs/0', 'flannel.json#/Backend/Type']);
    expect(where.some((w) => w.startsWith('aws.json#'))).toBe(true);
    expect(where.some((w) => w.startsWith('os.json#'))).toBe(true);
  });
});
