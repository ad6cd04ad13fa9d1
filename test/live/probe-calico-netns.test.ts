/**
 * Live probes over Calico's VXLAN layout (vxlan.calico, VNI 4096, UDP 4789) in network
 * namespaces: the overlay target is each peer's projectcalico.org/IPv4VXLANTunnelAddr, routed
 * by the kernel through vxlan.calico as Felix programs it. An nftables drop of UDP 4789 stands
 * in for a missing security-group rule; a drop of flannel's 8472 must change nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROBE_ENTRY,
  createFlannelLab,
  netnsLabUnavailableReason,
  nodeInNamespace,
  removeStaleLabs,
  startLabAgents,
  type Lab,
  type LabAgents,
  udpDropRuleset,
} from '../support/netns-lab.js';
import { requireTier } from '../support/tier.js';
import type { ProbeReport, ProbeVerdict } from '../../src/model/probe.js';

const reason = netnsLabUnavailableReason();
const ok = requireTier('netns-probe', reason === undefined, reason ?? '');

const ROOT = resolve(import.meta.dirname, '../..');
const SECRET = 'calico-lab-secret-0123456789abcdef';
/** node-4's node object lacks its VXLAN tunnel annotation (Felix has not written it yet). */
const UNANNOTATED = 'node-4';

const pool = (vxlanMode: 'Always' | 'CrossSubnet') => ({
  apiVersion: 'crd.projectcalico.org/v1',
  kind: 'IPPool',
  metadata: { name: 'lab-pool' },
  spec: { cidr: '10.200.0.0/16', ipipMode: 'Never', vxlanMode, natOutgoing: true, blockSize: 26 },
});

