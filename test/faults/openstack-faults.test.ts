/**
 * Fault tier, OpenStack: the real Keystone and neutron-server behind fault proxies
 * (test/support/http-fault-proxy.ts). Each case makes one endpoint hang, stall, drop, fail or
 * answer garbage, and checks that the collection ends within its deadline, that exactly the
 * objects behind the failed calls are unavailable with the cause, and that the audit makes
 * their pairs `unknown`, never `allowed`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectOpenstack, type OpenstackCollection } from '../../providers/openstack/collect.js';
import type { HttpOptions } from '../../providers/openstack/http.js';
import { KeystoneError } from '../../providers/openstack/keystone.js';
import { collectOpenstackInputs } from '../../src/inputs/live-openstack.js';
import { CollectionDeadline, type CallLimits } from '../../src/model/deadline.js';
import { emptyInputs, type RawDocument } from '../../src/model/documents.js';
import { runAudit } from '../../src/pipeline/audit.js';
import { requireTier } from '../support/tier.js';
import { lockCloud, NAME_PREFIX, NeutronAdmin, nodeList, openstackReachable, proxiedCloud, type ProxiedCloud } from '../live/openstack-fixture.js';

const reachable = await openstackReachable();
const tierOk = requireTier('openstack', reachable.ok, reachable.reason);

/** Quick retries keep the cases short; one case below uses got's real 1 s / 2 s backoff. */
const FAST: HttpOptions = { retries: 3, backoffScale: 0.001 };
/** A collection may overrun its deadline only by the time an aborted socket takes to close. */
const SLACK_MS = 2000;

