import { DescribeNetworkInterfacesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAws, type CollectAwsResult } from '../../providers/aws/collect.js';
import { AWS_DOCUMENT_NAMES, prefixListDocumentName } from '../../providers/aws/document-names.js';
import { translateAwsDocuments } from '../../providers/aws/translate.js';
import { buildTopology, launchMany, type Topology, type TopologySpec } from '../support/aws-topology.js';
import { startFaultProxy, type FaultProxy } from '../support/ec2-fault-proxy.js';
import { countRequests, emulateServerPaging, total } from '../support/ec2-middleware.js';
import { MOTO_ENDPOINT, motoClient, motoReachable } from '../support/moto.js';
import { requireTier } from '../support/tier.js';

const moto = await motoReachable();
const ok = requireTier('aws-moto', moto.ok, moto.reason);

/** A fresh /16 per topology: VPCs are new per test, the address block only keeps reports readable. */
function vpcBlock(): number {
  return 16 + Math.floor(Math.random() * 200);
}

function body<T>(result: CollectAwsResult, name: string): T {
  const doc = result.documents.find((d) => d.name === name);
  if (!doc) throw new Error(`no document ${name}; have ${result.documents.map((d) => d.name).join(', ')}`);
  return doc.body as T;
}

/** Two subnets, a node group that references a bastion group and a prefix list. */
function twoSubnetSpec(b: number): TopologySpec {
  return {
    vpcCidr: `10.${b}.0.0/16`,
    subnets: { a: `10.${b}.1.0/24`, b: `10.${b}.2.0/24` },
    prefixLists: { peers: [`10.${b}.2.0/24`, `10.${b}.9.0/24`] },
    groups: {
      nodes: [
        { protocol: 'udp', port: 8472, from: { group: 'nodes' } },
        { protocol: 'tcp', port: 22, from: { group: 'bastion' } },
        { protocol: 'udp', port: 8472, from: { prefixList: 'peers' } },
        { protocol: 'tcp', port: 10250, from: { cidr: `10.${b}.0.0/16` } },
      ],
      bastion: [{ protocol: 'tcp', port: 22, from: { cidr: '192.0.2.0/24' } }],
    },
    instances: {
      n1: { subnet: 'a', ip: `10.${b}.1.11`, groups: ['nodes'] },
      n2: { subnet: 'a', ip: `10.${b}.1.12`, groups: ['nodes'] },
      n3: { subnet: 'b', ip: `10.${b}.2.13`, groups: ['nodes'] },
    },
  };
}

