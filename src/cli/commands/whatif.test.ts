import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const INCIDENT = join(ROOT, 'examples', 'incident');
const GOLDEN = join(ROOT, 'test', 'golden', 'whatif');

function incidentArgs(groups = join(INCIDENT, 'security-groups.json')): string[] {
  return ['--nodes', join(INCIDENT, 'nodes.json'), '--flannel', join(INCIDENT, 'kube-flannel-cfg.json'), '--openstack', join(INCIDENT, 'ports.json'), join(INCIDENT, 'subnets.json'), groups];
}

async function run(args: string[]): Promise<{ code: number; out: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sgaudit-whatif-'));
  const out = join(dir, 'out');
  writeFileSync(out, '');
  const errors: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    errors.push(String(chunk));
    return true;
  });
  try {
    const code = await main(['node', 'sgaudit', 'whatif', ...args, '--out', out]);
    return { code, out: readFileSync(out, 'utf8'), stderr: errors.join('') };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  // The command sets process.exitCode like a real run; do not let it fail the test process.
  process.exitCode = undefined;
});

describe('sgaudit whatif', () => {
  it('exits 1 when the plan newly blocks pairs', async () => {
    const r = await run([...incidentArgs(join(GOLDEN, 'openstack-healthy', 'security-groups.json')), '--terraform-plan', join(GOLDEN, 'delete-vxlan-rule', 'plan.json')]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ verdict: 'breaks', newlyBlockedCount: 12 });
  });

  it('exits 0 when the plan only fixes, and renders the requested format', async () => {
    const r = await run([...incidentArgs(), '--terraform-plan', join(GOLDEN, 'incident-add-rule', 'plan.json'), '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^## sgaudit what-if: this change fixes overlay traffic/);
  });

  it('exits 1 for values known only after apply even when nothing is newly blocked', async () => {
    const r = await run([...incidentArgs(join(GOLDEN, 'openstack-healthy', 'security-groups.json')), '--terraform-plan', join(GOLDEN, 'unknown-values', 'plan.json'), '--format', 'sarif']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).version).toBe('2.1.0');
  });

  it('accepts after-state exports with --proposed and infers their provider', async () => {
    const r = await run([...incidentArgs(), '--proposed', join(GOLDEN, 'openstack-healthy', 'security-groups.json'), '--format', 'junit']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/<testsuites name="sgaudit whatif \(fixes\)"/);
  });

  it('exits 2 with the field, value and reason for a malformed plan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgaudit-plan-'));
    const plan = join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ format_version: '1.2', resource_changes: [{ address: 'aws_security_group_rule.x', type: 'aws_security_group_rule', change: { actions: 'create', before: null, after: {} } }] }));
    const r = await run([...incidentArgs(), '--terraform-plan', plan]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${plan} at /resource_changes/0/change/actions: "actions" must be a list`);
    expect(r.stderr).toContain('got "create"');
  });

  it('exits 2 when neither or both proposals are given, or the provider of a proposed file is unclear', async () => {
    expect((await run(incidentArgs())).code).toBe(2);
    const both = await run([...incidentArgs(), '--terraform-plan', join(GOLDEN, 'incident-add-rule', 'plan.json'), '--proposed', join(INCIDENT, 'ports.json')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not both/);
    const unclear = await run([...incidentArgs(), '--proposed', join(INCIDENT, 'kube-flannel-cfg.json')]);
    expect(unclear.code).toBe(2);
    expect(unclear.stderr).toMatch(/--proposed-provider/);
  });
});
