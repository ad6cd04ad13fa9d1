import {
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  GetManagedPrefixListEntriesCommand,
  type EC2Client,
  type NetworkAcl,
  type NetworkInterface,
  type PrefixListEntry,
  type SecurityGroup,
  type SecurityGroupRule,
  type Subnet,
} from '@aws-sdk/client-ec2';
import type { Unavailable } from '../../src/model/cloud.js';
import type { RawDocument } from '../../src/model/documents.js';
import { uniqueSorted } from '../../src/model/collections.js';
import { CollectionDeadline, DEFAULT_CALL_LIMITS } from '../../src/model/deadline.js';
import { inFilterBatches, MAX_FILTER_VALUES } from './batches.js';
import { describeCallFailure } from './collect-errors.js';
import {
  groupIdsOfInterfaces,
  privateIpsOfInterface,
  referencedGroupIds,
  referencedPrefixListIds,
  subnetIdsOfInterfaces,
} from './collect-references.js';
import { createEc2Client, requireRegion, type AwsRetryMode } from './ec2-client.js';
import { AWS_DOCUMENT_NAMES, prefixListDocumentName } from './document-names.js';

export interface CollectAwsOptions {
  /** Flannel VTEP (public-ip) addresses of the nodes; the ENIs owning them are the starting point. */
  vtepIps: string[];
  /**
   * Restricts the interface look-up to these VPCs. Needed only when the same private IP
   * exists in several VPCs of one account and Region; otherwise every owner is returned.
   */
  vpcIds?: string[];
  region?: string;
  profile?: string;
  maxAttempts?: number;
  retryMode?: AwsRetryMode;
  /**
   * A ready client (tests, or callers with their own credentials); the options above are then
   * ignored, and so is the per-request timeout: give it `requestHandler:
   * ec2RequestHandlerConfig(ms)`. The deadline still bounds every call it makes.
   */
  client?: EC2Client;
  /** MaxResults per page; the SDK default (the service maximum) unless set. Tests use small pages. */
  pageSize?: number;
  /**
   * The clock of the whole collection (shared with the other sources of one audit). Its
   * per-request timeout configures the client; its signal stops calls in flight when it passes.
   * Default: a new one with DEFAULT_CALL_LIMITS.
   */
  deadline?: CollectionDeadline;
}

export interface CollectAwsResult {
  /** Same shapes as the `aws ec2 describe-…` exports; one document per kind, one per prefix list. */
  documents: RawDocument[];
  /** Calls that failed, as the objects they leave unknown. Never dropped, never read as allowed. */
  unavailable: Unavailable[];
  /** API requests made (one per page; SDK retries of one request are not counted again). */
  calls: number;
}

/** The paging fields of one request; NextToken is absent on the first page. */
interface PageRequest {
  NextToken?: string;
  MaxResults?: number;
}

type FetchPage<T> = (page: PageRequest, options: { abortSignal: AbortSignal }) => Promise<T>;

/**
 * Reads, read-only, every EC2 object the audit of the given VTEP IPs needs. The number of
 * calls grows with pages and 200-value filter batches, never with one call per node.
 * It always returns once the deadline has passed: what was not read by then is in
 * `unavailable` with the cause, like a failed call; timeouts never throw.
 */
export async function collectAws(options: CollectAwsOptions): Promise<CollectAwsResult> {
  const ownDeadline = options.deadline === undefined;
  const deadline = options.deadline ?? new CollectionDeadline(DEFAULT_CALL_LIMITS);
  const client = options.client ?? createEc2Client({ ...options, requestTimeoutMs: deadline.limits.requestTimeoutMs });
  try {
    return await collectWith(client, deadline, options);
  } finally {
    // A client built here is ours to close: its keep-alive sockets must not outlive the collection.
    if (!options.client) client.destroy();
    if (ownDeadline) deadline.dispose();
  }
}

