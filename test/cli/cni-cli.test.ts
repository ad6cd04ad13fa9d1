/**
 * The CNI flags end to end: a spawned `sgaudit` process (tsx, no build needed) for the input
 * errors, whose exit code and stderr a user sees, and the in-process CLI with --out for the
 * control-plane requirements on the calico-cross-subnet golden scenario's native files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import { runCli } from '../support/run-cli.js';
import { blockedPairs } from '../support/report-pairs.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCENARIO = join(REPO_ROOT, 'test', 'golden', 'calico-cross-subnet');
const AWS = ['describe-network-interfaces.json', 'describe-security-groups.json', 'describe-subnets.json', 'describe-network-acls.json'].map((f) => join(SCENARIO, f));
const CNI_DOCS = ['calico-config.json', 'ippools.json'].map((f) => join(SCENARIO, f));
const NODES = join(SCENARIO, 'nodes.json');

function sgaudit(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'bin.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The golden nodes with every Calico annotation removed: nothing left to detect a CNI from. */
function nodesWithoutEvidence(): string {
  const nodes = JSON.parse(readFileSync(NODES, 'utf8'));
  for (const n of nodes.items) for (const k of Object.keys(n.metadata.annotations)) if (k.startsWith('projectcalico.org/')) delete n.metadata.annotations[k];
  const file = join(mkdtempSync(join(tmpdir(), 'sgaudit-cni-cli-')), 'nodes.json');
  writeFileSync(file, JSON.stringify(nodes));
  return file;
}

describe('sgaudit audit, CNI flags', () => {
  it('--cni bogus: exit 2, stderr names the flag, the value and the accepted names; no report', () => {
    const run = sgaudit(['audit', '--nodes', NODES, '--cni-config', ...CNI_DOCS, '--aws', ...AWS, '--cni', 'bogus']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("'bogus'");
    expect(run.stderr).toContain('--cni <name>');
    expect(run.stderr).toContain('auto, flannel, canal, k3s, rke2, calico, cilium');
  });

  it('no CNI evidence: exit 2 with what was looked for and the advice to pass --cni; with --cni calico the audit runs', () => {
    const nodes = nodesWithoutEvidence();
    const run = sgaudit(['audit', '--nodes', nodes, '--aws', ...AWS]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('cannot tell which CNI the cluster runs: no evidence found');
    expect(run.stderr).toContain('looked for ConfigMaps kube-flannel-cfg, canal-config, calico-config, cilium-config');
    expect(run.stderr).toContain('node annotations flannel.alpha.coreos.com/*, projectcalico.org/*');
    expect(run.stderr).toContain('pass --cni <flannel|canal|k3s|rke2|calico|cilium>');
    // Never a silent flannel default.
    expect(run.stderr).not.toContain('flannel vxlan');

    const given = sgaudit(['audit', '--nodes', nodes, '--aws', ...AWS, '--cni', 'calico', '--format', 'json']);
    expect([0, 1]).toContain(given.code);
    const report = JSON.parse(given.stdout) as AuditReport;
    expect(report.cni).toMatchObject({ name: 'calico', how: 'given', evidence: [], conflicts: [] });
    // Nothing said how Calico is configured: its defaults, each with a warning naming the assumption.
    expect(report.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['calico-default-assumed']));
  });

  it('--control-plane on the Calico CrossSubnet scenario adds kubernetes-* with the pairs the control-plane label gives', async () => {
    const base = ['audit', '--nodes', NODES, '--cni-config', ...CNI_DOCS, '--aws', ...AWS, '--format', 'json', '--max-pairs', '1000'];
    const plain = await runCli(base);
    const withCp = await runCli([...base, '--control-plane']);
    expect(plain.code).toBe(1);
    expect(withCp.code).toBe(1);
    const before = JSON.parse(plain.out) as AuditReport;
    const after = JSON.parse(withCp.out) as AuditReport;

    expect(before.requirements.map((r) => r.id).filter((id) => id.startsWith('kubernetes-'))).toEqual([]);
    expect(after.requirements.filter((r) => r.id.startsWith('kubernetes-')).map((r) => `${r.id} ${r.protocol} ${r.fromPort}-${r.toPort}`)).toEqual([
      'kubernetes-api-server tcp 6443-6443',
      'kubernetes-kubelet tcp 10250-10250',
      'kubernetes-etcd tcp 2379-2380',
    ]);
    // ip-10-0-1-21 is the one control-plane node; the group admits BGP and pod CIDRs, not 6443 or 10250.
    const cp = 'ip-10-0-1-21.ec2.internal';
    const others = ['ip-10-0-1-22.ec2.internal', 'ip-10-0-2-21.ec2.internal', 'ip-10-0-2-22.ec2.internal'];
    expect(blockedPairs(after, 'kubernetes-api-server')).toEqual(others.map((o) => `${o}->${cp}`).sort());
    expect(blockedPairs(after, 'kubernetes-kubelet')).toEqual(others.map((o) => `${cp}->${o}`).sort());
    expect(blockedPairs(after, 'kubernetes-etcd')).toEqual([]);
    // The Calico verdicts do not move; the pairs touching the control-plane node are now blocked too.
    expect(blockedPairs(after, 'calico-ipip')).toEqual(blockedPairs(before, 'calico-ipip'));
    expect(before.summary).toMatchObject({ allowed: 4, blocked: 8 });
    // Same-subnet pairs a1<->a2 (one of them with the control-plane node) now fail; b1<->b2 stay allowed.
    expect(after.summary).toMatchObject({ directedPairs: 12, allowed: 2, blocked: 10, unknown: 0 });
  });
});
