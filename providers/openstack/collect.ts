import type { RawDocument } from '../../src/model/documents.js';
import type { Unavailable } from '../../src/model/cloud.js';
import { inBatches, uniqueSorted } from '../../src/model/collections.js';
import { CollectionDeadline, DEFAULT_CALL_LIMITS } from '../../src/model/deadline.js';
import { resolveOpenstackCloud, type ResolveCloudOptions } from './config.js';
import { remoteAddressGroupIds, remoteGroupIds, rulesOf, securityGroupIdsOfPorts, stringField, subnetIdsOfPorts } from './collect-references.js';
import { createHttpClient, type HttpOptions } from './http.js';
import { KeystoneError, KeystoneSession } from './keystone.js';
import { NEUTRON_COLLECTIONS, NeutronClient, type NeutronCollection } from './neutron.js';

export interface CollectOpenstackOptions {
  /** clouds.yaml entry (`--os-cloud`); else OS_CLOUD; else the OS_* variables. */
  cloud?: string;
  /** The nodes' VTEP addresses: their ports are found by `fixed_ips=ip_address=<ip>`. */
  vtepIps: string[];
  /** Nova server ids from `openstack:///<uuid>` provider IDs: their ports are found by `device_id`. */
  serverIds?: string[];
  /** `limit` per list request; default: Neutron's own (all in one page unless the server caps it). */
  pageSize?: number;
  /** Filter values per request (repeated `fixed_ips`/`id`/… parameters, ORed by Neutron). */
  batchSize?: number;
  regionName?: string;
  interface?: string;
  http?: HttpOptions;
  /**
   * The clock of this collection (`--request-timeout`, `--deadline`, a caller's cancellation).
   * Default: a new one with DEFAULT_CALL_LIMITS, disposed when the collection returns; a deadline
   * passed in belongs to the caller, who may share it with other collectors.
   */
  deadline?: CollectionDeadline;
  /** Where clouds.yaml and OS_* come from; tests point these elsewhere. */
  config?: Pick<ResolveCloudOptions, 'env' | 'cwd' | 'home'>;
}

export interface OpenstackCollection {
  /** Native Neutron v2.0 bodies, one per collection, for translateOpenstackDocuments. */
  documents: RawDocument[];
  /** Objects that could not be read, each with the error; the evaluator makes their pairs `unknown`. */
  unavailable: Unavailable[];
  /** HTTP requests sent to Neutron (Keystone logins not included). */
  requests: number;
  /** `neutronUrl` is absent when Keystone could not be reached, so the catalog was never read. */
  cloud: { name: string; origin: string; neutronUrl?: string };
}

/** 50 values keep a request line near 2-3 KB, well below common proxy limits (8 KB). */
export const DEFAULT_BATCH_SIZE = 50;

type Body = Record<string, unknown>;

/**
 * Reads what an audit of the given nodes needs from Neutron: the nodes' ports, their security
 * groups and every group reachable through `remote_group_id` (with rules and member ports),
 * the ports' subnets and the referenced address groups. A failed read becomes `Unavailable`
 * entries for exactly the objects it was for; so does everything not read because the deadline
 * passed or the caller cancelled, and every node when Keystone cannot be reached at all.
 * Throws InputError for unusable configuration and KeystoneError when Keystone refuses the login
 * or its catalog has no usable Neutron endpoint: retrying cannot help, the configuration must change.
 */
export async function collectOpenstack(options: CollectOpenstackOptions): Promise<OpenstackCollection> {
  const cloud = resolveOpenstackCloud({
    ...options.config,
    ...(options.cloud !== undefined && { cloud: options.cloud }),
    ...(options.regionName !== undefined && { regionName: options.regionName }),
    ...(options.interface !== undefined && { interface: options.interface }),
  });
  const deadline = options.deadline ?? new CollectionDeadline(DEFAULT_CALL_LIMITS);
  try {
    const http = createHttpClient(cloud.tls, options.http, deadline);
    const session = new KeystoneSession(cloud, http);
    let neutronUrl: string;
    try {
      neutronUrl = await session.endpoint('network');
    } catch (e) {
      if (e instanceof KeystoneError && e.failure === 'unreachable') {
        return { ...nodesUnreadable(options, e.message), cloud: { name: cloud.name, origin: cloud.origin } };
      }
      throw e;
    }
    const run = new Collection(new NeutronClient(session, http, options.pageSize), options.batchSize ?? DEFAULT_BATCH_SIZE, deadline);
    await readAround(run, options);
    return { documents: run.documents(), unavailable: run.unavailable, requests: run.requests, cloud: { name: cloud.name, origin: cloud.origin, neutronUrl } };
  } finally {
    if (options.deadline === undefined) deadline.dispose();
  }
}

async function readAround(run: Collection, options: CollectOpenstackOptions): Promise<void> {
  const nodePorts = [
    ...(await run.fetch(NEUTRON_COLLECTIONS.ports, 'fixed_ips', options.vtepIps, {
      value: (ip) => `ip_address=${ip}`,
      failed: vtepUnavailable,
    })),
    ...(await run.fetch(NEUTRON_COLLECTIONS.ports, 'device_id', options.serverIds ?? [], { failed: serverUnavailable })),
  ];

  const { rules } = await run.groupClosure(securityGroupIdsOfPorts(nodePorts));
  const remoteGroups = remoteGroupIds(rules);
  await Promise.all([
    run.fetch(NEUTRON_COLLECTIONS.ports, 'security_groups', remoteGroups, {
      failed: (id, reason) => ({
        kind: 'security-group',
        id,
        reason: `members of security group ${id} (needed for rules with remote_group_id ${id}) could not be listed: ${reason}`,
      }),
    }),
    run.fetchById(NEUTRON_COLLECTIONS.subnets, subnetIdsOfPorts(nodePorts), 'subnet'),
    run.fetchById(NEUTRON_COLLECTIONS.addressGroups, remoteAddressGroupIds(rules), 'address-group'),
  ]);
}