async function collectWith(client: EC2Client, deadline: CollectionDeadline, options: CollectAwsOptions): Promise<CollectAwsResult> {
  await requireRegion(client);
  const run = new AwsCollection(client, options.pageSize, deadline);

  const vtepIps = uniqueSorted(options.vtepIps);
  const interfaces = await run.interfaces(vtepIps, uniqueSorted(options.vpcIds ?? []));
  const groups = await run.securityGroupClosure(uniqueSorted(groupIdsOfInterfaces(interfaces)));
  const rules = await run.securityGroupRules(uniqueSorted(groups.map((g) => g.GroupId ?? '').filter(Boolean)));
  const subnetIds = uniqueSorted(subnetIdsOfInterfaces(interfaces));
  const subnets = await run.subnets(subnetIds);
  const acls = await run.networkAclsOfSubnets(subnetIds);
  const prefixLists = await run.prefixLists(uniqueSorted(referencedPrefixListIds(groups, rules)));

  // Every kind is emitted even when empty, so the translator knows it was collected
  // ("no NACL found" differs from "NACLs not exported"); failures are in `unavailable`.
  const documents: RawDocument[] = [
    doc(AWS_DOCUMENT_NAMES.networkInterfaces, { NetworkInterfaces: interfaces }),
    doc(AWS_DOCUMENT_NAMES.securityGroups, { SecurityGroups: groups }),
    doc(AWS_DOCUMENT_NAMES.securityGroupRules, { SecurityGroupRules: rules }),
    doc(AWS_DOCUMENT_NAMES.subnets, { Subnets: subnets }),
    doc(AWS_DOCUMENT_NAMES.networkAcls, { NetworkAcls: acls }),
    ...prefixLists.map((pl) => doc(prefixListDocumentName(pl.id), { PrefixListId: pl.id, Entries: pl.entries })),
  ];
  return { documents, unavailable: run.unavailable, calls: run.calls };
}

/** Plain JSON, as the CLI prints it: SDK Dates become ISO strings, undefined fields vanish. */
function doc(name: string, body: unknown): RawDocument {
  return { name, body: JSON.parse(JSON.stringify(body)) as unknown };
}

class AwsCollection {
  calls = 0;
  readonly unavailable: Unavailable[] = [];

  constructor(
    private readonly client: EC2Client,
    private readonly pageSize: number | undefined,
    private readonly deadline: CollectionDeadline,
  ) {}

  /**
   * Reads every page of one request into `sink`. Returns the failure reason, or undefined on
   * success. Pages read before a failure are kept: they are real data, and callers mark only
   * what is missing. The loop is ours, not the SDK paginator's, so that no page starts once
   * the deadline has passed, and every page carries the deadline's signal (which also cuts
   * the SDK's retry back-off short).
   */
  private async drain<T extends { NextToken?: string | undefined }>(
    operation: string,
    fetchPage: FetchPage<T>,
    sink: (page: T) => void,
    maxPageSize?: number,
  ): Promise<string | undefined> {
    const size = this.pageSize === undefined ? undefined : Math.min(this.pageSize, maxPageSize ?? this.pageSize);
    let token: string | undefined;
    do {
      const stopped = this.deadline.stopReason();
      if (stopped !== undefined) return `${operation}: ${stopped}`;
      this.calls += 1;
      let page: T;
      try {
        page = await fetchPage(
          { ...(token !== undefined && { NextToken: token }), ...(size !== undefined && { MaxResults: size }) },
          { abortSignal: this.deadline.signal },
        );
      } catch (error) {
        const stoppedNow = this.deadline.stopReason();
        if (stoppedNow !== undefined) return `${operation}: ${stoppedNow}`;
        return describeCallFailure(operation, error, this.deadline.limits.requestTimeoutMs);
      }
      sink(page);
      // A server that repeats its token would page forever; the SDK paginator has the same guard.
      const next = page.NextToken || undefined;
      token = next !== undefined && next !== token ? next : undefined;
    } while (token !== undefined);
    return undefined;
  }

