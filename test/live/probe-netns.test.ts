/**
 * Live probes over the real kernel VXLAN data path, in a flannel-like lab of network
 * namespaces (test/support/netns-lab.ts). nftables drops of UDP 8472 stand in for
 * security groups; every directed pair must get exactly the expected one-way verdict.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlannelLab, netnsLabUnavailableReason, removeStaleLabs, type Lab, type LabNode, udpDropRuleset } from '../support/netns-lab.js';
import { requireTier } from '../support/tier.js';
import type { ProbeReport, ProbeVerdict } from '../../src/model/probe.js';

const reason = netnsLabUnavailableReason();
const ok = requireTier('netns-probe', reason === undefined, reason ?? '');

const ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(ROOT, 'test/support/probe-cli.ts');
const SECRET = 'netns-lab-secret-0123456789abcdef';
const NODE_COUNT = 7;
/** node-7 runs no agent. */
const WITHOUT_AGENT = 'node-7';
const LOW_MTU_NODE = 'node-4';

function nodeCommand(ns: string, args: string[]): string[] {
  return ['ip', 'netns', 'exec', ns, process.execPath, '--import', 'tsx', ENTRY, ...args];
}

describe.skipIf(!ok)('live VXLAN probes in network namespaces', () => {
  let lab: Lab | undefined;
  let dir: string;
  let inventory: string;
  const agents: ChildProcess[] = [];
  const byName = (name: string): LabNode => lab!.nodes.find((n) => n.name === name)!;

  beforeAll(async () => {
    removeStaleLabs();
    lab = createFlannelLab({ nodeCount: NODE_COUNT });
    dir = mkdtempSync(join(tmpdir(), 'sgaudit-netns-'));
    inventory = join(dir, 'nodes.json');
    writeFileSync(inventory, JSON.stringify(lab.nodeList()));

    const n = byName;
    // node-1 drops VXLAN arriving from node-2 (an ingress rule missing on node-1's group).
    lab.nft(n('node-1').ns, udpDropRuleset({ from: n('node-2').underlayIp }, 8472));
    // node-3 drops VXLAN it sends to node-4 (an egress rule missing on node-3's group).
    lab.nft(n('node-3').ns, udpDropRuleset({ to: n('node-4').underlayIp }, 8472));
    // node-5 drops all VXLAN, both ways.
    lab.nft(n('node-5').ns, `table inet sg {
      chain input { type filter hook input priority 0; udp dport 8472 drop
      }
      chain output { type filter hook output priority 0; udp dport 8472 drop
      }
    }`);
    // node-6 drops every UDP datagram from node-1, the underlay control included.
    lab.nft(n('node-6').ns, `table inet sg {
      chain input { type filter hook input priority 0;
        ip saddr ${n('node-1').underlayIp} meta l4proto udp drop
      }
    }`);
    // node-4's link is 1400 while its flannel.1 stays 1450: oversized frames into it are dropped.
    lab.setLinkMtu(n(LOW_MTU_NODE), 1400);

    const env = { ...process.env, SGAUDIT_PROBE_SECRET: SECRET };
    const ready = lab.nodes
      .filter((node) => node.name !== WITHOUT_AGENT)
      .map((node) => {
        const argv = nodeCommand(node.ns, ['agent', '--node-name', node.name, '--nodes', inventory]);
        const child = spawn(argv[0]!, argv.slice(1), { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
        agents.push(child);
        return new Promise<void>((resolveReady, reject) => {
          let stderr = '';
          child.stderr!.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            if (stderr.includes('"agent listening"')) resolveReady();
          });
          child.once('exit', (code) => reject(new Error(`agent on ${node.name} exited with ${code}: ${stderr}`)));
        });
      });
    await Promise.all(ready);
  });

  afterAll(() => {
    for (const child of agents) if (child.exitCode === null) child.kill('SIGKILL');
    lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function runProbe(extra: string[]): { status: number | null; report: ProbeReport; stderr: string } {
    const argv = nodeCommand(lab!.labNs, ['probe', '--nodes', inventory, '--format', 'json', '--timeout-ms', '800', ...extra]);
    const res = spawnSync(argv[0]!, argv.slice(1), {
      env: { ...process.env, SGAUDIT_PROBE_SECRET: SECRET },
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (res.status !== 0 && res.status !== 1) throw new Error(`probe exited ${res.status}: ${res.stderr}`);
    return { status: res.status, report: JSON.parse(res.stdout) as ProbeReport, stderr: res.stderr };
  }

  function expectedVerdict(source: string, destination: string): ProbeVerdict {
    if (source === WITHOUT_AGENT || destination === WITHOUT_AGENT) return 'agent-missing';
    if (source === 'node-5' || destination === 'node-5') return 'blocked';
    if (source === 'node-2' && destination === 'node-1') return 'blocked';
    if (source === 'node-3' && destination === 'node-4') return 'blocked';
    if (source === 'node-1' && destination === 'node-6') return 'underlay-unreachable';
    return 'ok';
  }

  it('classifies every direction of the full mesh', { timeout: 120_000 }, () => {
    const { status, report } = runProbe([]);
    expect(status).toBe(1);
    const actual = Object.fromEntries(report.results.map((r) => [`${r.sourceNode}->${r.destinationNode}`, r.verdict]));
    const expected: Record<string, ProbeVerdict> = {};
    for (const a of lab!.nodes) for (const b of lab!.nodes) if (a !== b) expected[`${a.name}->${b.name}`] = expectedVerdict(a.name, b.name);
    expect(actual).toEqual(expected);

    const get = (s: string, d: string) => report.results.find((r) => r.sourceNode === s && r.destinationNode === d)!;
    // One-way blocks: the opposite direction is fine.
    expect(get('node-1', 'node-2').verdict).toBe('ok');
    expect(get('node-4', 'node-3').verdict).toBe('ok');

    const blocked = get('node-2', 'node-1');
    expect(blocked.sourceIp).toBe(byName('node-2').underlayIp);
    expect(blocked.destinationIp).toBe(byName('node-1').underlayIp);
    // Silent pairs are probed in 3 rounds of 3 datagrams before they are judged.
    expect(blocked).toMatchObject({ rounds: 3, certain: true });
    expect(blocked.evidence.overlay).toMatchObject({ destinationIp: '10.244.1.0', sent: 9, received: 0 });
    expect(blocked.evidence.underlay).toMatchObject({ destinationIp: byName('node-1').underlayIp, sent: 9, received: 9 });

    const okPair = get('node-1', 'node-2');
    expect(okPair).toMatchObject({ rounds: 1, certain: true });
    expect(okPair.evidence.overlay).toMatchObject({ sent: 3, received: 3, seenFrom: ['10.244.1.0'] });
    expect(okPair.evidence.underlay).toMatchObject({ received: 3, seenFrom: [byName('node-1').underlayIp] });

    expect(get('node-1', 'node-6').evidence.underlay).toMatchObject({ sent: 9, received: 0 });
    expect(get('node-1', 'node-6')).toMatchObject({ rounds: 3, certain: true });
    // No pair has an MTU problem except those into node-4, so only they were searched.
    expect(report.sweep?.mtu).toBe('auto');
    const searched = report.results.filter((r) => r.evidence.mtu?.tested && r.evidence.mtu.rounds > 1).map((r) => `${r.sourceNode}->${r.destinationNode}`);
    expect(searched.every((p) => p.endsWith(`->${LOW_MTU_NODE}`))).toBe(true);
    expect(report.sweep?.mtuSearchPairs).toBe(searched.length);
  });

  it('with --peers-per-node, consecutive sweeps probe bounded peer sets that together cover every pair once', { timeout: 120_000 }, () => {
    const n = lab!.nodes.length;
    const k = 3;
    const cycle = Math.ceil((n - 1) / k);
    const seen = new Map<string, number>();
    for (let sweep = 0; sweep < cycle; sweep++) {
      const { report } = runProbe(['--peers-per-node', String(k), '--sweep', String(sweep), '--no-mtu']);
      expect(report.plan).toEqual({ mode: 'rotating', perNodePeers: k, sweep, cycleLength: cycle, phase: sweep });
      const perSource = new Map<string, number>();
      for (const r of report.results) {
        perSource.set(r.sourceNode, (perSource.get(r.sourceNode) ?? 0) + 1);
        const key = `${r.sourceNode}->${r.destinationNode}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        // The same verdicts as in the full mesh: a plan only chooses pairs.
        expect(r.verdict, key).toBe(expectedVerdict(r.sourceNode, r.destinationNode));
      }
      for (const count of perSource.values()) expect(count).toBeLessThanOrEqual(k);
    }
    expect(seen.size).toBe(n * (n - 1));
    expect([...seen.values()].every((c) => c === 1)).toBe(true);

    const both = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'probe', '--nodes', inventory, '--pairs', 'node-1:node-2', '--peers-per-node', '2'], {
      env: { ...process.env, SGAUDIT_PROBE_SECRET: SECRET },
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--peers-per-node: choose the pairs either with --pairs or with --peers-per-node, not both');
  });

  it('finds the MTU black hole into the node whose link MTU was lowered, and only there', { timeout: 120_000 }, () => {
    const { report } = runProbe(['--pairs', 'node-1:node-4,node-6:node-4,node-4:node-1,node-1:node-2']);
    const mtu = (s: string, d: string) => report.results.find((r) => r.sourceNode === s && r.destinationNode === d)!.evidence.mtu;
    for (const source of ['node-1', 'node-6']) {
      const m = mtu(source, LOW_MTU_NODE);
      expect(m?.tested).toBe(true);
      if (!m?.tested) continue;
      expect(m.deviceMtu).toBe(1450);
      expect(m.blackHole).toBe(true);
      // A 1400-byte link admits an outer packet of 1400 (+4 bytes of the kernel's VLAN allowance on
      // veth/bridge), i.e. an inner packet of 1350..1354 after the 50 bytes of VXLAN encapsulation.
      expect(m.largestPassed).toBeGreaterThanOrEqual(1350);
      expect(m.largestPassed).toBeLessThanOrEqual(1354);
      expect(m.smallestFailed).toBeGreaterThan(m.largestPassed!);
      expect(m.smallestFailed).toBeLessThanOrEqual(1400);
    }
    // Leaving node-4 the kernel fragments the outer packet (flannel does not set DF on it): no black hole.
    expect(mtu('node-4', 'node-1')).toMatchObject({ tested: true, blackHole: false, largestPassed: 1450 });
    expect(mtu('node-1', 'node-2')).toMatchObject({ tested: true, blackHole: false, largestPassed: 1450, smallestFailed: null });
  });

  it('agents refuse a caller without the secret', { timeout: 60_000 }, () => {
    const argv = nodeCommand(lab!.labNs, ['probe', '--nodes', inventory, '--format', 'json', '--pairs', 'node-1:node-2', '--no-mtu']);
    const res = spawnSync(argv[0]!, argv.slice(1), {
      env: { ...process.env, SGAUDIT_PROBE_SECRET: 'a-different-secret-of-enough-length' },
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    const report = JSON.parse(res.stdout) as ProbeReport;
    expect(report.results[0]).toMatchObject({ verdict: 'error' });
    expect(report.results[0]!.evidence.reason).toMatch(/HTTP 401: bad signature/);
  });
});
