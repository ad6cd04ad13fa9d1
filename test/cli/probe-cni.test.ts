/**
 * `sgaudit probe` refuses a CNI it cannot probe before it contacts any agent: a spawned
 * `sgaudit` process (tsx, no build needed), so the exit code and stderr are what a user sees.
 * The nodes and Calico documents are the calico-cross-subnet golden scenario's (Calico IP-in-IP
 * CrossSubnet on AWS, nodes annotated by Calico). No agent runs and none is contacted: every
 * run here is refused before the sweep.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCENARIO = join(REPO_ROOT, 'test', 'golden', 'calico-cross-subnet');
const NODES = join(SCENARIO, 'nodes.json');
const CALICO_DOCS = ['calico-config.json', 'ippools.json'].map((f) => join(SCENARIO, f));
const SECRET = 'probe-cni-cli-secret-0123456789abcdef';

function sgaudit(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'bin.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, SGAUDIT_PROBE_SECRET: SECRET, NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The refusal a user sees: exit 2, nothing on stdout (no sweep ran), the reason on stderr. */
function expectRefused(run: ReturnType<typeof sgaudit>, reason: string): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain('sgaudit probe: invalid input:');
  expect(run.stderr).toContain(reason);
}

function tempFile(name: string, body: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sgaudit-probe-cni-')), name);
  writeFileSync(file, JSON.stringify(body));
  return file;
}

/** The golden IPPool list with its one pool's modes replaced. */
function poolsWith(spec: { ipipMode: string; vxlanMode: string }): string {
  const list = JSON.parse(readFileSync(join(SCENARIO, 'ippools.json'), 'utf8'));
  for (const p of list.items) Object.assign(p.spec, spec);
  return tempFile('ippools.json', list);
}

describe('sgaudit probe, CNI refusals', () => {
  it('Calico-annotated nodes without CNI documents or --cni: exit 2 naming the annotation, the node and what to pass', () => {
    const run = sgaudit(['probe', '--nodes', NODES, '--timeout-ms', '1000']);
    expectRefused(run, 'carries projectcalico.org/');
    expect(run.stderr).toMatch(/--cni: node ip-10-0-\d+-\d+\.ec2\.internal carries projectcalico\.org\/IPv4Address, so the cluster may not run flannel/);
    expect(run.stderr).toContain('name the CNI with --cni and give its documents (Calico IPPools, FelixConfiguration) with --cni-config');
    expect(run.stderr).toContain('(got "projectcalico.org/IPv4Address")');
  });

  it('--cni cilium: exit 2 with why Cilium is not probed', () => {
    const run = sgaudit(['probe', '--nodes', NODES, '--cni', 'cilium', '--timeout-ms', '1000']);
    expectRefused(run, '--cni: the cluster runs cilium; Cilium encapsulates in eBPF');
    expect(run.stderr).toContain('live probes cover flannel and Calico VXLAN only');
    expect(run.stderr).toContain('(got "cilium")');
  });

  it('Calico documents whose only pool is IP-in-IP: exit 2 with the IP-in-IP reason, naming --cni-config', () => {
    const run = sgaudit(['probe', '--nodes', NODES, '--cni-config', ...CALICO_DOCS, '--timeout-ms', '1000']);
    expectRefused(run, '--cni-config: the cluster runs Calico IP-in-IP (tunl0, IP protocol 4) and no IPv4 VXLAN pool');
    expect(run.stderr).toContain('IP-in-IP probes are not supported');
    expect(run.stderr).toContain('(got "calico")');
    // The same documents with --cni calico: the refusal is about the flag that named the CNI.
    const named = sgaudit(['probe', '--nodes', NODES, '--cni', 'calico', '--cni-config', ...CALICO_DOCS, '--timeout-ms', '1000']);
    expectRefused(named, '--cni: the cluster runs Calico IP-in-IP');
  });

  it('a Calico pool without any encapsulation: exit 2 saying there is no tunnel', () => {
    const run = sgaudit(['probe', '--nodes', NODES, '--cni-config', join(SCENARIO, 'calico-config.json'), poolsWith({ ipipMode: 'Never', vxlanMode: 'Never' }), '--timeout-ms', '1000']);
    expectRefused(run, 'the cluster runs Calico without encapsulation (no IPv4 VXLAN pool); live probes cover VXLAN tunnels only');
  });
});
