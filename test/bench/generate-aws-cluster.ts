/**
 * Generates a large AWS-hosted flannel cluster as native exports (kubectl + aws ec2 describe-*),
 * for the benchmark. Deterministic: the same size always gives the same documents.
 *
 * Shape: node pools, as managed node groups are built. The `groups` security groups are split into
 * pools of `groupsPerPool`; every node's ENI carries the shared cluster group plus all groups of its
 * pool, and each pool lives in one of `subnets` subnets. The first group of a pool holds the VXLAN
 * rule; in one pool in ten it allows tcp instead of udp. The NACL of the last subnet denies UDP
 * 8472 from the first subnet. So the audit has real findings on every layer.
 * With groupsPerPool = 1 every group is its own pool: the worst case for equivalence classes.
 *
 * `poolWithoutSharedGroup` (a pool index) launches that one pool without the shared cluster group,
 * as a node group created with a custom launch template that forgot it. The shared group is the
 * only group with egress rules, and the pool's first group holds the pool's VXLAN ingress rule
 * (by CIDR: it references no group), so dropping the shared group alone only blocks the pool's
 * outbound traffic (pool size x (nodes - 1) pairs, about half a million at 5,000 nodes). The pool's
 * ENIs therefore also lose the group holding their VXLAN rule: traffic both from and to the pool is
 * blocked, about a million directed pairs at 5,000 nodes in 50 pools (100 x 4,999 x 2 - 100 x 99).
 * The security groups themselves are unchanged. With groupsPerPool = 1 that pool's ENIs carry no group.
 */
export interface GeneratedCluster {
  nodes: unknown;
  flannel: unknown;
  aws: { name: string; body: unknown }[];
}

