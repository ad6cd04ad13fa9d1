import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { TOOL_VERSION } from '../../src/cli/version.js';
import { REPORT_CSP } from '../../src/report/html-assets.js';

const ROOT = join(import.meta.dirname, '..', '..');
const INCIDENT = join(ROOT, 'examples', 'incident');
const GOLDEN = join(ROOT, 'test', 'golden', 'whatif');
const dir = mkdtempSync(join(tmpdir(), 'sgaudit-html-'));

const incidentArgs = (groups = join(INCIDENT, 'security-groups.json')): string[] => [
  '--nodes', join(INCIDENT, 'nodes.json'),
  '--flannel', join(INCIDENT, 'kube-flannel-cfg.json'),
  '--openstack', join(INCIDENT, 'ports.json'), join(INCIDENT, 'subnets.json'), groups,
];

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const errors: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    errors.push(String(chunk));
    return true;
  });
  try {
    return { code: await main(['node', 'sgaudit', ...args]), stderr: errors.join('') };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  process.exitCode = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--format html', () => {
  it('audit --format html --out writes the self-contained report and exits 1 for the blocked incident', async () => {
    const out = join(dir, 'report.html');
    const r = await run(['audit', ...incidentArgs(), '--format', 'html', '--out', out]);
    expect(r).toEqual({ code: 1, stderr: '' });
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`content="${REPORT_CSP.replace(/'/g, '&#39;')}"`);
    expect(html).toContain('<span class="n" data-count="blocked">12</span>');
    expect(html).toContain('<svg ');
    // The footer's version is the package's.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(TOOL_VERSION).toBe(pkg.version);
    expect(html).toContain(`sgaudit ${pkg.version} · report schema 1`);
  });

  it('whatif --format html writes the what-if page with its verdict and exits 1 when the plan breaks traffic', async () => {
    const out = join(dir, 'whatif.html');
    const r = await run(['whatif', ...incidentArgs(join(GOLDEN, 'openstack-healthy', 'security-groups.json')), '--terraform-plan', join(GOLDEN, 'delete-vxlan-rule', 'plan.json'), '--format', 'html', '--out', out]);
    expect(r).toEqual({ code: 1, stderr: '' });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('data-verdict="breaks"');
    expect(html).toContain('<span class="n" data-count="newly-blocked">12</span>');
    expect(html.match(/<svg /g)).toHaveLength(2);
  });

  it('rejects an unknown format with exit 2 and names the choices', async () => {
    const r = await run(['audit', ...incidentArgs(), '--format', 'htm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/htm/);
    expect(r.stderr).toMatch(/html/);
  });
});
