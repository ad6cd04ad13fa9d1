import {
  AuthorizeSecurityGroupIngressCommand,
  CreateManagedPrefixListCommand,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeNetworkAclsCommand,
  ReplaceNetworkAclAssociationCommand,
  RunInstancesCommand,
  type EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';

/**
 * Builds real EC2 topologies through the SDK (against moto in tests): VPC, subnets, security
 * groups with CIDR / group-reference / prefix-list rules, NACLs and instances with chosen IPs.
 * Names are local to one topology; every VPC is new, so concurrent tests never share objects.
 */

export type IngressSource = { cidr: string } | { group: string } | { prefixList: string };

export interface IngressRule {
  protocol: 'udp' | 'tcp' | '-1';
  port?: number;
  from: IngressSource;
}

export interface NaclEntry {
  rule: number;
  egress: boolean;
  action: 'allow' | 'deny';
  protocol: 'udp' | 'tcp' | '-1';
  port?: number;
  cidr: string;
}

export interface TopologySpec {
  /** A /16 such as `10.41.0.0/16`; subnets and instance IPs must lie inside. */
  vpcCidr: string;
  subnets: Record<string, string>;
  prefixLists?: Record<string, string[]>;
  /** Groups are created first, then their ingress rules (so rules may reference any group). */
  groups: Record<string, IngressRule[]>;
  /** Custom NACLs (default deny) replacing the default one on the named subnets. */
  nacls?: Record<string, { subnets: string[]; entries: NaclEntry[] }>;
  instances: Record<string, { subnet: string; ip?: string; groups: string[] }>;
}

export interface Topology {
  vpcId: string;
  subnetIds: Record<string, string>;
  groupIds: Record<string, string>;
  prefixListIds: Record<string, string>;
  naclIds: Record<string, string>;
  instanceIds: Record<string, string>;
  /** Private IP of each instance (chosen, or assigned by the subnet when not chosen). */
  ips: Record<string, string>;
}

const PROTOCOL_NUMBER = { udp: '17', tcp: '6', '-1': '-1' } as const;

let imageId: string | undefined;

async function anyImage(client: EC2Client): Promise<string> {
  if (imageId) return imageId;
  const images = await client.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const id = images.Images?.[0]?.ImageId;
  if (!id) throw new Error('moto returned no AMI to launch instances from');
  imageId = id;
  return id;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`EC2 response lacks ${what}`);
  return value;
}

