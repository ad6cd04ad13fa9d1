/**
 * Fault tier for live EC2: moto behind test/support/ec2-fault-proxy.ts, which hangs, delays,
 * drops or garbles chosen actions. Whatever EC2 does, the collection ends within its deadline
 * and every pair whose data was not read is `unknown` with the cause, never `allowed`.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectAws } from '../../providers/aws/collect.js';
import { ec2RequestHandlerConfig } from '../../providers/aws/ec2-client.js';
import { collectLiveInputs } from '../../src/inputs/live.js';
import { CollectionDeadline } from '../../src/model/deadline.js';
import { emptyInputs, type AuditInputs } from '../../src/model/documents.js';
import type { Unavailable } from '../../src/model/cloud.js';
import type { AuditReport } from '../../src/model/report.js';
import { runAudit } from '../../src/pipeline/audit.js';
import { buildTopology, randomBlock, threeNodeSpec, type Topology } from '../support/aws-topology.js';
import { flannelConfigMap, nodeListFor } from '../support/cluster-docs.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../support/ec2-fault-proxy.js';
import { MOTO_ENDPOINT, motoClient, motoReachable } from '../support/moto.js';
import { requireTier } from '../support/tier.js';
import { pairVerdicts, runCli, writeDocs } from './aws-cli-support.js';

const moto = await motoReachable();
const ok = requireTier('aws-moto', moto.ok, moto.reason);

function nodeInputs(topo: Topology): AuditInputs {
  const inputs = emptyInputs();
  inputs.nodes = [
    nodeListFor(Object.keys(topo.ips).sort().map((name) => ({ name, ip: topo.ips[name]!, instanceId: topo.instanceIds[name]! }))),
  ];
  inputs.flannel = [flannelConfigMap()];
  return inputs;
}

/** A client like the CLI's: the given per-attempt timeout, 3 attempts, through the proxy. */
function proxiedClient(endpoint: string, requestTimeoutMs: number): EC2Client {
  return motoClient({ endpoint, maxAttempts: 3, requestHandler: ec2RequestHandlerConfig(requestTimeoutMs) });
}