  async interfaces(vtepIps: string[], vpcIds: string[]): Promise<NetworkInterface[]> {
    const found = new Map<string, NetworkInterface>();
    if (vpcIds.length > MAX_FILTER_VALUES) {
      throw new RangeError(`at most ${MAX_FILTER_VALUES} VPC ids can scope the interface look-up, got ${vpcIds.length}`);
    }
    const vpcFilter = vpcIds.length > 0 ? [{ Name: 'vpc-id', Values: vpcIds }] : [];
    for (const batch of inFilterBatches(vtepIps)) {
      const before = new Set(found.keys());
      const failure = await this.drain(
        'DescribeNetworkInterfaces',
        (page, opts) =>
          this.client.send(
            new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'addresses.private-ip-address', Values: batch }, ...vpcFilter], ...page }),
            opts,
          ),
        (page) => {
          for (const eni of page.NetworkInterfaces ?? []) if (eni.NetworkInterfaceId) found.set(eni.NetworkInterfaceId, eni);
        },
      );
      if (failure === undefined) continue;
      // A page failed: the IPs of this batch that no fetched ENI owns are unknown, not absent.
      const owned = new Set([...found.entries()].flatMap(([id, eni]) => (before.has(id) ? [] : privateIpsOfInterface(eni))));
      for (const ip of batch) {
        if (!owned.has(ip)) this.unavailable.push({ kind: 'network-interface', ip, reason: failure });
      }
    }
    return [...found.values()];
  }

  /** The groups on the interfaces, then the groups their rules reference, until nothing new appears. */
  async securityGroupClosure(startIds: string[]): Promise<SecurityGroup[]> {
    const groups = new Map<string, SecurityGroup>();
    const requested = new Set<string>();
    let pending = startIds;
    while (pending.length > 0) {
      for (const id of pending) requested.add(id);
      const fetched: SecurityGroup[] = [];
      for (const batch of inFilterBatches(pending)) {
        const failure = await this.drain(
          'DescribeSecurityGroups',
          (page, opts) => this.client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: batch }], ...page }), opts),
          (page) => fetched.push(...(page.SecurityGroups ?? [])),
        );
        if (failure === undefined) continue;
        const got = new Set(fetched.map((g) => g.GroupId));
        for (const id of batch) if (!got.has(id)) this.unavailable.push({ kind: 'security-group', id, reason: failure });
      }
      for (const sg of fetched) if (sg.GroupId) groups.set(sg.GroupId, sg);
      pending = uniqueSorted(referencedGroupIds(fetched)).filter((id) => !requested.has(id));
    }
    return [...groups.values()];
  }

  async securityGroupRules(groupIds: string[]): Promise<SecurityGroupRule[]> {
    const rules: SecurityGroupRule[] = [];
    for (const batch of inFilterBatches(groupIds)) {
      const batchRules: SecurityGroupRule[] = [];
      const failure = await this.drain(
        'DescribeSecurityGroupRules',
        (page, opts) => this.client.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: batch }], ...page }), opts),
        (page) => batchRules.push(...(page.SecurityGroupRules ?? [])),
      );
      rules.push(...batchRules);
      if (failure === undefined) continue;
      // NOTE: a partial rule list could hide an allow or a reference, so every group of the
      // batch is unknown, even though its inline IpPermissions were read.
      for (const id of batch) this.unavailable.push({ kind: 'security-group', id, reason: failure });
    }
    return rules;
  }

  async subnets(subnetIds: string[]): Promise<Subnet[]> {
    const subnets: Subnet[] = [];
    for (const batch of inFilterBatches(subnetIds)) {
      const failure = await this.drain(
        'DescribeSubnets',
        (page, opts) => this.client.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: batch }], ...page }), opts),
        (page) => subnets.push(...(page.Subnets ?? [])),
      );
      if (failure === undefined) continue;
      const got = new Set(subnets.map((s) => s.SubnetId));
      for (const id of batch) if (!got.has(id)) this.unavailable.push({ kind: 'subnet', id, reason: failure });
    }
    return subnets;
  }

  async networkAclsOfSubnets(subnetIds: string[]): Promise<NetworkAcl[]> {
    const acls = new Map<string, NetworkAcl>();
    for (const batch of inFilterBatches(subnetIds)) {
      const failure = await this.drain(
        'DescribeNetworkAcls',
        (page, opts) =>
          this.client.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: batch }], ...page }), opts),
        (page) => {
          for (const acl of page.NetworkAcls ?? []) if (acl.NetworkAclId) acls.set(acl.NetworkAclId, acl);
        },
      );
      if (failure === undefined) continue;
      const covered = new Set([...acls.values()].flatMap((a) => (a.Associations ?? []).map((x) => x.SubnetId)));
      // The NACL id is what failed to load, so it is unknown; the subnet says which one is meant.
      for (const subnetId of batch) {
        if (!covered.has(subnetId)) this.unavailable.push({ kind: 'network-acl', subnetId, reason: failure });
      }
    }
    return [...acls.values()];
  }

  async prefixLists(ids: string[]): Promise<{ id: string; entries: PrefixListEntry[] }[]> {
    const lists: { id: string; entries: PrefixListEntry[] }[] = [];
    // No batch form exists for entries: one paginated call per referenced list.
    for (const id of ids) {
      const entries: PrefixListEntry[] = [];
      const failure = await this.drain(
        'GetManagedPrefixListEntries',
        (page, opts) => this.client.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id, ...page }), opts),
        (page) => entries.push(...(page.Entries ?? [])),
        // GetManagedPrefixListEntries accepts at most 100 per page.
        100,
      );
      if (failure === undefined) lists.push({ id, entries });
      else this.unavailable.push({ kind: 'prefix-list', id, reason: failure });
    }
    return lists;
  }
}