export async function buildTopology(client: EC2Client, spec: TopologySpec): Promise<Topology> {
  const unique = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const vpc = await client.send(new CreateVpcCommand({ CidrBlock: spec.vpcCidr }));
  const vpcId = required(vpc.Vpc?.VpcId, 'Vpc.VpcId');
  const topo: Topology = { vpcId, subnetIds: {}, groupIds: {}, prefixListIds: {}, naclIds: {}, instanceIds: {}, ips: {} };

  for (const [name, cidr] of Object.entries(spec.subnets)) {
    const res = await client.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }));
    topo.subnetIds[name] = required(res.Subnet?.SubnetId, 'Subnet.SubnetId');
  }
  for (const [name, cidrs] of Object.entries(spec.prefixLists ?? {})) {
    const res = await client.send(
      new CreateManagedPrefixListCommand({
        PrefixListName: `${name}-${unique}`,
        AddressFamily: 'IPv4',
        MaxEntries: Math.max(cidrs.length, 1),
        Entries: cidrs.map((Cidr) => ({ Cidr })),
      }),
    );
    topo.prefixListIds[name] = required(res.PrefixList?.PrefixListId, 'PrefixList.PrefixListId');
  }
  for (const name of Object.keys(spec.groups)) {
    const res = await client.send(
      new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: `${name}-${unique}`, Description: `sgaudit test ${name}` }),
    );
    topo.groupIds[name] = required(res.GroupId, 'GroupId');
  }
  for (const [name, rules] of Object.entries(spec.groups)) {
    if (rules.length === 0) continue;
    await client.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: topo.groupIds[name],
        IpPermissions: rules.map((r) => permission(r, topo)),
      }),
    );
  }
  for (const [name, nacl] of Object.entries(spec.nacls ?? {})) {
    const res = await client.send(new CreateNetworkAclCommand({ VpcId: vpcId }));
    const naclId = required(res.NetworkAcl?.NetworkAclId, 'NetworkAcl.NetworkAclId');
    topo.naclIds[name] = naclId;
    for (const e of nacl.entries) {
      await client.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: naclId,
          RuleNumber: e.rule,
          Egress: e.egress,
          RuleAction: e.action,
          Protocol: PROTOCOL_NUMBER[e.protocol],
          CidrBlock: e.cidr,
          ...(e.port !== undefined && { PortRange: { From: e.port, To: e.port } }),
        }),
      );
    }
    for (const subnet of nacl.subnets) {
      const subnetId = required(topo.subnetIds[subnet], `subnet ${subnet}`);
      const current = await client.send(
        new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }),
      );
      const association = current.NetworkAcls?.flatMap((a) => a.Associations ?? []).find((a) => a.SubnetId === subnetId);
      await client.send(
        new ReplaceNetworkAclAssociationCommand({
          AssociationId: required(association?.NetworkAclAssociationId, `NACL association of ${subnet}`),
          NetworkAclId: naclId,
        }),
      );
    }
  }
  const image = await anyImage(client);
  for (const [name, inst] of Object.entries(spec.instances)) {
    const res = await client.send(
      new RunInstancesCommand({
        ImageId: image,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: topo.subnetIds[inst.subnet],
        ...(inst.ip !== undefined && { PrivateIpAddress: inst.ip }),
        SecurityGroupIds: inst.groups.map((g) => required(topo.groupIds[g], `group ${g}`)),
      }),
    );
    const instance = required(res.Instances?.[0], 'Instances[0]');
    topo.instanceIds[name] = required(instance.InstanceId, 'InstanceId');
    topo.ips[name] = required(instance.PrivateIpAddress, 'PrivateIpAddress');
  }
  return topo;
}

/** Launches `count` instances in one call (subnet-assigned IPs): the many-node topologies. */
export async function launchMany(client: EC2Client, subnetId: string, groupIds: string[], count: number): Promise<string[]> {
  const res = await client.send(
    new RunInstancesCommand({
      ImageId: await anyImage(client),
      MinCount: count,
      MaxCount: count,
      SubnetId: subnetId,
      SecurityGroupIds: groupIds,
    }),
  );
  return (res.Instances ?? []).map((i) => required(i.PrivateIpAddress, 'PrivateIpAddress'));
}

function permission(rule: IngressRule, topo: Topology): IpPermission {
  const ports = rule.protocol === '-1' ? {} : { FromPort: rule.port, ToPort: rule.port };
  const base: IpPermission = { IpProtocol: rule.protocol, ...ports };
  const from = rule.from;
  if ('cidr' in from) return { ...base, IpRanges: [{ CidrIp: from.cidr }] };
  if ('group' in from) return { ...base, UserIdGroupPairs: [{ GroupId: required(topo.groupIds[from.group], `group ${from.group}`) }] };
  return { ...base, PrefixListIds: [{ PrefixListId: required(topo.prefixListIds[from.prefixList], `prefix list ${from.prefixList}`) }] };
}

/** A random second octet, so topologies of concurrent tests and runs never share addresses. */
export function randomBlock(): number {
  return 16 + Math.floor(Math.random() * 200);
}

/** Three nodes in two subnets of a new VPC (10.b.0.0/16), all in one group with `nodeRules` as ingress. */
export function threeNodeSpec(b: number, nodeRules: TopologySpec['groups'][string], extra: Partial<TopologySpec> = {}): TopologySpec {
  return {
    vpcCidr: `10.${b}.0.0/16`,
    subnets: { a: `10.${b}.1.0/24`, b: `10.${b}.2.0/24` },
    groups: { nodes: nodeRules },
    instances: {
      a1: { subnet: 'a', ip: `10.${b}.1.11`, groups: ['nodes'] },
      a2: { subnet: 'a', ip: `10.${b}.1.12`, groups: ['nodes'] },
      b1: { subnet: 'b', ip: `10.${b}.2.11`, groups: ['nodes'] },
    },
    ...extra,
  };
}
