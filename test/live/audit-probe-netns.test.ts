/**
 * End to end: the real `sgaudit audit --probe` CLI against the flannel-like namespace lab
 * (test/support/netns-lab.ts), with hand-written Neutron exports describing the lab nodes.
 * The security-group files are the configuration claim; nftables drops of UDP 8472 are what
 * the data plane really does. The two disagree on purpose in two of the four cases.
 *
 * Every node has its own security group, so each node is its own equivalence class and every
 * directed pair is a class pair: audit --probe then probes all six directions, which lets the
 * test pin exactly which directions a contradiction names.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFlannelLab, netnsLabUnavailableReason, removeStaleLabs, type Lab, type LabNode } from '../support/netns-lab.js';
import { requireTier } from '../support/tier.js';
import type { AuditReport, Finding } from '../../src/model/report.js';

const reason = netnsLabUnavailableReason();
const ok = requireTier('netns-probe', reason === undefined, reason ?? '');

const ROOT = resolve(import.meta.dirname, '../..');
const PROBE_ENTRY = join(ROOT, 'test/support/probe-cli.ts');
const SGAUDIT_ENTRY = join(ROOT, 'src/cli/bin.ts');
const SECRET = 'audit-probe-lab-secret-0123456789abcdef';
/** Not the default 9472, so the test fails if --agent-port does not reach the orchestrator. */
const AGENT_PORT = 9573;
const UNDERLAY_CIDR = '192.168.77.0/24';
const PROJECT = '5d2e0a9f8b7c46d4c3b2a1908f7e6d5c';
const NETWORK_ID = '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c01';
const SUBNET_ID = '7b6c5d4e-3f2a-4b1c-8d9e-0f1a2b3c4d01';

const serverId = (n: LabNode) => `c0ffee00-0000-4000-8000-0000000000${n.index.toString(16).padStart(2, '0')}`;
const portId = (n: LabNode) => `b0a7b0a7-0000-4000-8000-0000000000${n.index.toString(16).padStart(2, '0')}`;
const groupId = (n: LabNode) => `5e65e65e-0000-4000-8000-0000000000${n.index.toString(16).padStart(2, '0')}`;

/** The lab's NodeList (flannel annotations, podCIDRs) plus the OpenStack providerID that binds each node to its port. */
function nodeListWithProviderIds(lab: Lab): unknown {
  const list = lab.nodeList() as { items: { metadata: { name: string }; spec: Record<string, unknown> }[] };
  for (const item of list.items) {
    const node = lab.nodes.find((n) => n.name === item.metadata.name)!;
    item.spec.providerID = `openstack:///${serverId(node)}`;
  }
  return list;
}

const flannelConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel' },
  data: { 'net-conf.json': JSON.stringify({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan' } }) },
};

function neutronPorts(lab: Lab): unknown {
  return {
    ports: lab.nodes.map((n) => ({
      id: portId(n),
      name: `${n.name}-port`,
      network_id: NETWORK_ID,
      project_id: PROJECT,
      mac_address: `fa:16:3e:77:00:${n.index.toString(16).padStart(2, '0')}`,
      admin_state_up: true,
      status: 'ACTIVE',
      device_id: serverId(n),
      device_owner: 'compute:nova',
      fixed_ips: [{ subnet_id: SUBNET_ID, ip_address: n.underlayIp }],
      allowed_address_pairs: [],
      security_groups: [groupId(n)],
      port_security_enabled: true,
      'binding:host_id': `compute-${n.index}`,
    })),
  };
}

const neutronSubnets = {
  subnets: [
    { id: SUBNET_ID, name: 'lab-v4', network_id: NETWORK_ID, project_id: PROJECT, ip_version: 4, cidr: UNDERLAY_CIDR, gateway_ip: null },
  ],
};

function rule(n: LabNode, seq: number, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id: `40e40e40-0000-4000-8000-0000000${n.index.toString(16).padStart(2, '0')}0${seq}`,
    security_group_id: groupId(n),
    project_id: PROJECT,
    protocol: null,
    port_range_min: null,
    port_range_max: null,
    remote_ip_prefix: null,
    remote_group_id: null,
    remote_address_group_id: null,
    description: '',
    ...fields,
  };
}

/** One group per node: egress anywhere, and ingress UDP 8472 from the node subnet unless the node is listed. */
function neutronGroups(lab: Lab, withoutVxlanIngress: readonly string[]): unknown {
  return {
    security_groups: lab.nodes.map((n) => ({
      id: groupId(n),
      name: `${n.name}-sg`,
      project_id: PROJECT,
      stateful: true,
      shared: false,
      security_group_rules: [
        rule(n, 1, { direction: 'egress', ethertype: 'IPv4' }),
        rule(n, 2, { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '10.20.0.0/16' }),
        ...(withoutVxlanIngress.includes(n.name)
          ? []
          : [rule(n, 3, { direction: 'ingress', ethertype: 'IPv4', protocol: 'udp', port_range_min: 8472, port_range_max: 8472, remote_ip_prefix: UNDERLAY_CIDR, description: 'flannel vxlan' })]),
      ],
    })),
  };
}

/** The nftables stand-in for "the data plane drops VXLAN arriving at this node". */
const dropVxlanIngress = `table inet sg {
  chain input { type filter hook input priority 0; udp dport 8472 drop
  }
}`;

type Pair = [string, string];
const pairsOf = (f: Finding | undefined): Pair[] => (f?.pairs ?? []).map((p) => [p.sourceNode, p.destinationNode]);
const probedOf = (f: Finding | undefined): string[] => (f?.probes ?? []).map((r) => `${r.sourceNode}->${r.destinationNode} ${r.verdict}`);

describe.skipIf(!ok)('audit --probe end to end in network namespaces', () => {
  let lab: Lab | undefined;
  let dir: string;
  let nodesFile: string;
  let secretFile: string;
  const agents: ChildProcess[] = [];
  const node = (name: string): LabNode => lab!.nodes.find((n) => n.name === name)!;

  beforeAll(async () => {
    removeStaleLabs();
    lab = createFlannelLab({ nodeCount: 3 });
    dir = mkdtempSync(join(tmpdir(), 'sgaudit-audit-probe-'));
    nodesFile = join(dir, 'nodes.json');
    secretFile = join(dir, 'probe-secret');
    writeFileSync(nodesFile, JSON.stringify(nodeListWithProviderIds(lab)));
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'kube-flannel-cfg.json'), JSON.stringify(flannelConfigMap));
    writeFileSync(join(dir, 'ports.json'), JSON.stringify(neutronPorts(lab)));
    writeFileSync(join(dir, 'subnets.json'), JSON.stringify(neutronSubnets));

    // Agents get the secret from the environment, the audit from --secret-file: both paths are exercised.
    const env = { ...process.env, SGAUDIT_PROBE_SECRET: SECRET };
    await Promise.all(
      lab.nodes.map((n) => {
        const child = spawn(
          'ip',
          ['netns', 'exec', n.ns, process.execPath, '--import', 'tsx', PROBE_ENTRY,
            'agent', '--node-name', n.name, '--nodes', nodesFile, '--port', String(AGENT_PORT)],
          { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
        );
        agents.push(child);
        return new Promise<void>((ready, fail) => {
          let stderr = '';
          child.stderr!.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            if (stderr.includes('"agent listening"')) ready();
          });
          child.once('exit', (code) => fail(new Error(`agent on ${n.name} exited with ${code}: ${stderr}`)));
        });
      }),
    );
  }, 60_000);

  afterAll(() => {
    for (const child of agents) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    // Each case sets its own data plane: start from no drops anywhere.
    for (const n of lab!.nodes) lab!.exec(n.ns, ['nft', 'flush', 'ruleset']);
  });

  /** Runs the real CLI inside the lab's bridge namespace, the only place that reaches every agent. */
  function audit(withoutVxlanIngress: readonly string[], agentPort = AGENT_PORT): { status: number | null; report: AuditReport; stderr: string } {
    const groupsFile = join(dir, 'security-groups.json');
    writeFileSync(groupsFile, JSON.stringify(neutronGroups(lab!, withoutVxlanIngress)));
    const env = { ...process.env };
    delete env.SGAUDIT_PROBE_SECRET;
    const res = spawnSync(
      'ip',
      ['netns', 'exec', lab!.labNs, process.execPath, '--import', 'tsx', SGAUDIT_ENTRY, 'audit',
        '--nodes', nodesFile,
        '--flannel', join(dir, 'kube-flannel-cfg.json'),
        '--openstack', join(dir, 'ports.json'), groupsFile, join(dir, 'subnets.json'),
        '--format', 'json',
        '--probe', '--agent-port', String(agentPort), '--probe-timeout-ms', '600', '--secret-file', secretFile],
      { env, cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    if (res.status !== 0 && res.status !== 1) throw new Error(`audit exited ${res.status} (${res.signal ?? 'no signal'}): ${res.stderr}`);
    return { status: res.status, report: JSON.parse(res.stdout) as AuditReport, stderr: res.stderr };
  }

  const INTO_NODE_3: Pair[] = [['node-1', 'node-3'], ['node-2', 'node-3']];

  it('config blocks and the data plane drops: the finding is confirmed', { timeout: 60_000 }, () => {
    lab!.nft(node('node-3').ns, dropVxlanIngress);
    const { status, report } = audit(['node-3']);
    expect(status).toBe(1);
    expect(report.findings.map((f) => f.id)).toEqual(['F1']);
    const f1 = report.findings[0]!;
    expect(f1).toMatchObject({
      verdict: 'blocked',
      requirement: 'flannel-vxlan',
      port: 8472,
      layer: 'security-group',
      direction: 'ingress',
      target: { kind: 'security-group', id: groupId(node('node-3')) },
      confirmation: 'confirmed',
    });
    expect(f1.contradiction).toBeUndefined();
    expect(pairsOf(f1)).toEqual(INTO_NODE_3);
    expect(probedOf(f1)).toEqual(['node-1->node-3 blocked', 'node-2->node-3 blocked']);
    expect(f1.confirmationReason).toBe('2 of 2 probed representative pair(s) are blocked in the data plane');
    const probe = f1.probes![0]!;
    expect(probe).toMatchObject({ sourceIp: node('node-1').underlayIp, destinationIp: node('node-3').underlayIp });
    // A silent pair is judged after 3 rounds of 3 datagrams, all silent.
    expect(probe).toMatchObject({ rounds: 3, certain: true });
    expect(probe.evidence.overlay).toMatchObject({ destinationIp: node('node-3').overlayIp, sent: 9, received: 0 });
    expect(probe.evidence.underlay).toMatchObject({ destinationIp: node('node-3').underlayIp, sent: 9, received: 9 });
    // The four allowed directions were sampled, got through, and raised nothing.
    expect(report.probe).toEqual({ pairsProbed: 6, confirmed: 1, contradicted: 0, notProbed: 0, contradictionFindings: 0, allowedPairsSampled: 4 });
  });

  it('config blocks but the data plane delivers: contradicted, and a stale-data finding', { timeout: 60_000 }, () => {
    const { status, report } = audit(['node-3']);
    expect(status).toBe(1);
    expect(report.findings.map((f) => [f.id, f.verdict, f.confirmation, f.contradiction])).toEqual([
      ['F1', 'blocked', 'contradicted', undefined],
      ['P1', 'unknown', 'confirmed', 'blocked-but-delivered'],
    ]);
    const [f1, p1] = report.findings as [Finding, Finding];
    expect(pairsOf(f1)).toEqual(INTO_NODE_3);
    expect(probedOf(f1)).toEqual(['node-1->node-3 ok', 'node-2->node-3 ok']);
    expect(f1.confirmationReason).toBe('all 2 probed representative pair(s) got VXLAN through');
    expect(p1).toMatchObject({
      requirement: 'flannel-vxlan',
      port: 8472,
      layer: 'security-group',
      direction: 'ingress',
      target: { kind: 'security-group', id: groupId(node('node-3')) },
      pairCount: 2,
    });
    expect(pairsOf(p1)).toEqual(INTO_NODE_3);
    expect(p1.reason).toMatch(/stale or wrong/);
    expect(report.probe).toEqual({ pairsProbed: 6, confirmed: 0, contradicted: 1, notProbed: 0, contradictionFindings: 1, allowedPairsSampled: 4 });
  });

  it('config allows but one node drops VXLAN: allowed-but-dropped for exactly the directions into it', { timeout: 60_000 }, () => {
    lab!.nft(node('node-3').ns, dropVxlanIngress);
    const { status, report } = audit([]);
    expect(status).toBe(1);
    expect(report.summary).toMatchObject({ blocked: 0, unknown: 0, allowed: 6 });
    expect(report.findings.map((f) => [f.id, f.verdict, f.confirmation, f.contradiction])).toEqual([
      ['P1', 'blocked', 'confirmed', 'allowed-but-dropped'],
    ]);
    const p1 = report.findings[0]!;
    expect(p1).toMatchObject({ requirement: 'flannel-vxlan', port: 8472, pairCount: 2 });
    expect(pairsOf(p1)).toEqual(INTO_NODE_3);
    expect(probedOf(p1)).toEqual(['node-1->node-3 blocked', 'node-2->node-3 blocked']);
    expect(report.probe).toEqual({ pairsProbed: 6, confirmed: 0, contradicted: 0, notProbed: 0, contradictionFindings: 1, allowedPairsSampled: 6 });
  });

  it('config allows and the data plane delivers: no findings, exit 0', { timeout: 60_000 }, () => {
    const { status, report } = audit([]);
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ blocked: 0, unknown: 0, allowed: 6 });
    expect(report.probe).toEqual({ pairsProbed: 6, confirmed: 0, contradicted: 0, notProbed: 0, contradictionFindings: 0, allowedPairsSampled: 6 });
    expect(status).toBe(0);
  });

  it('agents unreachable (wrong --agent-port): the unconfirmed allowed pairs are a warning, not silence', { timeout: 60_000 }, () => {
    const { status, report } = audit([], AGENT_PORT + 1);
    expect(report.findings).toEqual([]);
    expect(report.probe).toEqual({ pairsProbed: 6, confirmed: 0, contradicted: 0, notProbed: 0, contradictionFindings: 0, allowedPairsSampled: 6 });
    const inconclusive = report.warnings.filter((w) => w.code === 'probe-inconclusive');
    expect(inconclusive).toHaveLength(1);
    expect(inconclusive[0]!.message).toMatch(/^audit --probe could not probe 6 of 6 sampled config-allowed pair\(s\)/);
    expect(inconclusive[0]!.message).toContain('node-1->node-2 agent-missing');
    expect(inconclusive[0]!.message).toContain(`${node('node-1').underlayIp}:${AGENT_PORT + 1}`);
    // The configuration still allows every pair; the warning says the probes did not confirm it.
    expect(status).toBe(0);
  });
});
