/**
 * The CNI flags of `audit`: --cni (choice or auto), --cni-config (every CNI document) and
 * --control-plane, through the real main() with the golden scenarios' native files.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { AuditReport } from '../../src/model/report.js';

const GOLDEN = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'golden');
const AWS = ['describe-network-interfaces.json', 'describe-security-groups.json', 'describe-subnets.json', 'describe-network-acls.json'];

const at = (scenario: string, ...files: string[]): string[] => files.map((f) => relative(process.cwd(), join(GOLDEN, scenario, f)));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const capture = (sink: (s: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
      return true;
    }) as typeof process.stdout.write;
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture((s) => (stdout += s)));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture((s) => (stderr += s)));
  const saved = process.exitCode;
  try {
    return { code: await main(['node', 'sgaudit', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = saved;
  }
}

function calicoArgs(): string[] {
  const s = 'calico-cross-subnet';
  return ['--nodes', ...at(s, 'nodes.json'), '--cni-config', ...at(s, 'calico-config.json', 'ippools.json'), '--aws', ...at(s, ...AWS)];
}

describe('audit CNI flags', () => {
  it('refuses an unknown --cni with the flag, the value and the accepted names (exit 2)', async () => {
    const run = await cli('audit', ...calicoArgs(), '--cni', 'weave');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--cni');
    expect(run.stderr).toContain('weave');
    expect(run.stderr).toContain('auto, flannel, canal, k3s, rke2, calico, cilium');
  });

  it('detects Calico from --cni-config and reports it instead of a flannel section', async () => {
    const run = await cli('audit', ...calicoArgs(), '--format', 'json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.cni).toMatchObject({ name: 'calico', how: 'detected', conflicts: [] });
    expect(report.flannel).toBeUndefined();
    expect(report.findings.map((f) => `${f.requirement}:${f.pairCount}`)).toEqual(['calico-ipip:8']);
    const table = await cli('audit', ...calicoArgs());
    expect(table.stdout.split('\n')[0]).toBe('sgaudit: calico: BGP on (tcp 179), IPPool default-ipv4-ippool 192.168.0.0/16 IP-in-IP CrossSubnet');
  });

  it('--cni names the CNI: the report says it was given', async () => {
    const run = await cli('audit', ...calicoArgs(), '--cni', 'calico', '--format', 'json');
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.cni?.how).toBe('given');
    expect(report.cni?.name).toBe('calico');
  });

  it('--flannel still feeds detection, and --control-plane adds the Kubernetes control-plane requirements', async () => {
    const s = 'healthy';
    const base = ['--nodes', ...at(s, 'nodes.json'), '--flannel', ...at(s, 'kube-flannel-cfg.json'), '--aws', ...at(s, ...AWS), '--format', 'json'];
    const plain = JSON.parse((await cli('audit', ...base)).stdout) as AuditReport;
    expect(plain.cni?.name).toBe('flannel');
    expect(plain.flannel?.backend).toBe('vxlan');
    expect(plain.requirements.map((r) => r.id)).toEqual(['flannel-vxlan']);
    const withCp = JSON.parse((await cli('audit', ...base, '--control-plane')).stdout) as AuditReport;
    const added = withCp.requirements.map((r) => r.id).filter((id) => id !== 'flannel-vxlan');
    expect(added.length).toBeGreaterThan(0);
    expect(withCp.requirements.filter((r) => r.fromPort === 6443)).toHaveLength(1);
  });
});
