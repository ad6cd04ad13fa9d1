/**
 * Live tier: a real Keystone and neutron-server (Debian packages, started by
 * test/services/openstack/setup.sh). Topologies are built through the Neutron API as admin,
 * then collected as a reader (password and application credential) and audited end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/pipeline/audit.js';
import { emptyInputs, type RawDocument } from '../../src/model/documents.js';
import type { Unavailable } from '../../src/model/cloud.js';
import { collectOpenstack, type CollectOpenstackOptions } from '../../providers/openstack/collect.js';
import { resolveOpenstackCloud } from '../../providers/openstack/config.js';
import { createHttpClient } from '../../providers/openstack/http.js';
import { KeystoneError, KeystoneSession } from '../../providers/openstack/keystone.js';
import { NEUTRON_COLLECTIONS, NeutronClient } from '../../providers/openstack/neutron.js';
import { collectOpenstackInputs } from '../../src/inputs/live-openstack.js';
import { requireTier } from '../support/tier.js';
import { CLOUDS_FILE, lockCloud, NAME_PREFIX, NeutronAdmin, nodeList, openstackReachable, testConfigEnv } from './openstack-fixture.js';

const reachable = await openstackReachable();
const tierOk = requireTier('openstack', reachable.ok, reachable.reason);

interface Topology {
  nodes: { name: string; ip: string }[];
  groupId: string;
}

function nodesDoc(t: Topology): RawDocument {
  return { name: 'nodes.json', body: nodeList(t.nodes) };
}

function audit(t: Topology, collected: { documents: RawDocument[]; unavailable: Unavailable[] }) {
  return runAudit({ ...emptyInputs(), nodes: [nodesDoc(t)], openstack: collected.documents, unavailable: collected.unavailable });
}

function collect(cloud: string, t: Topology, extra: Partial<CollectOpenstackOptions> = {}) {
  return collectOpenstack({ cloud, vtepIps: t.nodes.map((n) => n.ip), config: testConfigEnv(), ...extra });
}

function idsByCollection(documents: RawDocument[]): Record<string, string[]> {
  return Object.fromEntries(
    documents.map((d) => {
      const [key, items] = Object.entries(d.body as Record<string, { id: string }[]>)[0]!;
      return [key, items.map((i) => i.id).sort()];
    }),
  );
}

describe.skipIf(!tierOk)('openstack live: real Keystone + neutron-server', () => {
  let admin: NeutronAdmin;
  const run = `${NAME_PREFIX}${Date.now().toString(36)}-`;
  const incident: Topology = { nodes: [], groupId: '' };
  const healthy: Topology = { nodes: [], groupId: '' };
  const stateless: Topology = { nodes: [], groupId: '' };
  const noPortSecurity: Topology = { nodes: [], groupId: '' };
  let addressGroupId = '';
  let unlock: (() => void) | undefined;

  beforeAll(async () => {
    unlock = await lockCloud();
    admin = await NeutronAdmin.connect();
    await admin.removeTestObjects(); // leftovers of an interrupted run would share the fixed IPs

    // The incident: 4 nodes in 172.16.10.0/24; the flannel rule was edited to tcp 8472.
    const net1 = await admin.network(`${run}incident`);
    const sub1 = await admin.subnet(`${run}incident`, net1.id as string, '172.16.10.0/24');
    const sg1 = await admin.group(`${run}k8s-nodes`);
    incident.groupId = sg1.id as string;
    await admin.rule(incident.groupId, { direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' });
    await admin.rule(incident.groupId, { direction: 'ingress', protocol: 'tcp', port_range_min: 8472, port_range_max: 8472, remote_ip_prefix: '172.16.10.0/24' });
    await admin.rule(incident.groupId, { direction: 'ingress', protocol: 'tcp', port_range_min: 6443, port_range_max: 6443, remote_group_id: incident.groupId });
    for (const [name, ip] of [['master-0', '172.16.10.11'], ['worker-0', '172.16.10.85'], ['worker-1', '172.16.10.173'], ['worker-2', '172.16.10.201']] as const) {
      await admin.port(`${run}${name}`, net1.id as string, sub1.id as string, ip, { security_groups: [incident.groupId] });
      incident.nodes.push({ name, ip });
    }

    // Healthy: ports in the project's default group, whose remote-group self rule admits members.
    const net2 = await admin.network(`${run}healthy`);
    const sub2 = await admin.subnet(`${run}healthy`, net2.id as string, '172.16.20.0/24');
    healthy.groupId = await admin.defaultGroupId();
    for (const [name, ip] of [['h-0', '172.16.20.11'], ['h-1', '172.16.20.12'], ['h-2', '172.16.20.13']] as const) {
      await admin.port(`${run}${name}`, net2.id as string, sub2.id as string, ip);
      healthy.nodes.push({ name, ip });
    }

    // Stateless group admitting VXLAN from an address group.
    const net3 = await admin.network(`${run}stateless`);
    const sub3 = await admin.subnet(`${run}stateless`, net3.id as string, '172.16.30.0/24');
    const ag = await admin.addressGroup(`${run}nodes`, ['172.16.30.0/24']);
    addressGroupId = ag.id as string;
    const sg3 = await admin.group(`${run}stateless`, { stateful: false });
    stateless.groupId = sg3.id as string;
    await admin.rule(stateless.groupId, { direction: 'ingress', protocol: 'udp', port_range_min: 8472, port_range_max: 8472, remote_address_group_id: addressGroupId });
    for (const [name, ip] of [['s-0', '172.16.30.11'], ['s-1', '172.16.30.12'], ['s-2', '172.16.30.13']] as const) {
      await admin.port(`${run}${name}`, net3.id as string, sub3.id as string, ip, { security_groups: [stateless.groupId] });
      stateless.nodes.push({ name, ip });
    }

    // Port security off: no groups, no filtering.
    const net4 = await admin.network(`${run}open`);
    const sub4 = await admin.subnet(`${run}open`, net4.id as string, '172.16.40.0/24');
    for (const [name, ip] of [['o-0', '172.16.40.11'], ['o-1', '172.16.40.12']] as const) {
      await admin.port(`${run}${name}`, net4.id as string, sub4.id as string, ip, { port_security_enabled: false, security_groups: [] });
      noPortSecurity.nodes.push({ name, ip });
    }
  }, 780_000); // includes waiting for another run's lock

  afterAll(async () => {
    try {
      await admin?.removeTestObjects(run);
    } finally {
      unlock?.();
    }
  }, 120_000);

  it('the incident: 4 nodes, no UDP 8472 rule -> 12 blocked pairs naming the group', async () => {
    const collected = await collect('sgaudit-reader', incident);
    expect(collected.unavailable).toEqual([]);
    const ids = idsByCollection(collected.documents);
    expect(ids.security_groups).toEqual([incident.groupId]);
    expect(ids.ports).toHaveLength(4); // node ports, also the members of the self-referenced group

    const { report } = audit(incident, collected);
    expect(report.summary).toMatchObject({ nodes: 4, directedPairs: 12, blocked: 12, allowed: 0, unknown: 0 });
    const blocked = report.findings.filter((f) => f.verdict === 'blocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ protocol: 'udp', port: 8472, direction: 'ingress', target: { kind: 'security-group', id: incident.groupId } });
  });

  it('a healthy default-group cluster: the remote-group self rule allows every pair', async () => {
    const collected = await collect('sgaudit-reader', healthy);
    expect(collected.unavailable).toEqual([]);
    // membership of the default group was read, so the remote-group rule can be resolved
    const ports = (collected.documents.find((d) => d.name.endsWith('/ports'))!.body as { ports: { security_groups: string[] }[] }).ports;
    expect(ports.length).toBeGreaterThanOrEqual(3);
    expect(ports.every((p) => p.security_groups.includes(healthy.groupId))).toBe(true);

    const { report } = audit(healthy, collected);
    expect(report.summary).toMatchObject({ nodes: 3, directedPairs: 6, allowed: 6, blocked: 0, unknown: 0 });
  });

  it('a stateless group admitting UDP 8472 from an address group', async () => {
    const collected = await collect('sgaudit-reader', stateless);
    expect(collected.unavailable).toEqual([]);
    expect(idsByCollection(collected.documents).address_groups).toEqual([addressGroupId]);
    const { report, snapshot } = audit(stateless, collected);
    expect(snapshot.cloud.securityGroups.find((g) => g.id === stateless.groupId)?.stateful).toBe(false);
    expect(report.summary).toMatchObject({ nodes: 3, directedPairs: 6, allowed: 6, blocked: 0, unknown: 0 });
  });

  it('ports with port security off are not filtered', async () => {
    const collected = await collect('sgaudit-reader', noPortSecurity);
    expect(collected.unavailable).toEqual([]);
    const { report } = audit(noPortSecurity, collected);
    expect(report.summary).toMatchObject({ nodes: 2, directedPairs: 2, allowed: 2, blocked: 0, unknown: 0 });
  });

  it('pagination with limit=1 and batches of 1 reads the same objects, page by page', async () => {
    const whole = await collect('sgaudit-reader', incident);
    const paged = await collect('sgaudit-reader', incident, { pageSize: 1, batchSize: 1 });
    expect(paged.unavailable).toEqual([]);
    expect(idsByCollection(paged.documents)).toEqual(idsByCollection(whole.documents));
    // each list costs one request per item plus the empty page after the last full one
    expect(paged.requests).toBeGreaterThan(whole.requests + 8);
    expect(audit(incident, paged).report.summary).toEqual(audit(incident, whole).report.summary);
  });

  it('a page limit of 1 stops on the empty page after the last full one', async () => {
    const cloud = resolveOpenstackCloud({ cloud: 'sgaudit-reader', ...testConfigEnv() });
    const http = createHttpClient(cloud.tls);
    const neutron = new NeutronClient(new KeystoneSession(cloud, http), http, 1);
    const ports = await neutron.list(NEUTRON_COLLECTIONS.ports, incident.nodes.map((n) => ['fixed_ips', `ip_address=${n.ip}`]));
    expect(ports).toHaveLength(4);
    expect(neutron.requests).toBe(5);
  });

  it('an application credential limited to reader logs in and audits (CLI path, clouds.yaml + secure.yaml)', async () => {
    const saved = { ...process.env };
    try {
      for (const k of Object.keys(process.env)) if (k.startsWith('OS_')) delete process.env[k];
      process.env.OS_CLIENT_CONFIG_FILE = CLOUDS_FILE;
      const inputs = await collectOpenstackInputs([nodesDoc(incident)], { osCloud: 'sgaudit-appcred' });
      expect(inputs.unavailable).toEqual([]);
      expect(inputs.cloud.origin).toContain('secure.yaml');
      const { report } = runAudit({ ...emptyInputs(), nodes: [nodesDoc(incident)], openstack: inputs.openstack, unavailable: inputs.unavailable });
      expect(report.summary).toMatchObject({ directedPairs: 12, blocked: 12 });
    } finally {
      process.env = saved;
    }
  });

  it('the reader that collects everything above cannot write (secure-RBAC policies)', async () => {
    const cloud = resolveOpenstackCloud({ cloud: 'sgaudit-appcred', ...testConfigEnv() });
    const session = new KeystoneSession(cloud, createHttpClient(cloud.tls));
    const r = await fetch(`${await session.endpoint('network')}/v2.0/security-groups`, {
      method: 'POST',
      headers: { 'x-auth-token': (await session.token()).value, 'content-type': 'application/json' },
      body: JSON.stringify({ security_group: { name: `${run}reader-write` } }),
    });
    expect(r.status).toBe(403);
  });

  it('a wrong password is a clear Keystone error without the password in it', async () => {
    const env = {
      OS_AUTH_URL: resolveOpenstackCloud({ cloud: 'sgaudit-reader', ...testConfigEnv() }).authUrl,
      OS_USERNAME: 'sgaudit-reader',
      OS_PASSWORD: 'not-the-password-42',
      OS_PROJECT_NAME: 'sgaudit',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
    };
    const error = await collectOpenstack({ vtepIps: ['172.16.10.11'], config: { env, cwd: '/nonexistent', home: '/nonexistent' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeystoneError);
    // refused, not unreachable: a wrong password stops the collection instead of becoming `unknown`
    expect(error).toMatchObject({ failure: 'refused', status: 401, timedOut: false });
    const message = (error as Error).message;
    expect(message).toMatch(/Keystone login failed .*HTTP 401/);
    expect(message).toContain('"sgaudit-reader"');
    expect(message).toContain('check the password');
    expect(message).not.toContain('not-the-password-42');
  });

  it('a revoked token is replaced by one fresh login on the 401', async () => {
    const cloud = resolveOpenstackCloud({ cloud: 'sgaudit-reader', ...testConfigEnv() });
    const http = createHttpClient(cloud.tls);
    const session = new KeystoneSession(cloud, http);
    const first = await session.token();
    await admin.revokeToken(first.value);
    const neutron = new NeutronClient(session, http, undefined);
    const groups = await neutron.list(NEUTRON_COLLECTIONS.securityGroups, [['id', incident.groupId]]);
    expect(groups.map((g) => g.id)).toEqual([incident.groupId]);
    expect(session.logins).toBe(2);
    expect((await session.token()).value).not.toBe(first.value);
  });

  it('remote groups are followed transitively, and their members decide the verdict', async () => {
    const net = await admin.network(`${run}closure`);
    const sub = await admin.subnet(`${run}closure`, net.id as string, '172.16.50.0/24');
    const [a, b, c] = [await admin.group(`${run}a`), await admin.group(`${run}b`), await admin.group(`${run}c`)];
    // nodes are in A only; A admits VXLAN from members of B, which are not nodes; B refers to C
    await admin.rule(a.id as string, { direction: 'ingress', protocol: 'udp', port_range_min: 8472, port_range_max: 8472, remote_group_id: b.id as string });
    await admin.rule(b.id as string, { direction: 'ingress', protocol: 'tcp', port_range_min: 443, port_range_max: 443, remote_group_id: c.id as string });
    const t: Topology = { nodes: [{ name: 'c-0', ip: '172.16.50.11' }, { name: 'c-1', ip: '172.16.50.12' }], groupId: a.id as string };
    for (const n of t.nodes) await admin.port(`${run}${n.name}`, net.id as string, sub.id as string, n.ip, { security_groups: [a.id as string] });
    const member = await admin.port(`${run}b-member`, net.id as string, sub.id as string, '172.16.50.99', { security_groups: [b.id as string] });

    const collected = await collect('sgaudit-reader', t);
    expect(collected.unavailable).toEqual([]);
    const ids = idsByCollection(collected.documents);
    expect(ids.security_groups).toEqual([a.id as string, b.id as string, c.id as string].sort());
    expect(ids.ports).toContain(member.id as string);
    const { report } = audit(t, collected);
    expect(report.summary).toMatchObject({ directedPairs: 2, blocked: 2 });
    expect(report.findings[0]).toMatchObject({ verdict: 'blocked', protocol: 'udp', port: 8472, target: { id: a.id } });
  });
});
