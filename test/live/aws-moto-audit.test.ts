import { readdir } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/pipeline/audit.js';
import { runCollect } from '../../src/cli/commands/collect.js';
import { collectLiveInputs } from '../../src/inputs/live.js';
import { readDocuments } from '../../src/inputs/read-files.js';
import { emptyInputs, type AuditInputs } from '../../src/model/documents.js';
import { readUnavailableFile } from '../../src/inputs/unavailable-file.js';
import type { AuditReport } from '../../src/model/report.js';
import { buildTopology, randomBlock, threeNodeSpec, type Topology } from '../support/aws-topology.js';
import { flannelConfigMap, nodeListFor } from '../support/cluster-docs.js';
import { startFaultProxy, type FaultProxy } from '../support/ec2-fault-proxy.js';
import { flannelNode, startFakeApiServer, vxlanNetConf, writeKubeconfig, type FakeApiServer } from '../support/fake-apiserver.js';
import { MOTO_ENDPOINT, motoClient, motoReachable } from '../support/moto.js';
import { requireTier } from '../support/tier.js';

const moto = await motoReachable();
const ok = requireTier('aws-moto', moto.ok, moto.reason);

type Verdict = 'allowed' | 'blocked' | 'unknown';

/** Verdict per directed pair `src->dst`, read from the report's findings (pairs absent there are allowed). */
function pairVerdicts(report: AuditReport): Record<string, Verdict> {
  const names = report.nodes.map((n) => n.name);
  const out: Record<string, Verdict> = {};
  for (const s of names) for (const d of names) if (s !== d) out[`${s}->${d}`] = 'allowed';
  for (const f of report.findings) {
    expect(f.pairsTruncated).toBe(false);
    for (const p of f.pairs) {
      const key = `${p.sourceNode}->${p.destinationNode}`;
      if (f.verdict === 'blocked' || out[key] === 'allowed') out[key] = f.verdict;
    }
  }
  return out;
}

function nodeInputs(topo: Topology): AuditInputs {
  const inputs = emptyInputs();
  inputs.nodes = [
    nodeListFor(Object.keys(topo.ips).sort().map((name) => ({ name, ip: topo.ips[name]!, instanceId: topo.instanceIds[name]! }))),
  ];
  inputs.flannel = [flannelConfigMap()];
  return inputs;
}