const vtepUnavailable = (ip: string, reason: string): Unavailable => ({ kind: 'network-interface', ip, reason: `ports with address ${ip}: ${reason}` });
const serverUnavailable = (server: string, reason: string): Unavailable => ({
  kind: 'network-interface',
  instanceId: server,
  reason: `ports of server ${server}: ${reason}`,
});

/**
 * Keystone did not answer: no Neutron object can be read, but the nodes are known, so each
 * node's interface is unavailable with the cause and its pairs end `unknown`, never `allowed`.
 */
function nodesUnreadable(options: CollectOpenstackOptions, cause: string): Omit<OpenstackCollection, 'cloud'> {
  const reason = `not read, Keystone could not be reached: ${cause}`;
  return {
    documents: [],
    unavailable: [
      ...uniqueSorted(options.vtepIps).map((ip) => vtepUnavailable(ip, reason)),
      ...uniqueSorted(options.serverIds ?? []).map((id) => serverUnavailable(id, reason)),
    ],
    requests: 0,
  };
}

interface FetchSpec {
  value?: (v: string) => string;
  failed: (v: string, reason: string) => Unavailable;
}

/** Accumulates bodies per collection (exact duplicates dropped) and failures for one run. */
class Collection {
  readonly unavailable: Unavailable[] = [];
  private readonly bodies = new Map<string, Map<string, Body>>();

  constructor(
    private readonly neutron: NeutronClient,
    private readonly batchSize: number,
    private readonly deadline: CollectionDeadline,
  ) {
    for (const c of Object.values(NEUTRON_COLLECTIONS)) this.bodies.set(c.key, new Map());
  }

  get requests(): number {
    return this.neutron.requests;
  }

  /** Lists `collection` filtered by `key` over `values` in batches; a failed batch marks each of its values. */
  async fetch(collection: NeutronCollection, key: string, values: string[], spec: FetchSpec): Promise<Body[]> {
    const found: Body[] = [];
    for (const batch of inBatches(uniqueSorted(values), this.batchSize)) {
      // Once stopped, nothing new is sent: the rest is unknown with the reason, not silently absent.
      const stopped = this.deadline.stopReason();
      if (stopped !== undefined) {
        for (const v of batch) this.unavailable.push(spec.failed(v, `not read: ${stopped}`));
        continue;
      }
      try {
        const items = await this.neutron.list(collection, batch.map((v) => [key, spec.value ? spec.value(v) : v]));
        for (const item of items) this.add(collection, item);
        found.push(...items);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        for (const v of batch) this.unavailable.push(spec.failed(v, reason));
      }
    }
    return found;
  }

  /** By `id`; an id Neutron does not return is unavailable too (deleted, or not visible to this project). */
  async fetchById(collection: NeutronCollection, ids: string[], kind: Unavailable['kind']): Promise<Body[]> {
    const wanted = uniqueSorted(ids);
    const failed = new Set<string>();
    const found = await this.fetch(collection, 'id', wanted, {
      failed: (id, reason) => {
        failed.add(id);
        return { kind, id, reason: `${collection.path} ${id}: ${reason}` };
      },
    });
    const returned = new Set(found.map((b) => stringField(b, 'id')));
    for (const id of wanted) {
      if (!returned.has(id) && !failed.has(id)) {
        this.unavailable.push({ kind, id, reason: `Neutron returned no ${collection.path.replace(/s$/, '')} ${id}: deleted, or not visible to this project/role` });
      }
    }
    return found;
  }

  /**
   * The groups `start` plus every group their rules reach through `remote_group_id`, with the
   * rules also read standalone (by `security_group_id`). Each round fetches only new ids.
   */
  async groupClosure(start: string[]): Promise<{ groups: Body[]; rules: Body[] }> {
    const groups: Body[] = [];
    const rules: Body[] = [];
    const requested = new Set<string>();
    let pending = uniqueSorted(start);
    while (pending.length > 0) {
      for (const id of pending) requested.add(id);
      const [newGroups, newRules] = await Promise.all([
        this.fetchById(NEUTRON_COLLECTIONS.securityGroups, pending, 'security-group'),
        this.fetch(NEUTRON_COLLECTIONS.securityGroupRules, 'security_group_id', pending, {
          failed: (id, reason) => ({ kind: 'security-group', id, reason: `rules of security group ${id}: ${reason}` }),
        }),
      ]);
      groups.push(...newGroups);
      rules.push(...newRules);
      pending = uniqueSorted(remoteGroupIds(rulesOf(newGroups, newRules))).filter((id) => !requested.has(id));
    }
    return { groups, rules: rulesOf(groups, rules) };
  }

  private add(collection: NeutronCollection, body: Body): void {
    this.bodies.get(collection.key)!.set(JSON.stringify(body), body);
  }

  /** One body per collection, always all five: an empty list tells the translator "none exist". */
  documents(): RawDocument[] {
    return Object.values(NEUTRON_COLLECTIONS).map((c) => ({
      name: `live:openstack/${c.path}`,
      body: { [c.key]: [...this.bodies.get(c.key)!.values()] },
    }));
  }
}
