/**
 * What-if on a CNI other than flannel: after-state exports of the Calico group, checked against
 * the Calico requirements the documents give. Adding TCP 179 fixes BGP for every pair; removing
 * the protocol-4 rule breaks IP-in-IP for every pair.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { WhatifReport } from '../../src/whatif/report.js';
import { runCli } from '../support/run-cli.js';

const SCENARIO = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'test', 'golden', 'calico-bgp-blocked');
const file = (f: string) => join(SCENARIO, f);
const AWS = ['describe-network-interfaces.json', 'describe-security-groups.json', 'describe-subnets.json', 'describe-network-acls.json'].map(file);

interface Permission { IpProtocol: string; FromPort?: number; ToPort?: number; UserIdGroupPairs: { GroupId: string; UserId?: string; Description?: string }[] }

/** The scenario's security groups with the node group's permissions edited, as an after-state export. */
function proposedGroups(edit: (perms: Permission[], groupId: string) => Permission[]): string {
  const doc = JSON.parse(readFileSync(file('describe-security-groups.json'), 'utf8')) as { SecurityGroups: { GroupId: string; IpPermissions: Permission[] }[] };
  const group = doc.SecurityGroups[0]!;
  group.IpPermissions = edit(group.IpPermissions, group.GroupId);
  const out = join(mkdtempSync(join(tmpdir(), 'sgaudit-cni-whatif-')), 'sgs-after.json');
  writeFileSync(out, JSON.stringify(doc));
  return out;
}

async function whatif(proposed: string): Promise<{ code: number; report: WhatifReport }> {
  const { code, out } = await runCli([
    'whatif', '--nodes', file('nodes.json'), '--cni-config', file('calico-config.json'), file('ippools.json'), '--aws', ...AWS, '--proposed', proposed, '--format', 'json',
  ]);
  return { code, report: JSON.parse(out) as WhatifReport };
}

describe('whatif on a Calico cluster', () => {
  it('adding TCP 179 from the node group fixes calico-bgp for all 6 pairs', async () => {
    const proposed = proposedGroups((perms, id) => [...perms, { IpProtocol: 'tcp', FromPort: 179, ToPort: 179, UserIdGroupPairs: [{ GroupId: id, Description: 'bgp' }] }]);
    const { code, report } = await whatif(proposed);
    expect(code).toBe(0);
    expect(report.verdict).toBe('fixes');
    expect(report.newlyAllowedCount).toBe(6);
    expect(new Set(report.newlyAllowed.map((p) => p.requirement))).toEqual(new Set(['calico-bgp']));
    expect(report.requirements.map((r) => r.id)).toContain('calico-ipip');
  });

  it('removing the protocol-4 rule breaks calico-ipip for all 6 pairs and proposes protocol 4 back', async () => {
    const proposed = proposedGroups((perms) => perms.filter((p) => p.IpProtocol !== '4'));
    const { code, report } = await whatif(proposed);
    expect(code).toBe(1);
    expect(report.verdict).toBe('breaks');
    expect(report.newlyBlockedCount).toBe(6);
    expect(new Set(report.newlyBlocked.map((p) => p.requirement))).toEqual(new Set(['calico-ipip']));
    expect(report.remediations.length).toBeGreaterThan(0);
    for (const r of report.remediations) {
      expect(r.protocolNumber).toBe(4);
      expect(r.commands.cli).toContain('IpProtocol=4');
    }
  });
});