describe.skipIf(!ok)('live AWS audit against moto: verdicts match the topology', () => {
  let client: EC2Client;
  beforeAll(() => {
    client = motoClient();
  });

  async function auditLive(topo: Topology, c: EC2Client = client) {
    const live = await collectLiveInputs(nodeInputs(topo), { aws: { client: c, vpcIds: [topo.vpcId] } });
    return { ...runAudit(live.inputs), live };
  }

  it('UDP 8472 missing from the node group: every pair is blocked at the security group', async () => {
    const b = randomBlock();
    const topo = await buildTopology(client, threeNodeSpec(b, [
      { protocol: 'tcp', port: 8472, from: { cidr: `10.${b}.0.0/16` } },
      { protocol: 'tcp', port: 22, from: { cidr: `10.${b}.0.0/16` } },
    ]));
    const { report } = await auditLive(topo);
    expect(Object.values(pairVerdicts(report))).toEqual(Array(6).fill('blocked'));
    expect(report.summary).toMatchObject({ nodes: 3, directedPairs: 6, blocked: 6, allowed: 0, unknown: 0 });
    const finding = report.findings[0]!;
    expect(finding).toMatchObject({ layer: 'security-group', direction: 'ingress', protocol: 'udp', port: 8472 });
    expect(finding.target?.id).toBe(topo.groupIds.nodes);
    // The proposed fix is for the group the collection read.
    expect(report.remediations.map((r) => r.target.id)).toContain(topo.groupIds.nodes);
  });

  it('UDP 8472 from the group itself: every pair is allowed', async () => {
    const topo = await buildTopology(client, threeNodeSpec(randomBlock(), [{ protocol: 'udp', port: 8472, from: { group: 'nodes' } }]));
    const { report } = await auditLive(topo);
    expect(Object.values(pairVerdicts(report))).toEqual(Array(6).fill('allowed'));
    expect(report.summary).toMatchObject({ allowed: 6, blocked: 0, unknown: 0 });
    expect(report.nodes.every((n) => n.securityGroupIds.includes(topo.groupIds.nodes!))).toBe(true);
  });

  it('UDP 8472 through a prefix list that covers only subnet a: pairs into b-sources are blocked, the rest allowed', async () => {
    const b = randomBlock();
    const topo = await buildTopology(
      client,
      threeNodeSpec(b, [{ protocol: 'udp', port: 8472, from: { prefixList: 'nodes-a' } }], { prefixLists: { 'nodes-a': [`10.${b}.1.0/24`] } }),
    );
    const { report } = await auditLive(topo);
    expect(pairVerdicts(report)).toEqual({
      'a1->a2': 'allowed',
      'a1->b1': 'allowed',
      'a2->a1': 'allowed',
      'a2->b1': 'allowed',
      'b1->a1': 'blocked',
      'b1->a2': 'blocked',
    });
  });

  it('a NACL denying UDP 8472 into subnet b from subnet a blocks a->b only; same-subnet pairs never cross it', async () => {
    const b = randomBlock();
    const topo = await buildTopology(
      client,
      threeNodeSpec(b, [{ protocol: 'udp', port: 8472, from: { group: 'nodes' } }], {
        nacls: {
          guard: {
            subnets: ['b'],
            entries: [
              { rule: 90, egress: false, action: 'deny', protocol: 'udp', port: 8472, cidr: `10.${b}.1.0/24` },
              { rule: 100, egress: false, action: 'allow', protocol: '-1', cidr: '0.0.0.0/0' },
              { rule: 100, egress: true, action: 'allow', protocol: '-1', cidr: '0.0.0.0/0' },
            ],
          },
        },
      }),
    );
    const { report } = await auditLive(topo);
    expect(pairVerdicts(report)).toEqual({
      'a1->a2': 'allowed',
      'a2->a1': 'allowed',
      'a1->b1': 'blocked',
      'a2->b1': 'blocked',
      'b1->a1': 'allowed',
      'b1->a2': 'allowed',
    });
    const nacl = report.findings.find((f) => f.layer === 'network-acl');
    expect(nacl?.target?.id).toBe(topo.naclIds.guard);
  });

  describe('collection failures end as unknown, never allowed', () => {
    let proxy: FaultProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
      proxy = undefined;
    });

    it('throttled DescribeSecurityGroups on an otherwise open topology: every pair unknown, with the AWS error', async () => {
      const topo = await buildTopology(client, threeNodeSpec(randomBlock(), [{ protocol: 'udp', port: 8472, from: { group: 'nodes' } }]));
      proxy = await startFaultProxy(MOTO_ENDPOINT, [
        { action: 'DescribeSecurityGroups', code: 'RequestLimitExceeded', message: 'Request limit exceeded.' },
      ]);
      const { report, live } = await auditLive(topo, motoClient({ endpoint: proxy.endpoint, maxAttempts: 2 }));
      expect(live.inputs.unavailable).toHaveLength(1);
      expect(Object.values(pairVerdicts(report))).toEqual(Array(6).fill('unknown'));
      expect(report.summary).toMatchObject({ allowed: 0, blocked: 0, unknown: 6 });
      expect(JSON.stringify(report.findings)).toContain('RequestLimitExceeded');
    });

    it('throttled NACL look-up: same-subnet pairs still allowed, cross-subnet pairs unknown', async () => {
      const topo = await buildTopology(client, threeNodeSpec(randomBlock(), [{ protocol: 'udp', port: 8472, from: { group: 'nodes' } }]));
      proxy = await startFaultProxy(MOTO_ENDPOINT, [
        { action: 'DescribeNetworkAcls', code: 'RequestLimitExceeded', message: 'Request limit exceeded.' },
      ]);
      const { report } = await auditLive(topo, motoClient({ endpoint: proxy.endpoint, maxAttempts: 2 }));
      expect(pairVerdicts(report)).toEqual({
        'a1->a2': 'allowed',
        'a2->a1': 'allowed',
        'a1->b1': 'unknown',
        'a2->b1': 'unknown',
        'b1->a1': 'unknown',
        'b1->a2': 'unknown',
      });
    });
  });

  describe('everything live: nodes from the (fake) API server, EC2 from moto', () => {
    let api: FakeApiServer | undefined;
    afterEach(async () => {
      await api?.close();
      api = undefined;
    });

    async function serveClusterFor(topo: Topology) {
      const token = 'audit-token';
      api = await startFakeApiServer({
        token,
        nodes: Object.keys(topo.ips).sort().map((name, i) => flannelNode(name, topo.ips[name]!, `10.244.${i}.0/24`, topo.instanceIds[name]!)),
        configMaps: { 'kube-flannel/kube-flannel-cfg': { 'net-conf.json': vxlanNetConf('10.244.0.0/16') } },
      });
      return writeKubeconfig(api.server, token);
    }

    it('audit --kubeconfig --context --aws-region gives the same verdicts as the file path', async () => {
      const b = randomBlock();
      const topo = await buildTopology(client, threeNodeSpec(b, [{ protocol: 'udp', port: 8472, from: { cidr: `10.${b}.1.0/24` } }]));
      const kubeconfig = await serveClusterFor(topo);
      const live = await collectLiveInputs(emptyInputs(), {
        kubernetes: { kubeconfig, context: 'fake' },
        aws: { client, vpcIds: [topo.vpcId] },
      });
      const fromCluster = runAudit(live.inputs).report;
      const fromFiles = (await auditLive(topo)).report;
      expect(pairVerdicts(fromCluster)).toEqual(pairVerdicts(fromFiles));
      expect(pairVerdicts(fromCluster)).toEqual({
        'a1->a2': 'allowed',
        'a1->b1': 'allowed',
        'a2->a1': 'allowed',
        'a2->b1': 'allowed',
        'b1->a1': 'blocked',
        'b1->a2': 'blocked',
      });
      expect(fromCluster.flannel).toMatchObject({ backend: 'vxlan', port: 8472, origin: 'configmap' });
      // One node page, the flannel ConfigMap, and the 10 CNI reads (providers/kubernetes/collect-cni.ts).
      expect(live.calls.kubernetes).toBe(12);
    });

    it('collect --out writes documents an offline audit reads back to the same report, failures included', async () => {
      const topo = await buildTopology(client, threeNodeSpec(randomBlock(), [{ protocol: 'udp', port: 8472, from: { group: 'nodes' } }]));
      const kubeconfig = await serveClusterFor(topo);
      const proxy = await startFaultProxy(MOTO_ENDPOINT, [
        { action: 'DescribeNetworkAcls', code: 'RequestLimitExceeded', message: 'Request limit exceeded.' },
      ]);
      try {
        const out = await mkdtemp(join(tmpdir(), 'sgaudit-collect-'));
        const awsClient = motoClient({ endpoint: proxy.endpoint, maxAttempts: 2 });
        const summary = await runCollect({
          out,
          live: { kubernetes: { kubeconfig, context: 'fake' }, aws: { client: awsClient, vpcIds: [topo.vpcId] } },
        });
        const names = (await readdir(out)).sort();
        expect(names).toEqual([
          'aws-describe-network-acls.json',
          'aws-describe-network-interfaces.json',
          'aws-describe-security-group-rules.json',
          'aws-describe-security-groups.json',
          'aws-describe-subnets.json',
          'flannel.json',
          'nodes.json',
          'unavailable.json',
        ]);
        expect(summary.unavailable).toHaveLength(2);

        const offline = emptyInputs();
        offline.nodes = await readDocuments([join(out, 'nodes.json')], '--nodes');
        offline.flannel = await readDocuments([join(out, 'flannel.json')], '--flannel');
        offline.aws = await readDocuments(names.filter((n) => n.startsWith('aws-')).map((n) => join(out, n)), '--aws');
        offline.unavailable = await readUnavailableFile(join(out, 'unavailable.json'));
        const offlineReport = runAudit(offline).report;

        const live = await collectLiveInputs(emptyInputs(), {
          kubernetes: { kubeconfig, context: 'fake' },
          aws: { client: awsClient, vpcIds: [topo.vpcId] },
        });
        const liveReport = runAudit(live.inputs).report;
        expect(pairVerdicts(offlineReport)).toEqual(pairVerdicts(liveReport));
        expect(offlineReport.summary).toEqual(liveReport.summary);
        expect(offlineReport.summary).toMatchObject({ allowed: 2, unknown: 4 });
      } finally {
        await proxy.close();
      }
    });
  });
});