describe.skipIf(!ok)(`live AWS collection against moto_server (${MOTO_ENDPOINT})`, () => {
  let client: EC2Client;
  beforeAll(() => {
    client = motoClient();
  });

  describe('a two-subnet topology with CIDR, group-reference and prefix-list rules', () => {
    let topo: Topology;
    let spec: TopologySpec;
    let result: CollectAwsResult;
    let requests: Map<string, number>;

    beforeAll(async () => {
      spec = twoSubnetSpec(vpcBlock());
      topo = await buildTopology(client, spec);
      const counted = motoClient();
      requests = countRequests(counted);
      result = await collectAws({ vtepIps: Object.values(topo.ips), vpcIds: [topo.vpcId], client: counted });
    });

    it('finds the ENI of every VTEP IP with its groups and subnet', () => {
      const enis = body<{ NetworkInterfaces: { PrivateIpAddress: string; Groups: { GroupId: string }[]; SubnetId: string }[] }>(
        result,
        AWS_DOCUMENT_NAMES.networkInterfaces,
      ).NetworkInterfaces;
      expect(enis.map((e) => e.PrivateIpAddress).sort()).toEqual(Object.values(topo.ips).sort());
      for (const eni of enis) expect(eni.Groups.map((g) => g.GroupId)).toEqual([topo.groupIds.nodes]);
      expect(new Set(enis.map((e) => e.SubnetId))).toEqual(new Set([topo.subnetIds.a, topo.subnetIds.b]));
      expect(result.unavailable).toEqual([]);
    });

    it('follows group references to groups on no ENI (the bastion), and reads rules, subnets, NACLs, prefix lists', () => {
      const groups = body<{ SecurityGroups: { GroupId: string }[] }>(result, AWS_DOCUMENT_NAMES.securityGroups).SecurityGroups;
      expect(groups.map((g) => g.GroupId).sort()).toEqual([topo.groupIds.bastion, topo.groupIds.nodes].sort());

      const rules = body<{ SecurityGroupRules: { GroupId: string; IsEgress: boolean }[] }>(result, AWS_DOCUMENT_NAMES.securityGroupRules)
        .SecurityGroupRules;
      // nodes: 4 ingress + default egress; bastion: 1 ingress + default egress.
      expect(rules.filter((r) => r.GroupId === topo.groupIds.nodes)).toHaveLength(5);
      expect(rules.filter((r) => r.GroupId === topo.groupIds.bastion)).toHaveLength(2);

      const subnets = body<{ Subnets: { SubnetId: string }[] }>(result, AWS_DOCUMENT_NAMES.subnets).Subnets;
      expect(subnets.map((s) => s.SubnetId).sort()).toEqual([topo.subnetIds.a, topo.subnetIds.b].sort());

      const acls = body<{ NetworkAcls: { Associations: { SubnetId: string }[]; IsDefault: boolean }[] }>(result, AWS_DOCUMENT_NAMES.networkAcls)
        .NetworkAcls;
      expect(acls).toHaveLength(1);
      expect(acls[0]!.IsDefault).toBe(true);
      expect(acls[0]!.Associations.map((a) => a.SubnetId)).toEqual(expect.arrayContaining([topo.subnetIds.a, topo.subnetIds.b]));

      const pl = body<{ PrefixListId: string; Entries: { Cidr: string }[] }>(result, prefixListDocumentName(topo.prefixListIds.peers!));
      expect(pl.PrefixListId).toBe(topo.prefixListIds.peers);
      expect(pl.Entries.map((e) => e.Cidr).sort()).toEqual([...spec.prefixLists!.peers!].sort());
    });

    it('makes one call per operation and page, as the SDK middleware counts them', () => {
      expect(Object.fromEntries(requests)).toEqual({
        DescribeNetworkInterfacesCommand: 1,
        // round 1: the ENIs' group; round 2: the bastion it references.
        DescribeSecurityGroupsCommand: 2,
        DescribeSecurityGroupRulesCommand: 1,
        DescribeSubnetsCommand: 1,
        DescribeNetworkAclsCommand: 1,
        GetManagedPrefixListEntriesCommand: 1,
      });
      expect(result.calls).toBe(total(requests));
    });

    it('emits plain JSON that the AWS translator reads like an export', () => {
      for (const doc of result.documents) expect(JSON.parse(JSON.stringify(doc.body))).toEqual(doc.body);
      const { cloud } = translateAwsDocuments(result.documents);
      expect(cloud.interfaces).toHaveLength(3);
      expect(cloud.securityGroups.map((g) => g.id).sort()).toEqual([topo.groupIds.bastion, topo.groupIds.nodes].sort());
      const nodes = cloud.securityGroups.find((g) => g.id === topo.groupIds.nodes)!;
      const peers = nodes.rules.filter((r) => r.direction === 'ingress').map((r) => r.peer.kind).sort();
      expect(peers).toEqual(['cidr', 'prefix-list', 'security-group', 'security-group']);
      expect(cloud.prefixLists.map((p) => p.id)).toEqual([topo.prefixListIds.peers]);
      expect(cloud.networkAcls).toHaveLength(1);
      expect(cloud.subnets).toHaveLength(2);
      expect([...cloud.providedKinds].sort()).toEqual(['network-acl', 'network-interface', 'prefix-list', 'security-group', 'subnet']);
    });
  });

  describe('pagination: calls grow with pages and filter batches, not with nodes', () => {
    let subnetId: string;
    let groupId: string;
    let vpcId: string;
    let ips: string[];

    beforeAll(async () => {
      const b = vpcBlock();
      const topo = await buildTopology(client, {
        vpcCidr: `10.${b}.0.0/16`,
        subnets: { a: `10.${b}.0.0/20` },
        groups: { nodes: [{ protocol: 'udp', port: 8472, from: { group: 'nodes' } }] },
        instances: {},
      });
      subnetId = topo.subnetIds.a!;
      groupId = topo.groupIds.nodes!;
      vpcId = topo.vpcId;
      ips = await launchMany(client, subnetId, [groupId], 300);
      expect(new Set(ips).size).toBe(300);
    });

    async function collectCounting(vtepIps: string[], pageSize?: number) {
      const c = motoClient();
      if (pageSize !== undefined) emulateServerPaging(c);
      const filterSizes: number[] = [];
      c.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { Filters?: { Values?: string[] }[] };
          for (const f of input.Filters ?? []) filterSizes.push(f.Values?.length ?? 0);
          return next(args);
        },
        { step: 'initialize', name: 'filterSizes' },
      );
      const requests = countRequests(c);
      const result = await collectAws({ vtepIps, vpcIds: [vpcId], client: c, ...(pageSize !== undefined && { pageSize }) });
      expect(result.unavailable).toEqual([]);
      expect(result.calls).toBe(total(requests));
      return { result, requests, filterSizes };
    }

    function eniCount(result: CollectAwsResult): number {
      return body<{ NetworkInterfaces: unknown[] }>(result, AWS_DOCUMENT_NAMES.networkInterfaces).NetworkInterfaces.length;
    }

    it('3, 30 and 150 nodes on one page each cost the same five calls', async () => {
      const counts = [];
      for (const n of [3, 30, 150]) {
        const { result, requests } = await collectCounting(ips.slice(0, n));
        expect(eniCount(result)).toBe(n);
        counts.push(total(requests));
      }
      // ENIs, groups, rules, subnets, NACLs: one call each (the self-reference adds no round); no prefix lists.
      expect(counts).toEqual([5, 5, 5]);
    });

    it('300 nodes split the address filter into batches of at most 200 values', async () => {
      const { result, requests, filterSizes } = await collectCounting(ips);
      expect(eniCount(result)).toBe(300);
      expect(requests.get('DescribeNetworkInterfacesCommand')).toBe(2);
      expect(total(requests)).toBe(6);
      expect(Math.max(...filterSizes)).toBeLessThanOrEqual(200);
    });

    it('with small pages the ENI calls follow ceil(n / MaxResults); everything else stays one page', async () => {
      const three = await collectCounting(ips.slice(0, 3), 5);
      const thirty = await collectCounting(ips.slice(0, 30), 5);
      expect(three.requests.get('DescribeNetworkInterfacesCommand')).toBe(1);
      expect(thirty.requests.get('DescribeNetworkInterfacesCommand')).toBe(6);
      expect(eniCount(thirty.result)).toBe(30);
      expect(total(thirty.requests) - total(three.requests)).toBe(5);
    });

    it('a direct DescribeNetworkInterfaces through the paging shim really pages (the shim is not a no-op)', async () => {
      const c = motoClient();
      emulateServerPaging(c);
      const page = await c.send(
        new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetId] }], MaxResults: 7 }),
      );
      expect(page.NetworkInterfaces).toHaveLength(7);
      expect(page.NextToken).toBe('offset-7');
    });
  });

  describe('throttling and failures become unavailable entries for exactly what they affect', () => {
    let topo: Topology;
    let proxy: FaultProxy | undefined;
    const saved = { ...process.env };

    beforeAll(async () => {
      topo = await buildTopology(client, twoSubnetSpec(vpcBlock()));
    });

    afterAll(async () => {
      await proxy?.close();
    });

    /** Goes through the default client construction: endpoint, region and retries from env like a user's shell. */
    async function collectThroughProxy(faults: Parameters<typeof startFaultProxy>[1], env: Record<string, string> = {}) {
      await proxy?.close();
      proxy = await startFaultProxy(MOTO_ENDPOINT, faults);
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_EC2: proxy.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        ...env,
      });
      delete process.env.AWS_PROFILE;
      try {
        return await collectAws({ vtepIps: Object.values(topo.ips), vpcIds: [topo.vpcId], region: 'us-east-1', maxAttempts: 2 });
      } finally {
        for (const k of ['AWS_ENDPOINT_URL_EC2', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', ...Object.keys(env)]) {
          if (saved[k] === undefined) delete process.env[k];
          else process.env[k] = saved[k];
        }
      }
    }

    it('AWS_ENDPOINT_URL_EC2 routes the default client (no faults: everything through the proxy)', async () => {
      const result = await collectThroughProxy([]);
      expect(result.unavailable).toEqual([]);
      expect(proxy!.requests.get('DescribeNetworkInterfaces')).toBe(1);
      expect(total(proxy!.requests)).toBe(result.calls);
    });

    it('throttled DescribeSecurityGroups: retried by the SDK, then one entry per group, nothing dropped', async () => {
      const result = await collectThroughProxy([
        { action: 'DescribeSecurityGroups', code: 'RequestLimitExceeded', message: 'Request limit exceeded.' },
      ]);
      expect(proxy!.faulted.get('DescribeSecurityGroups')).toBe(2);
      expect(result.unavailable).toEqual([
        {
          kind: 'security-group',
          id: topo.groupIds.nodes,
          reason: 'DescribeSecurityGroups failed: RequestLimitExceeded: Request limit exceeded. (2 attempts)',
        },
      ]);
      // The bastion is never reached (its reference is unknown) and no rules were asked for a group that failed.
      expect(body<{ SecurityGroups: unknown[] }>(result, AWS_DOCUMENT_NAMES.securityGroups).SecurityGroups).toEqual([]);
      expect(proxy!.requests.get('DescribeSecurityGroupRules')).toBeUndefined();
      // The other kinds are still collected.
      expect(body<{ Subnets: unknown[] }>(result, AWS_DOCUMENT_NAMES.subnets).Subnets).toHaveLength(2);
    });

    it('AWS_MAX_ATTEMPTS is honoured when no option overrides it', async () => {
      await proxy?.close();
      proxy = await startFaultProxy(MOTO_ENDPOINT, [
        { action: 'DescribeSubnets', code: 'RequestLimitExceeded', message: 'Request limit exceeded.' },
      ]);
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_EC2: proxy.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_MAX_ATTEMPTS: '3',
      });
      try {
        const result = await collectAws({ vtepIps: Object.values(topo.ips), vpcIds: [topo.vpcId], region: 'us-east-1' });
        expect(proxy.faulted.get('DescribeSubnets')).toBe(3);
        expect(result.unavailable.map((u) => [u.kind, u.id])).toEqual(
          [topo.subnetIds.a, topo.subnetIds.b].sort().map((id) => ['subnet', id]),
        );
        expect(result.unavailable[0]!.reason).toContain('(3 attempts)');
      } finally {
        for (const k of ['AWS_ENDPOINT_URL_EC2', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_MAX_ATTEMPTS']) {
          if (saved[k] === undefined) delete process.env[k];
          else process.env[k] = saved[k];
        }
      }
    });

    it('a failed ENI look-up leaves every VTEP IP unknown, by IP', async () => {
      const result = await collectThroughProxy([
        { action: 'DescribeNetworkInterfaces', code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', status: 403 },
      ]);
      // Not retryable: one attempt.
      expect(proxy!.faulted.get('DescribeNetworkInterfaces')).toBe(1);
      expect(result.unavailable).toEqual(
        Object.values(topo.ips)
          .sort()
          .map((ip) => ({
            kind: 'network-interface',
            ip,
            reason: 'DescribeNetworkInterfaces failed: UnauthorizedOperation: You are not authorized to perform this operation. (1 attempt)',
          })),
      );
    });

    it('a failed NACL look-up is recorded per subnet; a failed prefix list per list', async () => {
      const result = await collectThroughProxy([
        { action: 'DescribeNetworkAcls', code: 'RequestLimitExceeded', message: 'Request limit exceeded.' },
        { action: 'GetManagedPrefixListEntries', code: 'InternalError', message: 'An internal error has occurred.', status: 500 },
      ]);
      expect(result.unavailable.map((u) => ({ kind: u.kind, id: u.id, subnetId: u.subnetId, code: u.reason.split(':')[1]?.trim() }))).toEqual([
        ...[topo.subnetIds.a, topo.subnetIds.b].sort().map((subnetId) => ({ kind: 'network-acl', id: undefined, subnetId, code: 'RequestLimitExceeded' })),
        { kind: 'prefix-list', id: topo.prefixListIds.peers, subnetId: undefined, code: 'InternalError' },
      ]);
      // Still emitted (empty), so the translator knows NACLs were part of the collection.
      expect(body<{ NetworkAcls: unknown[] }>(result, AWS_DOCUMENT_NAMES.networkAcls).NetworkAcls).toEqual([]);
    });
  });

  it('a failure on a later page keeps the interfaces of the pages read before it', async () => {
    const topo = await buildTopology(client, twoSubnetSpec(vpcBlock()));
    const proxy = await startFaultProxy(MOTO_ENDPOINT, [
      {
        action: 'DescribeNetworkInterfaces',
        code: 'RequestLimitExceeded',
        message: 'Request limit exceeded.',
        when: (p) => p.has('NextToken'),
      },
    ]);
    try {
      const c = motoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
      emulateServerPaging(c);
      const result = await collectAws({ vtepIps: Object.values(topo.ips), vpcIds: [topo.vpcId], client: c, pageSize: 2 });
      const found = body<{ NetworkInterfaces: { PrivateIpAddress: string }[] }>(result, AWS_DOCUMENT_NAMES.networkInterfaces)
        .NetworkInterfaces.map((e) => e.PrivateIpAddress);
      expect(found).toHaveLength(2);
      const missing = Object.values(topo.ips).filter((ip) => !found.includes(ip));
      expect(result.unavailable.map((u) => u.ip)).toEqual(missing);
      expect(result.unavailable[0]!.reason).toContain('RequestLimitExceeded');
    } finally {
      await proxy.close();
    }
  });

  it('a named profile supplies region and credentials; AWS_ENDPOINT_URL points every service at moto', async () => {
    const topo = await buildTopology(client, twoSubnetSpec(vpcBlock()));
    const dir = await mkdtemp(join(tmpdir(), 'sgaudit-aws-'));
    await writeFile(join(dir, 'config'), '[profile sgaudit-test]\nregion = us-east-1\n');
    await writeFile(join(dir, 'credentials'), '[sgaudit-test]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const keys = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_EC2', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    for (const k of keys) delete process.env[k];
    Object.assign(process.env, {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_ENDPOINT_URL: MOTO_ENDPOINT,
      // Never reach a real instance metadata service from a test.
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    try {
      const result = await collectAws({ vtepIps: Object.values(topo.ips), vpcIds: [topo.vpcId], profile: 'sgaudit-test' });
      expect(result.unavailable).toEqual([]);
      expect(body<{ NetworkInterfaces: unknown[] }>(result, AWS_DOCUMENT_NAMES.networkInterfaces).NetworkInterfaces).toHaveLength(3);
      // Without the profile the default one is empty here: no region, one clear error.
      await expect(collectAws({ vtepIps: ['10.0.0.1'] })).rejects.toThrow(/AWS region is not set/);
    } finally {
      for (const k of [...keys, 'AWS_EC2_METADATA_DISABLED']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  it('no region anywhere is one clear error, not a report full of unknowns', async () => {
    const saved = { region: process.env.AWS_REGION, def: process.env.AWS_DEFAULT_REGION, cfg: process.env.AWS_CONFIG_FILE };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent/sgaudit-test-config';
    try {
      await expect(collectAws({ vtepIps: ['10.0.0.1'] })).rejects.toThrow(/AWS region is not set/);
    } finally {
      for (const [k, v] of [['AWS_REGION', saved.region], ['AWS_DEFAULT_REGION', saved.def], ['AWS_CONFIG_FILE', saved.cfg]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