describe.skipIf(!ok)('live probes over Calico VXLAN (vxlan.calico, UDP 4789) in network namespaces', () => {
  let lab: Lab | undefined;
  let agents: LabAgents | undefined;
  let dir: string;
  let inventory: string;

  beforeAll(async () => {
    removeStaleLabs();
    lab = createFlannelLab({ nodeCount: 4, underlayPrefix: '192.168.127', layout: 'calico-vxlan' });
    dir = mkdtempSync(join(tmpdir(), 'sgaudit-calico-'));
    const list = lab.nodeList() as { items: { metadata: { name: string; annotations: Record<string, string> } }[] };
    for (const item of list.items) if (item.metadata.name === UNANNOTATED) delete item.metadata.annotations['projectcalico.org/IPv4VXLANTunnelAddr'];
    inventory = join(dir, 'nodes.json');
    writeFileSync(inventory, JSON.stringify(list));
    writeFileSync(join(dir, 'pool-always.json'), JSON.stringify(pool('Always')));
    writeFileSync(join(dir, 'pool-crosssubnet.json'), JSON.stringify(pool('CrossSubnet')));
    const n = (name: string) => lab!.nodes.find((x) => x.name === name)!;
    // node-1 drops Calico's VXLAN arriving from node-2 (an ingress rule missing on node-1's group).
    lab.nft(n('node-1').ns, udpDropRuleset({ from: n('node-2').underlayIp }, 4789));
    // node-3 drops flannel's port from node-1: Calico does not use it, so node-1 -> node-3 stays ok.
    lab.nft(n('node-3').ns, udpDropRuleset({ from: n('node-1').underlayIp }, 8472));
    agents = await startLabAgents(lab, { inventory, secret: SECRET, extraArgs: ['--overlay-device', 'vxlan.calico'] });
  }, 120_000);

  afterAll(() => {
    agents?.stop();
    lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function runProbe(poolFile: string, extra: string[] = []): { status: number | null; report: ProbeReport } {
    const argv = nodeInNamespace(lab!.labNs, PROBE_ENTRY, [
      'probe', '--nodes', inventory, '--cni', 'calico', '--cni-config', join(dir, poolFile), '--format', 'json', '--timeout-ms', '800', ...extra,
    ]);
    const res = spawnSync(argv[0]!, argv.slice(1), { env: { ...process.env, SGAUDIT_PROBE_SECRET: SECRET }, cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    if (res.status !== 0 && res.status !== 1) throw new Error(`probe exited ${res.status}: ${res.stderr}`);
    return { status: res.status, report: JSON.parse(res.stdout) as ProbeReport };
  }

  it('vxlanMode Always: the UDP 4789 drop is blocked one way, every other annotated pair is ok', { timeout: 120_000 }, () => {
    const { status, report } = runProbe('pool-always.json');
    expect(status).toBe(1);
    const expected: Record<string, ProbeVerdict> = {};
    for (const a of lab!.nodes) {
      for (const b of lab!.nodes) {
        if (a === b) continue;
        expected[`${a.name}->${b.name}`] = b.name === UNANNOTATED ? 'not-probed' : a.name === 'node-2' && b.name === 'node-1' ? 'blocked' : 'ok';
      }
    }
    expect(Object.fromEntries(report.results.map((r) => [`${r.sourceNode}->${r.destinationNode}`, r.verdict]))).toEqual(expected);
    const get = (s: string, d: string) => report.results.find((r) => r.sourceNode === s && r.destinationNode === d)!;

    const blocked = get('node-2', 'node-1');
    expect(blocked).toMatchObject({ rounds: 3, certain: true });
    // The target is node-1's vxlan.calico address, not the first address of its kubelet podCIDR (10.244.1.0).
    expect(blocked.evidence.overlay).toMatchObject({ destinationIp: '10.200.1.1', sent: 9, received: 0 });
    expect(blocked.evidence.underlay).toMatchObject({ destinationIp: '192.168.127.1', sent: 9, received: 9 });
    expect(blocked.evidence.overlayPath).toBe('VXLAN UDP 4789 via vxlan.calico');

    const reverse = get('node-1', 'node-2');
    expect(reverse).toMatchObject({ verdict: 'ok', rounds: 1, certain: true });
    // The inner source is node-1's tunnel address: the datagram went through vxlan.calico.
    expect(reverse.evidence.overlay).toMatchObject({ destinationIp: '10.200.2.1', sent: 3, received: 3, seenFrom: ['10.200.1.1'] });
    expect(reverse.evidence.overlayPath).toBe('VXLAN UDP 4789 via vxlan.calico');
    // The device-MTU check ran at vxlan.calico's MTU.
    expect(reverse.evidence.mtu).toMatchObject({ tested: true, deviceMtu: 1450, blackHole: false });

    expect(get('node-1', 'node-3').verdict).toBe('ok');
    expect(get('node-4', 'node-1').verdict).toBe('ok');
    const missing = get('node-1', UNANNOTATED);
    expect(missing).toMatchObject({ verdict: 'not-probed', certain: false, evidence: { overlay: null, underlay: null } });
    expect(missing.evidence.reason).toBe(
      "not probed: node-4 has no projectcalico.org/IPv4VXLANTunnelAddr annotation (Felix writes it once the node's vxlan.calico has an address), so its VXLAN tunnel address is unknown",
    );
  });

  it('vxlanMode CrossSubnet: nodes in one subnet route natively, so no pair is probed through the tunnel', { timeout: 120_000 }, () => {
    const { status, report } = runProbe('pool-crosssubnet.json', ['--pairs', 'node-2:node-1,node-1:node-2']);
    // Nothing could be probed, so the sweep proves nothing: exit 1, not 0.
    expect(status).toBe(1);
    for (const r of report.results) {
      expect(r.verdict).toBe('not-probed');
      expect(r.evidence.overlay).toBeNull();
      expect(r.evidence.reason).toMatch(/^not probed: node-\d \(192\.168\.127\.\d\) is in node-\d's subnet 192\.168\.127\.\d\/24: Calico's CrossSubnet mode routes this pair natively, without VXLAN$/);
    }
    expect(report.results).toHaveLength(2);
  });
});