export function generateAwsCluster(
  nodeCount: number,
  groupCount: number,
  groupsPerPool = 10,
  subnetCount = 10,
  poolWithoutSharedGroup?: number,
): GeneratedCluster {
  const poolCount = Math.max(1, Math.floor(groupCount / groupsPerPool));
  if (poolWithoutSharedGroup !== undefined && !(Number.isInteger(poolWithoutSharedGroup) && poolWithoutSharedGroup >= 0 && poolWithoutSharedGroup < poolCount)) {
    throw new RangeError(`poolWithoutSharedGroup must be a pool index in 0..${poolCount - 1}, got ${poolWithoutSharedGroup}`);
  }
  const vpcId = 'vpc-0bench000000000001';
  const subnets = Array.from({ length: subnetCount }, (_, s) => ({
    SubnetId: `subnet-${hex(s, 17)}`,
    CidrBlock: `10.${16 + s}.0.0/16`,
    VpcId: vpcId,
    AvailabilityZone: `us-east-1${'abc'[s % 3]}`,
    State: 'available',
  }));
  const clusterGroup = 'sg-0c1a5e700000000ff';
  const groupIds = Array.from({ length: groupCount }, (_, g) => `sg-${hex(g, 17)}`);
  const items = [];
  const enis = [];
  for (let i = 0; i < nodeCount; i++) {
    const pool = i % poolCount;
    const s = pool % subnetCount;
    // the pool without the shared group also lacks its first group, the one with its VXLAN rule
    const withoutShared = pool === poolWithoutSharedGroup;
    const ip = `10.${16 + s}.${Math.floor(i / 250) % 256}.${(i % 250) + 4}`;
    const name = `ip-${ip.replace(/\./g, '-')}.ec2.internal`;
    const instanceId = `i-${hex(i, 17)}`;
    items.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': name },
        annotations: {
          'flannel.alpha.coreos.com/backend-type': 'vxlan',
          'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: mac(i) }),
          'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
          'flannel.alpha.coreos.com/public-ip': ip,
        },
      },
      spec: {
        podCIDR: `10.${100 + Math.floor(i / 256)}.${i % 256}.0/24`,
        podCIDRs: [`10.${100 + Math.floor(i / 256)}.${i % 256}.0/24`],
        providerID: `aws:///${subnets[s]!.AvailabilityZone}/${instanceId}`,
      },
      status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
    });
    enis.push({
      NetworkInterfaceId: `eni-${hex(i, 17)}`,
      SubnetId: subnets[s]!.SubnetId,
      VpcId: vpcId,
      AvailabilityZone: subnets[s]!.AvailabilityZone,
      Attachment: { InstanceId: instanceId, DeviceIndex: 0, Status: 'attached' },
      Groups: [
        ...(withoutShared ? [] : [{ GroupId: clusterGroup, GroupName: 'k8s-cluster' }]),
        ...groupIds
          .slice(pool * groupsPerPool, (pool + 1) * groupsPerPool)
          .map((id, k) => ({ GroupId: id, GroupName: `k8s-pool-${pool}-${k}` }))
          .slice(withoutShared ? 1 : 0),
      ],
      InterfaceType: 'interface',
      PrivateIpAddress: ip,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip }],
      SourceDestCheck: true,
      Status: 'in-use',
    });
  }
  const securityGroups = [
    {
      GroupId: clusterGroup,
      GroupName: 'k8s-cluster',
      Description: 'all nodes',
      OwnerId: '123456789012',
      VpcId: vpcId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 10250, ToPort: 10250, UserIdGroupPairs: [{ GroupId: clusterGroup, UserId: '123456789012' }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] },
      ],
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
    },
    ...groupIds.map((id, g) => ({
      GroupId: id,
      GroupName: `k8s-pool-${Math.floor(g / groupsPerPool)}-${g % groupsPerPool}`,
      Description: `node pool ${Math.floor(g / groupsPerPool)}, group ${g % groupsPerPool}`,
      OwnerId: '123456789012',
      VpcId: vpcId,
      IpPermissions: g % groupsPerPool !== 0 ? [
        { IpProtocol: 'tcp', FromPort: 9000 + g, ToPort: 9000 + g, IpRanges: [{ CidrIp: `10.${16 + (g % subnetCount)}.0.0/16` }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: clusterGroup, UserId: '123456789012' }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] },
      ] : [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.200.0.0/16' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
        Math.floor(g / groupsPerPool) % 10 === 3
          ? { IpProtocol: 'tcp', FromPort: 8472, ToPort: 8472, IpRanges: [{ CidrIp: '10.16.0.0/12' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }
          : { IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, IpRanges: [{ CidrIp: '10.16.0.0/12' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
        { IpProtocol: 'tcp', FromPort: 30000 + g, ToPort: 30000 + g, IpRanges: [{ CidrIp: `10.${16 + (g % subnetCount)}.0.0/16` }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
      ],
      IpPermissionsEgress: [],
    })),
  ];
  const lastSubnet = subnets[subnetCount - 1]!;
  const networkAcls = subnets.map((sub, s) => ({
    NetworkAclId: `acl-${hex(s, 17)}`,
    VpcId: vpcId,
    IsDefault: false,
    Associations: [{ NetworkAclAssociationId: `aclassoc-${hex(s, 8)}`, NetworkAclId: `acl-${hex(s, 17)}`, SubnetId: sub.SubnetId }],
    Entries: [
      ...(sub === lastSubnet
        ? [{ RuleNumber: 50, Protocol: '17', RuleAction: 'deny', Egress: false, CidrBlock: subnets[0]!.CidrBlock, PortRange: { From: 8472, To: 8472 } }]
        : []),
      { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '10.0.0.0/8' },
      { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0' },
    ],
  }));
  return {
    nodes: { apiVersion: 'v1', kind: 'List', items },
    flannel: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel' },
      data: { 'net-conf.json': JSON.stringify({ Network: '10.96.0.0/11', Backend: { Type: 'vxlan' } }) },
    },
    aws: [
      { name: 'describe-network-interfaces.json', body: { NetworkInterfaces: enis } },
      { name: 'describe-security-groups.json', body: { SecurityGroups: securityGroups } },
      { name: 'describe-subnets.json', body: { Subnets: subnets } },
      { name: 'describe-network-acls.json', body: { NetworkAcls: networkAcls } },
    ],
  };
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function mac(i: number): string {
  return `0e:${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255, 1].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
}