describe.skipIf(!ok)('EC2 faults: every case ends within its deadline, unread data is unknown', () => {
  let setupClient: EC2Client;
  /** Every pair allowed when EC2 answers: UDP 8472 from the node group itself. */
  let topo: Topology;
  let proxy: FaultProxy | undefined;
  /**
   * Wall time of the same CLI run against a healthy EC2, measured under the same machine load.
   * Starting node, tsx and the AWS SDK takes seconds on a busy 2-core runner; the hung cases
   * must end within their deadline + 5 s of that.
   */
  let healthySeconds = Number.NaN;
  let healthy: Awaited<ReturnType<typeof auditCli>>;

  beforeAll(async () => {
    setupClient = motoClient();
    topo = await buildTopology(setupClient, threeNodeSpec(randomBlock(), [{ protocol: 'udp', port: 8472, from: { group: 'nodes' } }]));
    const p = await startFaultProxy(MOTO_ENDPOINT, []);
    try {
      healthy = await auditCli(p.endpoint, ['--deadline', '30', '--request-timeout', '10']);
      healthySeconds = healthy.seconds;
    } finally {
      await p.close();
    }
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  /** What a deadline that passes during DescribeSecurityGroups leaves unread: the group, both subnets and their NACLs. */
  function deadlineEntries(seconds: number): Unavailable[] {
    const cause = `timed out after ${seconds} s (collection deadline)`;
    const subnets = [topo.subnetIds.a!, topo.subnetIds.b!].sort();
    return [
      { kind: 'security-group', id: topo.groupIds.nodes!, reason: `DescribeSecurityGroups: ${cause}` },
      ...subnets.map((id): Unavailable => ({ kind: 'subnet', id, reason: `DescribeSubnets: ${cause}` })),
      ...subnets.map((subnetId): Unavailable => ({ kind: 'network-acl', subnetId, reason: `DescribeNetworkAcls: ${cause}` })),
    ];
  }

  async function withProxy(rules: FaultRule[]): Promise<FaultProxy> {
    proxy = await startFaultProxy(MOTO_ENDPOINT, rules);
    return proxy;
  }

  /** The real CLI against the proxy; nodes and flannel from files, EC2 live. */
  async function auditCli(endpoint: string, limits: string[]) {
    const inputs = nodeInputs(topo);
    const [nodes, flannel] = writeDocs([inputs.nodes[0]!, inputs.flannel[0]!]);
    const run = await runCli(
      ['audit', '--nodes', nodes!, '--flannel', flannel!, '--aws-region', 'us-east-1', '--aws-vpc-id', topo.vpcId, '--format', 'json', ...limits],
      { AWS_ENDPOINT_URL_EC2: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_MAX_ATTEMPTS: '3' },
    );
    return { ...run, report: run.stdout ? (JSON.parse(run.stdout) as AuditReport) : undefined };
  }

  it('baseline: through a proxy with no faults, every pair is allowed (so the unknowns below come from the faults)', () => {
    expect(healthy.code).toBe(0);
    expect(healthy.report?.summary).toMatchObject({ allowed: 6, blocked: 0, unknown: 0 });
    expect(healthy.lingerSeconds).toBeLessThan(1);
  });

  it('in process, a hung DescribeSecurityGroups ends the collection at its deadline, not later', async () => {
    const p = await withProxy([{ action: 'DescribeSecurityGroups', fault: 'hang' }]);
    const deadline = new CollectionDeadline({ requestTimeoutMs: 20_000, deadlineMs: 2000 });
    const started = performance.now();
    try {
      const live = await collectLiveInputs(nodeInputs(topo), { aws: { client: proxiedClient(p.endpoint, 20_000), vpcIds: [topo.vpcId] }, deadline });
      const seconds = (performance.now() - started) / 1000;
      expect(seconds).toBeGreaterThanOrEqual(1.9);
      expect(seconds).toBeLessThan(2 + 1);
      // The group, and everything after it that no call read, is unknown with the deadline cause.
      expect(live.inputs.unavailable).toEqual(deadlineEntries(2));
      expect(runAudit(live.inputs).report.summary).toMatchObject({ allowed: 0, unknown: 6 });
      // The abort reached the socket: nothing is left hanging at the proxy.
      await new Promise((r) => setTimeout(r, 100));
      expect(p.hanging()).toBe(0);
    } finally {
      deadline.dispose();
    }
  });

  it('CLI, DescribeNetworkInterfaces hung: each attempt times out after 1 s, exit 1 within the deadline, every pair unknown', async () => {
    const p = await withProxy([{ action: 'DescribeNetworkInterfaces', fault: 'hang' }]);
    const run = await auditCli(p.endpoint, ['--deadline', '4', '--request-timeout', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.seconds - healthySeconds).toBeLessThan(4 + 5);
    expect(run.lingerSeconds).toBeLessThan(1);
    expect(Object.values(pairVerdicts(run.report!))).toEqual(Array(6).fill('unknown'));
    expect(run.report!.summary).toMatchObject({ allowed: 0, blocked: 0, unknown: 6 });
    expect(JSON.stringify(run.report!.findings)).toContain('DescribeNetworkInterfaces failed: TimeoutError: timed out after 1 s (3 attempts)');
    // Three attempts reached the proxy, and none is left hanging: the CLI closed its sockets.
    expect(p.faulted.get('DescribeNetworkInterfaces')).toBe(3);
    expect(p.hanging()).toBe(0);
  });

  it('CLI, DescribeSecurityGroups hung past the deadline: the deadline ends it, exit 1, every pair unknown with "collection deadline"', async () => {
    const p = await withProxy([{ action: 'DescribeSecurityGroups', fault: 'hang' }]);
    const run = await auditCli(p.endpoint, ['--deadline', '3', '--request-timeout', '20']);
    expect(run.code).toBe(1);
    expect(run.seconds - healthySeconds).toBeLessThan(3 + 5);
    expect(run.lingerSeconds).toBeLessThan(1);
    expect(Object.values(pairVerdicts(run.report!))).toEqual(Array(6).fill('unknown'));
    const findings = JSON.stringify(run.report!.findings);
    expect(findings).toContain('DescribeSecurityGroups: timed out after 3 s (collection deadline)');
    // Interfaces were read before the hang: one attempt of the groups call, no retry after the deadline.
    expect(p.faulted.get('DescribeSecurityGroups')).toBe(1);
    expect(p.requests.get('DescribeNetworkInterfaces')).toBe(1);
  });

  it('CLI collect with a hung EC2: writes unavailable.json with the cause, within the deadline', async () => {
    const p = await withProxy([{ action: 'DescribeSecurityGroups', fault: 'hang' }]);
    const inputs = nodeInputs(topo);
    const [nodes, flannel] = writeDocs([inputs.nodes[0]!, inputs.flannel[0]!]);
    const out = mkdtempSync(join(tmpdir(), 'sgaudit-collect-faults-'));
    const run = await runCli(
      ['collect', '--out', out, '--nodes', nodes!, '--flannel', flannel!, '--aws-region', 'us-east-1', '--aws-vpc-id', topo.vpcId, '--deadline', '2', '--request-timeout', '20'],
      { AWS_ENDPOINT_URL_EC2: p.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
    );
    expect(run.code).toBe(0);
    expect(run.seconds - healthySeconds).toBeLessThan(2 + 5);
    expect(run.lingerSeconds).toBeLessThan(1);
    expect(p.hanging()).toBe(0);
    const unavailable = JSON.parse(readFileSync(join(out, 'unavailable.json'), 'utf8')) as Unavailable[];
    expect(unavailable).toEqual(deadlineEntries(2));
    expect(run.stderr).toContain('5 object(s) could not be read');
  });

  it('a deadline that has already passed makes no call at all: every VTEP IP is unknown with the deadline cause', async () => {
    const p = await withProxy([]);
    const deadline = new CollectionDeadline({ requestTimeoutMs: 1000, deadlineMs: 100 });
    await new Promise((r) => setTimeout(r, 150));
    const result = await collectAws({ vtepIps: Object.values(topo.ips), client: proxiedClient(p.endpoint, 1000), deadline });
    expect(p.requests.size).toBe(0);
    expect(result.calls).toBe(0);
    expect(result.unavailable).toHaveLength(3);
    for (const u of result.unavailable) {
      expect(u).toMatchObject({ kind: 'network-interface', reason: 'DescribeNetworkInterfaces: timed out after 0.1 s (collection deadline)' });
    }
  });

  it('a delay shorter than the request timeout is only slow: every pair allowed', async () => {
    const p = await withProxy([{ action: 'DescribeSecurityGroups', fault: 'delay', ms: 400 }]);
    const deadline = new CollectionDeadline({ requestTimeoutMs: 2000, deadlineMs: 20_000 });
    try {
      const live = await collectLiveInputs(nodeInputs(topo), { aws: { client: proxiedClient(p.endpoint, 2000), vpcIds: [topo.vpcId] }, deadline });
      expect(live.inputs.unavailable).toEqual([]);
      expect(runAudit(live.inputs).report.summary).toMatchObject({ allowed: 6, unknown: 0 });
      expect(p.faulted.get('DescribeSecurityGroups')).toBe(1);
    } finally {
      deadline.dispose();
    }
  });

  it('one attempt slower than the request timeout is retried like a 5xx: the second attempt answers, every pair allowed', async () => {
    const p = await withProxy([{ action: 'DescribeSecurityGroups', fault: 'delay', ms: 3000, times: 1 }]);
    const deadline = new CollectionDeadline({ requestTimeoutMs: 800, deadlineMs: 20_000 });
    try {
      const live = await collectLiveInputs(nodeInputs(topo), { aws: { client: proxiedClient(p.endpoint, 800), vpcIds: [topo.vpcId] }, deadline });
      expect(live.inputs.unavailable).toEqual([]);
      expect(runAudit(live.inputs).report.summary).toMatchObject({ allowed: 6, unknown: 0 });
      expect(p.requests.get('DescribeSecurityGroups')).toBe(2);
    } finally {
      deadline.dispose();
    }
  });

  it.each([
    {
      name: 'a connection dropped on every attempt',
      rule: { action: 'DescribeSecurityGroups', fault: 'drop' } as FaultRule,
      reason: /^DescribeSecurityGroups failed: ECONNRESET: socket hang up \(3 attempts\)$/,
    },
    {
      name: 'a 200 whose body is not XML',
      rule: { action: 'DescribeSecurityGroups', fault: 'garbage' } as FaultRule,
      reason: /^DescribeSecurityGroups failed: unreadable answer \(HTTP 200\): @aws-sdk XML parse error: unexpected content\. \(1 attempt\)$/,
    },
    {
      name: 'HTTP 500 on every attempt',
      rule: { action: 'DescribeSecurityGroups', code: 'InternalError', message: 'An internal error has occurred', status: 500 } as FaultRule,
      reason: /^DescribeSecurityGroups failed: InternalError: An internal error has occurred \(3 attempts\)$/,
    },
    {
      name: 'throttling on every attempt',
      rule: { action: 'DescribeSecurityGroups', code: 'RequestLimitExceeded', message: 'Request limit exceeded.' } as FaultRule,
      reason: /^DescribeSecurityGroups failed: RequestLimitExceeded: Request limit exceeded\. \(3 attempts\)$/,
    },
  ])('$name: every pair unknown with the cause, never allowed', async ({ rule, reason }) => {
    const p = await withProxy([rule]);
    const deadline = new CollectionDeadline({ requestTimeoutMs: 2000, deadlineMs: 20_000 });
    try {
      const live = await collectLiveInputs(nodeInputs(topo), { aws: { client: proxiedClient(p.endpoint, 2000), vpcIds: [topo.vpcId] }, deadline });
      expect(live.inputs.unavailable).toHaveLength(1);
      expect(live.inputs.unavailable[0]).toMatchObject({ kind: 'security-group', id: topo.groupIds.nodes });
      expect((live.inputs.unavailable[0] as { reason: string }).reason).toMatch(reason);
      const { report } = runAudit(live.inputs);
      expect(Object.values(pairVerdicts(report))).toEqual(Array(6).fill('unknown'));
      expect(report.summary).toMatchObject({ allowed: 0, unknown: 6 });
    } finally {
      deadline.dispose();
    }
  });

  it('503 twice, then an answer: the SDK retries within the deadline and every pair is allowed', async () => {
    const p = await withProxy([{ action: 'DescribeNetworkInterfaces', code: 'Unavailable', message: 'The server is overloaded', status: 503, times: 2 }]);
    const deadline = new CollectionDeadline({ requestTimeoutMs: 2000, deadlineMs: 20_000 });
    try {
      const live = await collectLiveInputs(nodeInputs(topo), { aws: { client: proxiedClient(p.endpoint, 2000), vpcIds: [topo.vpcId] }, deadline });
      expect(live.inputs.unavailable).toEqual([]);
      expect(runAudit(live.inputs).report.summary).toMatchObject({ allowed: 6 });
      expect(p.requests.get('DescribeNetworkInterfaces')).toBe(3);
    } finally {
      deadline.dispose();
    }
  });
});