describe.skipIf(!tierOk)('openstack faults: Keystone and Neutron behind a fault proxy', () => {
  const run = `${NAME_PREFIX}faults-${Date.now().toString(36)}-`;
  const serverId = randomUUID();
  const nodes = [
    { name: 'f-0', ip: '172.16.70.11', serverId },
    { name: 'f-1', ip: '172.16.70.12' },
    { name: 'f-2', ip: '172.16.70.13' },
  ];
  const nodesDoc: RawDocument = { name: 'nodes.json', body: nodeList(nodes) };
  let groupId = '';
  let cloud: ProxiedCloud;
  let admin: NeutronAdmin | undefined;
  let unlock: (() => void) | undefined;

  beforeAll(async () => {
    unlock = await lockCloud();
    admin = await NeutronAdmin.connect();
    await admin.removeTestObjects(); // leftovers of an interrupted run would hold the fixed IPs
    const net = await admin.network(`${run}net`);
    const sub = await admin.subnet(`${run}net`, net.id as string, '172.16.70.0/24');
    const group = await admin.group(`${run}nodes`);
    groupId = group.id as string;
    await admin.rule(groupId, { direction: 'ingress', protocol: 'udp', port_range_min: 8472, port_range_max: 8472, remote_ip_prefix: '172.16.70.0/24' });
    for (const n of nodes) {
      await admin.port(`${run}${n.name}`, net.id as string, sub.id as string, n.ip, {
        security_groups: [groupId],
        ...(n.serverId && { device_id: n.serverId, device_owner: 'compute:nova' }),
      });
    }
    cloud = await proxiedCloud();
  }, 780_000); // includes waiting for another run's lock

  afterAll(async () => {
    try {
      await cloud?.close();
      await admin?.removeTestObjects(run);
    } finally {
      unlock?.();
    }
  }, 120_000);

  /** Collects through the proxies with fresh limits; returns the result and how long it took. */
  async function collect(limits: CallLimits, http: HttpOptions = FAST, opts: { batchSize?: number; withServer?: boolean } = {}) {
    const deadline = new CollectionDeadline(limits);
    const started = Date.now();
    try {
      const collected = await collectOpenstack({
        cloud: 'sgaudit-reader',
        vtepIps: nodes.map((n) => n.ip),
        ...(opts.withServer !== false && { serverIds: [serverId] }),
        ...(opts.batchSize !== undefined && { batchSize: opts.batchSize }),
        config: cloud.config,
        http,
        deadline,
      });
      return { collected, elapsedMs: Date.now() - started };
    } finally {
      deadline.dispose();
    }
  }

  function audit(collected: OpenstackCollection) {
    return runAudit({ ...emptyInputs(), nodes: [nodesDoc], openstack: collected.documents, unavailable: collected.unavailable }).report;
  }

  const ports = /^\/v2\.0\/ports\?/;
  const neutronCalls = (path: RegExp) => cloud.neutron.log.filter((r) => path.test(r.path));

  function reset(): void {
    cloud.keystone.setFaults([]);
    cloud.neutron.setFaults([]);
    cloud.keystone.log.length = 0;
    cloud.neutron.log.length = 0;
  }

  it('without faults, the proxied cloud reads everything and every pair is allowed', async () => {
    reset();
    const { collected } = await collect({ requestTimeoutMs: 5000, deadlineMs: 60_000 });
    expect(collected.unavailable).toEqual([]);
    // the catalog rewrite sent Neutron traffic through the proxy
    expect(neutronCalls(ports).length).toBeGreaterThanOrEqual(2);
    expect(collected.cloud.neutronUrl).toBe(cloud.neutron.url);
    expect(audit(collected).summary).toMatchObject({ nodes: 3, directedPairs: 6, allowed: 6, blocked: 0, unknown: 0 });
  });

  it('Neutron hangs on every ports request: returns at the deadline, every node unknown with "timed out"', async () => {
    reset();
    cloud.neutron.setFaults([{ method: 'GET', path: ports, action: { kind: 'hang' } }]);
    const { collected, elapsedMs } = await collect({ requestTimeoutMs: 2000, deadlineMs: 5000 });
    expect(elapsedMs).toBeGreaterThanOrEqual(4500);
    expect(elapsedMs).toBeLessThan(5000 + SLACK_MS);
    const interfaces = collected.unavailable.filter((u) => u.kind === 'network-interface');
    expect(interfaces.map((u) => u.ip ?? u.instanceId).sort()).toEqual([...nodes.map((n) => n.ip), serverId].sort());
    for (const u of interfaces) expect(u.reason).toMatch(/timed out after 5 s \(collection deadline\)/);
    // the VTEP batch was in flight when the deadline hit; the server's batch was never sent
    expect(interfaces.find((u) => u.instanceId === serverId)!.reason).toBe(`ports of server ${serverId}: not read: timed out after 5 s (collection deadline)`);
    expect(neutronCalls(ports).every((r) => r.path.includes('fixed_ips'))).toBe(true);
    const report = audit(collected);
    expect(report.summary).toMatchObject({ directedPairs: 6, unknown: 6, allowed: 0 });
  });

  it('a request that times out on every attempt is unavailable for exactly its nodes, with the attempts', async () => {
    reset();
    cloud.neutron.setFaults([{ path: /^\/v2\.0\/ports\?fixed_ips=ip_address%3D172\.16\.70\.12$/, action: { kind: 'hang' } }]);
    const { collected, elapsedMs } = await collect({ requestTimeoutMs: 1000, deadlineMs: 60_000 }, { retries: 2, backoffScale: 0.001 }, { batchSize: 1 });
    expect(elapsedMs).toBeLessThan(3000 + SLACK_MS);
    expect(collected.unavailable).toEqual([
      {
        kind: 'network-interface',
        ip: '172.16.70.12',
        reason: `ports with address 172.16.70.12: GET ${cloud.neutron.url}/v2.0/ports?fixed_ips=ip_address%3D172.16.70.12 failed: ETIMEDOUT: timed out after 1 s (3 attempts)`,
      },
    ]);
    expect(neutronCalls(/ip_address%3D172\.16\.70\.12$/).map((r) => r.outcome)).toEqual(['hang', 'hang', 'hang']);
    const report = audit(collected);
    // f-1's four pairs are unknown; f-0 <-> f-2 were read and are allowed
    expect(report.summary).toMatchObject({ directedPairs: 6, unknown: 4, allowed: 2, blocked: 0 });
  });

  it('a timeout is retried like a 5xx: one slow answer, then success', async () => {
    reset();
    cloud.neutron.setFaults([{ path: ports, action: { kind: 'delay', ms: 1500 }, times: 1 }]);
    const { collected } = await collect({ requestTimeoutMs: 1000, deadlineMs: 60_000 });
    expect(collected.unavailable).toEqual([]);
    expect(neutronCalls(ports).slice(0, 2).map((r) => r.outcome)).toEqual(['delay', 'forward']);
    expect(audit(collected).summary).toMatchObject({ allowed: 6, unknown: 0 });
  });

  it('503 twice, then OK: the collection succeeds after the retries', async () => {
    reset();
    cloud.neutron.setFaults([{ path: /^\/v2\.0\/security-groups\?/, action: { kind: 'status', status: 503 }, times: 2 }]);
    const { collected } = await collect({ requestTimeoutMs: 5000, deadlineMs: 60_000 });
    expect(collected.unavailable).toEqual([]);
    expect(neutronCalls(/^\/v2\.0\/security-groups\?/).map((r) => r.outcome)).toEqual(['status', 'status', 'forward']);
    expect(audit(collected).summary).toMatchObject({ allowed: 6, unknown: 0 });
  });

  it('with got\'s real backoff, a retry that would sleep past the deadline is not scheduled', async () => {
    reset();
    cloud.neutron.setFaults([{ path: ports, action: { kind: 'status', status: 503 } }]);
    // backoff 1 s fits in the 2.5 s deadline, the next one (2 s) does not: 2 attempts, then stop
    const { collected, elapsedMs } = await collect({ requestTimeoutMs: 2000, deadlineMs: 2500 }, { retries: 3, backoffScale: 1 }, { withServer: false });
    expect(elapsedMs).toBeLessThan(2500);
    expect(neutronCalls(ports)).toHaveLength(2);
    expect(collected.unavailable).toHaveLength(3);
    for (const u of collected.unavailable) expect(u.reason).toMatch(/failed: HTTP 503 Service Unavailable: fault proxy: injected HTTP 503 \(2 attempts\)$/);
    expect(audit(collected).summary).toMatchObject({ unknown: 6, allowed: 0 });
  });

  it('dropped connections on the group and its rules: the group is unavailable with the cause, its pairs unknown', async () => {
    reset();
    // both reads of the group: its body and its standalone rules (either one alone still shows
    // the allowing rule, and groups only allow, so the pairs would rightly stay allowed)
    cloud.neutron.setFaults([{ path: /^\/v2\.0\/security-group(s|-rules)\?/, action: { kind: 'drop' } }]);
    const { collected, elapsedMs } = await collect({ requestTimeoutMs: 5000, deadlineMs: 60_000 });
    expect(elapsedMs).toBeLessThan(5000);
    const group = collected.unavailable.filter((u) => u.kind === 'security-group' && u.id === groupId);
    expect(group.map((u) => u.reason)).toEqual([
      `security-groups ${groupId}: GET ${cloud.neutron.url}/v2.0/security-groups?id=${groupId} failed: ECONNRESET: socket hang up (4 attempts)`,
      `rules of security group ${groupId}: GET ${cloud.neutron.url}/v2.0/security-group-rules?security_group_id=${groupId} failed: ECONNRESET: socket hang up (4 attempts)`,
    ]);
    const report = audit(collected);
    expect(report.summary).toMatchObject({ directedPairs: 6, unknown: 6, allowed: 0 });
  });

  it('dropped connections on the group body only: the failure is listed, the rules read still decide', async () => {
    reset();
    cloud.neutron.setFaults([{ path: /^\/v2\.0\/security-groups\?/, action: { kind: 'drop' } }]);
    const { collected } = await collect({ requestTimeoutMs: 5000, deadlineMs: 60_000 });
    expect(collected.unavailable.map((u) => [u.kind, u.id])).toEqual([['security-group', groupId]]);
    expect(collected.unavailable[0]!.reason).toContain('ECONNRESET: socket hang up (4 attempts)');
    // the allowing rule itself was read from the rules API, and a group only ever allows
    expect(audit(collected).summary).toMatchObject({ allowed: 6, blocked: 0 });
  });

  it('garbage instead of JSON: the nodes are unavailable with the parse error, not retried', async () => {
    reset();
    cloud.neutron.setFaults([{ path: ports, action: { kind: 'garbage' } }]);
    const { collected } = await collect({ requestTimeoutMs: 5000, deadlineMs: 60_000 });
    const interfaces = collected.unavailable.filter((u) => u.kind === 'network-interface');
    expect(interfaces).toHaveLength(4);
    for (const u of interfaces) expect(u.reason).toMatch(/failed: ERR_BODY_PARSE_FAILURE: .*not valid JSON/);
    expect(neutronCalls(ports)).toHaveLength(2); // one per batch (VTEPs, server), no retries
    expect(audit(collected).summary).toMatchObject({ unknown: 6, allowed: 0 });
  });

  it('Keystone hangs: no exception, every node unavailable with the cause, within the deadline', async () => {
    reset();
    cloud.keystone.setFaults([{ method: 'POST', path: /^\/v3\/auth\/tokens/, action: { kind: 'hang' } }]);
    const { collected, elapsedMs } = await collect({ requestTimeoutMs: 1000, deadlineMs: 3000 });
    expect(elapsedMs).toBeLessThan(3000 + SLACK_MS);
    expect(collected.requests).toBe(0);
    expect(collected.documents).toEqual([]);
    expect(collected.cloud.neutronUrl).toBeUndefined();
    expect(cloud.neutron.log).toEqual([]);
    expect(collected.unavailable.map((u) => [u.kind, u.ip ?? u.instanceId])).toEqual([
      ['network-interface', '172.16.70.11'],
      ['network-interface', '172.16.70.12'],
      ['network-interface', '172.16.70.13'],
      ['network-interface', serverId],
    ]);
    for (const u of collected.unavailable) {
      expect(u.reason).toMatch(/not read, Keystone could not be reached: Keystone login failed at http:\/\/127\.0\.0\.1:\d+\/v3\/auth\/tokens: .*timed out after/);
    }
    expect(audit(collected).summary).toMatchObject({ directedPairs: 6, unknown: 6, allowed: 0 });
  });

  it('Keystone answers 503 on every attempt: unavailable too, not an exception', async () => {
    reset();
    cloud.keystone.setFaults([{ method: 'POST', path: /^\/v3\/auth\/tokens/, action: { kind: 'status', status: 503 } }]);
    const { collected } = await collect({ requestTimeoutMs: 2000, deadlineMs: 30_000 });
    expect(collected.unavailable).toHaveLength(4);
    expect(collected.unavailable[0]!.reason).toMatch(/HTTP 503 Service Unavailable: fault proxy: injected HTTP 503 \(4 attempts\)/);
  });

  it('Keystone refusing the login (401) still throws: the configuration must change', async () => {
    reset();
    cloud.keystone.setFaults([
      { method: 'POST', path: /^\/v3\/auth\/tokens/, action: { kind: 'status', status: 401, body: { error: { code: 401, message: 'The request you have made requires authentication.' } } } },
    ]);
    const error = await collect({ requestTimeoutMs: 2000, deadlineMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeystoneError);
    expect(error).toMatchObject({ failure: 'refused', status: 401, timedOut: false });
  });

  it('the CLI/server entry point: a hung Neutron ends as unknown pairs through collectOpenstackInputs and runAudit', async () => {
    reset();
    cloud.neutron.setFaults([{ path: /^\/v2\.0\//, action: { kind: 'hang' } }]);
    const saved = { ...process.env };
    const deadline = new CollectionDeadline({ requestTimeoutMs: 1000, deadlineMs: 3000 });
    const started = Date.now();
    try {
      for (const k of Object.keys(process.env)) if (k.startsWith('OS_')) delete process.env[k];
      Object.assign(process.env, cloud.config.env);
      const inputs = await collectOpenstackInputs([nodesDoc], { osCloud: 'sgaudit-reader' }, { deadline, http: FAST });
      expect(Date.now() - started).toBeLessThan(3000 + SLACK_MS);
      const { report } = runAudit({ ...emptyInputs(), nodes: [nodesDoc], openstack: inputs.openstack, unavailable: inputs.unavailable });
      expect(report.summary).toMatchObject({ directedPairs: 6, unknown: 6, allowed: 0 });
      const unknown = report.findings.filter((f) => f.verdict === 'unknown');
      expect(unknown.length).toBeGreaterThan(0);
      expect(JSON.stringify(unknown)).toMatch(/timed out after/);
    } finally {
      process.env = saved;
      deadline.dispose();
    }
  });

  it('the CLI: `audit --os-cloud` against a hung Neutron exits 1 within --deadline + 5 s, every pair unknown', async () => {
    reset();
    cloud.neutron.setFaults([{ path: /^\/v2\.0\//, action: { kind: 'hang' } }]);
    const dir = mkdtempSync(join(tmpdir(), 'sgaudit-os-cli-'));
    try {
      const nodesFile = join(dir, 'nodes.json');
      writeFileSync(nodesFile, JSON.stringify(nodeList(nodes)));
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, ...cloud.config.env };
      const args = ['--import', 'tsx', 'src/cli/bin.ts', 'audit', '--nodes', nodesFile, '--os-cloud', 'sgaudit-reader', '--request-timeout', '1', '--deadline', '3', '--format', 'json'];
      const started = Date.now();
      // async, not spawnSync: the proxies answering the CLI's Keystone login run in this process
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, args, { env, cwd: process.cwd(), timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
        );
      });
      const elapsedMs = Date.now() - started;
      expect(run.stderr).not.toMatch(/Error:/);
      expect(run.code).toBe(1);
      // the target, tsx start-up included
      expect(elapsedMs).toBeLessThan(3000 + 5000);
      const report = JSON.parse(run.stdout) as { summary: Record<string, number> };
      expect(report.summary).toMatchObject({ directedPairs: 6, unknown: 6, allowed: 0 });
      expect(run.stdout).toMatch(/timed out after/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
