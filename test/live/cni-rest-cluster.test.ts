/**
 * Configured Calico clusters through the REST service: `sgaudit serve --config` with
 * `clusters.<name>.cni` and `clusters.<name>.controlPlane`, and POST /v1/clusters/{name}/audits
 * running the production collector against a fake Kubernetes API (calico-config, an IPPool,
 * nodes annotated by Calico) plus moto (AWS), where one VPC's group admits IP protocol 4 and
 * the other's does not.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizeSecurityGroupIngressCommand, type EC2Client } from '@aws-sdk/client-ec2';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { calicoConfig, ipPool } from '../../providers/kubernetes/testdata/cni.js';
import { sha256 } from '../../src/http/auth.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { resolveSettings } from '../../src/http/settings.js';
import type { AuditReport } from '../../src/model/report.js';
import { buildTopology, randomBlock, threeNodeSpec, type IngressRule, type Topology } from '../support/aws-topology.js';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer } from '../support/fake-apiserver.js';
import { motoProfileEnv } from '../support/live-cluster.js';
import { motoClient, motoReachable } from '../support/moto.js';
import { expectConformsToSpec } from '../support/openapi-response.js';
import { requireTier } from '../support/tier.js';

const moto = await motoReachable();
const awsOk = requireTier('aws-moto', moto.ok, moto.reason);

const TOKEN = 'cni-rest-cluster-token-0123456789';
const AUTH = `Bearer ${TOKEN}`;
const KUBE_TOKEN = 'cni-rest-cluster-kube-token';
const PROFILE = 'sgaudit-moto-cni';

/** Calico-annotated nodes for the topology's instances; a1 is the control-plane node. */
function calicoNodes(topo: Topology): Record<string, unknown>[] {
  return Object.keys(topo.ips).sort().map((name, i) => ({
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(name === 'a1' && { 'node-role.kubernetes.io/control-plane': '' }) },
      annotations: { 'projectcalico.org/IPv4Address': `${topo.ips[name]}/24`, 'projectcalico.org/IPv4IPIPTunnelAddr': `192.168.${i}.1` },
    },
    spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`], providerID: `aws:///us-east-1a/${topo.instanceIds[name]}` },
    status: { addresses: [{ type: 'InternalIP', address: topo.ips[name] }, { type: 'Hostname', address: name }] },
  }));
}

async function calicoCluster(topo: Topology): Promise<{ api: FakeApiServer; kubeconfig: string }> {
  const api = await startFakeApiServer({
    token: KUBE_TOKEN,
    nodes: calicoNodes(topo),
    configMaps: { 'kube-system/calico-config': (calicoConfig('bird') as { data: Record<string, string> }).data },
    customObjects: { 'crd.projectcalico.org/v1/ippools': [ipPool('default-ipv4-ippool', { cidr: '192.168.0.0/16', ipipMode: 'Always', vxlanMode: 'Never' })] },
  });
  return { api, kubeconfig: await writeKubeconfig(api.server, KUBE_TOKEN) };
}

/** Verdict per directed pair and requirement, from the findings; pairs no finding names are allowed. */
function verdicts(report: AuditReport, requirement: string): Record<string, string> {
  const names = report.nodes.map((n) => n.name);
  const out: Record<string, string> = {};
  for (const f of report.findings.filter((x) => x.requirement === requirement)) {
    expect(f.pairsTruncated).toBe(false);
    for (const p of f.pairs) out[`${p.sourceNode}->${p.destinationNode}`] = f.verdict;
  }
  expect(names.length).toBeGreaterThan(0);
  return out;
}

