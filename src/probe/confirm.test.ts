import { describe, expect, it } from 'vitest';
import { runAudit } from '../pipeline/audit.js';
import { readFileInputs } from '../cli/file-inputs.js';
import { demoInputFiles } from '../cli/commands/demo.js';
import type { AuditInputs } from '../model/documents.js';
import { confirmFindings } from './confirm.js';
import type { PairSpec, ProbeResult, ProbeVerdict } from '../model/probe.js';

/** A probe stand-in answering every pair with one verdict, recording what it was asked. */
function fakeProbe(verdict: ProbeVerdict, mtuBlackHole = false, certain?: boolean) {
  const asked: PairSpec[][] = [];
  const fn = async (pairs: PairSpec[]): Promise<ProbeResult[]> => {
    asked.push(pairs);
    return pairs.map((p) => ({
      sourceNode: p.source,
      sourceIp: null,
      destinationNode: p.destination,
      destinationIp: null,
      verdict,
      ...(certain !== undefined ? { certain } : {}),
      evidence: {
        overlay: null,
        underlay: null,
        timings: {},
        reason: `fake ${verdict}`,
        ...(verdict === 'ok'
          ? { mtu: { tested: true as const, deviceMtu: 1450, largestPassed: mtuBlackHole ? 1350 : 1450, smallestFailed: mtuBlackHole ? 1351 : null, blackHole: mtuBlackHole, rounds: 1, sizes: [] } }
          : {}),
      },
    }));
  };
  return { fn, asked };
}

async function incident(fix: boolean): Promise<AuditInputs> {
  const inputs = await readFileInputs(demoInputFiles());
  if (fix) {
    // The incident's rule allows tcp 8472; turning it into udp makes every pair config-allowed.
    const text = JSON.stringify(inputs.openstack).replace(/"protocol":"tcp","port_range_min":8472/g, '"protocol":"udp","port_range_min":8472');
    inputs.openstack = JSON.parse(text) as AuditInputs['openstack'];
  }
  return inputs;
}

describe('confirmFindings (audit --probe)', () => {
  it('confirms the blocked finding on one representative pair when the probe is blocked', async () => {
    const { report, evaluation } = runAudit(await incident(false));
    expect(report.findings.length).toBeGreaterThan(0);
    const probe = fakeProbe('blocked');
    const out = await confirmFindings(report, evaluation, probe.fn);
    // All four nodes share one security group: one class, so one representative pair for the finding.
    expect(probe.asked).toHaveLength(1);
    expect(probe.asked[0]).toHaveLength(1);
    for (const f of out.findings) {
      expect(f.confirmation).toBe('confirmed');
      expect(f.probes).toHaveLength(1);
    }
    expect(out.probe).toMatchObject({ pairsProbed: 1, confirmed: report.findings.length, contradicted: 0, contradictionFindings: 0 });
  });

  it('does not count an uncertain block (receive-buffer drops, or too few rounds) as confirmation or as a contradiction', async () => {
    const blocked = runAudit(await incident(false));
    const out = await confirmFindings(blocked.report, blocked.evaluation, fakeProbe('blocked', false, false).fn);
    for (const f of out.findings) {
      expect(f.confirmation).toBe('not-probed');
      expect(f.confirmationReason).toMatch(/inconclusive/);
    }
    const allowed = runAudit(await incident(true));
    const sampled = await confirmFindings(allowed.report, allowed.evaluation, fakeProbe('blocked', false, false).fn);
    expect(sampled.findings).toHaveLength(0);
    expect(sampled.warnings.map((w) => w.code)).toContain('probe-inconclusive');
  });

  it('marks a blocked finding contradicted and adds a stale-data finding when the probe gets through', async () => {
    const { report, evaluation } = runAudit(await incident(false));
    const out = await confirmFindings(report, evaluation, fakeProbe('ok').fn);
    const original = out.findings.filter((f) => !f.contradiction);
    expect(original.every((f) => f.confirmation === 'contradicted')).toBe(true);
    const added = out.findings.filter((f) => f.contradiction === 'blocked-but-delivered');
    expect(added).toHaveLength(report.findings.filter((f) => f.verdict === 'blocked').length);
    expect(added[0]).toMatchObject({ verdict: 'unknown', id: 'P1', requirement: report.findings[0]!.requirement });
    expect(added[0]!.reason).toMatch(/cloud data is stale or wrong/);
  });

  it.each<ProbeVerdict>(['agent-missing', 'error', 'underlay-unreachable'])('leaves findings not-probed when the probe says %s', async (verdict) => {
    const { report, evaluation } = runAudit(await incident(false));
    const out = await confirmFindings(report, evaluation, fakeProbe(verdict).fn);
    for (const f of out.findings) {
      expect(f.confirmation).toBe('not-probed');
      expect(f.confirmationReason).toContain(verdict);
    }
    expect(out.findings).toHaveLength(report.findings.length);
  });

  it('samples config-allowed pairs and reports a drop another layer causes', async () => {
    const { report, evaluation } = runAudit(await incident(true));
    expect(report.findings).toHaveLength(0);
    const probe = fakeProbe('blocked');
    const out = await confirmFindings(report, evaluation, probe.fn);
    expect(probe.asked[0]).toHaveLength(1);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ contradiction: 'allowed-but-dropped', verdict: 'blocked', protocol: 'udp', port: 8472, pairCount: 1 });
    expect(out.findings[0]!.reason).toMatch(/host firewall, hypervisor, or MTU/);
    expect(out.probe).toMatchObject({ allowedPairsSampled: 1, contradictionFindings: 1 });
  });

  it('reports an MTU black hole on a config-allowed pair', async () => {
    const { report, evaluation } = runAudit(await incident(true));
    const out = await confirmFindings(report, evaluation, fakeProbe('ok', true).fn);
    expect(out.findings.map((f) => f.contradiction)).toEqual(['mtu-black-hole']);
    expect(out.findings[0]!.reason).toMatch(/1350\/1450/);
  });

  it.each<ProbeVerdict>(['agent-missing', 'error', 'underlay-unreachable'])(
    'warns when a config-allowed sample could not be probed (%s), instead of looking clean',
    async (verdict) => {
      const { report, evaluation } = runAudit(await incident(true));
      const out = await confirmFindings(report, evaluation, fakeProbe(verdict).fn);
      expect(out.findings).toEqual([]);
      const added = out.warnings.filter((w) => w.code === 'probe-inconclusive');
      expect(added).toHaveLength(1);
      expect(added[0]!.message).toMatch(/^audit --probe could not probe 1 of 1 sampled config-allowed pair\(s\), so their "allowed" is not confirmed/);
      expect(added[0]!.message).toMatch(new RegExp(`: \\S+->\\S+ ${verdict} \\(fake ${verdict}\\)$`));
      expect(out.warnings.slice(0, report.warnings.length)).toEqual(report.warnings);
    },
  );

  it('adds nothing when the data plane agrees with an all-allowed configuration', async () => {
    const { report, evaluation } = runAudit(await incident(true));
    const out = await confirmFindings(report, evaluation, fakeProbe('ok').fn);
    expect(out.findings).toEqual([]);
    expect(out.warnings).toEqual(report.warnings);
    expect(out.probe).toMatchObject({ pairsProbed: 1, contradictionFindings: 0 });
  });
});