describe.skipIf(!awsOk)('configured Calico clusters: Kubernetes (fake API server) + AWS (moto)', () => {
  const apis: FakeApiServer[] = [];
  let server: RunningServer | undefined;
  let restoreEnv: (() => void) | undefined;

  beforeAll(async () => {
    const client: EC2Client = motoClient();
    // The same group in both VPCs (BGP, API server, kubelet from the group itself); only one admits protocol 4.
    const common = (): IngressRule[] => [
      { protocol: 'tcp', port: 179, from: { group: 'nodes' } },
      { protocol: 'tcp', port: 6443, from: { group: 'nodes' } },
      { protocol: 'tcp', port: 10250, from: { group: 'nodes' } },
      // UDP 4789 is VXLAN, not IP-in-IP: it must not pass for protocol 4.
      { protocol: 'udp', port: 4789, from: { group: 'nodes' } },
    ];
    const open = await buildTopology(client, threeNodeSpec(randomBlock(), common()));
    await client.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: open.groupIds.nodes,
      // Ports -1 as DescribeSecurityGroups returns them (moto 5.2 answers 500 when they are left out).
      IpPermissions: [{ IpProtocol: '4', FromPort: -1, ToPort: -1, UserIdGroupPairs: [{ GroupId: open.groupIds.nodes }] }],
    }));
    const closed = await buildTopology(client, threeNodeSpec(randomBlock(), common()));
    const openCluster = await calicoCluster(open);
    const closedCluster = await calicoCluster(closed);
    apis.push(openCluster.api, closedCluster.api);

    restoreEnv = await motoProfileEnv(PROFILE);

    const aws = (vpcId: string) => ({ provider: 'aws', region: 'us-east-1', profile: PROFILE, vpcIds: [vpcId] });
    const config = join(await mkdtemp(join(tmpdir(), 'sgaudit-cni-serve-')), 'sgaudit.yaml');
    await writeFile(config, stringify({
      tokens: [{ name: 'cni-rest-test', sha256: sha256(TOKEN).toString('hex'), scopes: ['audit', 'read'] }],
      clusters: {
        'calico-open': { kubernetes: { kubeconfig: openCluster.kubeconfig, context: 'fake' }, cloud: aws(open.vpcId), cni: 'calico', controlPlane: true },
        // No cni key: detected; no controlPlane: off.
        'calico-closed': { kubernetes: { kubeconfig: closedCluster.kubeconfig, context: 'fake' }, cloud: aws(closed.vpcId) },
      },
    }));
    server = await startServer(resolveSettings({ port: '0', dataDir: ':memory:', config, logLevel: 'silent' }, {}), {});
  });

  afterAll(async () => {
    await server?.close();
    await Promise.all(apis.map((a) => a.close()));
    restoreEnv?.();
  });

  const audit = async (name: string): Promise<AuditReport> => {
    const res = await request(server!.url).post(`/v1/clusters/${name}/audits`).set('Authorization', AUTH).send({});
    expectConformsToSpec(res, 'createClusterAudit');
    expect(res.status).toBe(201);
    return res.body as AuditReport;
  };

  it('cni: calico and controlPlane: true, protocol 4 admitted: Calico and control-plane requirements, every pair allowed', async () => {
    const report = await audit('calico-open');
    expect(report.cni).toMatchObject({ name: 'calico', how: 'given', conflicts: [] });
    expect(report.cni?.summary).toBe('calico: BGP on (tcp 179), IPPool default-ipv4-ippool 192.168.0.0/16 IP-in-IP Always');
    expect(report.flannel).toBeUndefined();
    const ids = report.requirements.map((r) => r.id);
    expect(ids.filter((id) => id.startsWith('calico-'))).toEqual(expect.arrayContaining(['calico-ipip', 'calico-bgp']));
    expect(ids.filter((id) => id.startsWith('kubernetes-'))).toEqual(['kubernetes-api-server', 'kubernetes-kubelet', 'kubernetes-etcd']);
    expect(report.requirements.find((r) => r.id === 'calico-ipip')).toMatchObject({ protocol: 'ipip' });
    expect(report.summary).toMatchObject({ nodes: 3, directedPairs: 6, allowed: 6, blocked: 0, unknown: 0 });
    expect(report.findings).toEqual([]);
    // Read live from the fake cluster, not assumed.
    expect(report.cni?.evidence.map((e) => e.source?.document)).toContain('live:kubernetes/configmaps/kube-system/calico-config');
  });

  it('detected Calico, protocol 4 not admitted (UDP 4789 is): all 6 pairs blocked on calico-ipip at the group, BGP allowed', async () => {
    const report = await audit('calico-closed');
    expect(report.cni).toMatchObject({ name: 'calico', how: 'detected', conflicts: [] });
    expect(report.requirements.map((r) => r.id).filter((id) => id.startsWith('kubernetes-'))).toEqual([]);
    expect(report.summary).toMatchObject({ nodes: 3, directedPairs: 6, allowed: 0, blocked: 6, unknown: 0 });
    expect(Object.values(verdicts(report, 'calico-ipip'))).toEqual(Array(6).fill('blocked'));
    expect(verdicts(report, 'calico-bgp')).toEqual({});
    expect(report.findings.map((f) => `${f.verdict}:${f.requirement}:${f.layer}:${f.pairCount}`)).toEqual(['blocked:calico-ipip:security-group:6']);
    // The fix proposes IP protocol 4 by number, into the group the collection read.
    expect(report.remediations.length).toBeGreaterThan(0);
    for (const r of report.remediations) {
      expect(r).toMatchObject({ provider: 'aws', direction: 'ingress', protocol: 'ipip', protocolNumber: 4, requirement: 'calico-ipip' });
      expect(r.target.id).toBe(report.findings[0]!.target?.id);
      expect(r.commands.cli).toContain("--ip-permissions 'IpProtocol=4,");
    }
    expect(report.remediations.reduce((n, r) => n + r.pairCount, 0)).toBe(6);
  });
});
