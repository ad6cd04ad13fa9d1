import { describe, expect, it } from 'vitest';
import type { ProbeReport, ProbeResult, ProbeVerdict } from '../model/probe.js';
import { probeExitCode, renderProbeTable } from './render.js';

function result(source: string, destination: string, verdict: ProbeVerdict): ProbeResult {
  return {
    sourceNode: source,
    sourceIp: null,
    destinationNode: destination,
    destinationIp: null,
    verdict,
    evidence: { overlay: null, underlay: null, timings: {}, reason: verdict === 'not-probed' ? 'not probed: routed natively' : verdict },
  };
}

function report(...verdicts: ProbeVerdict[]): ProbeReport {
  return { results: verdicts.map((v, i) => result(`n${i}`, `m${i}`, v)), startedAt: '2026-12-02T00:00:00.000Z', elapsedMs: 10 };
}

describe('probe exit code', () => {
  it('is 0 when every probed pair is ok, whatever the pairs the CNI routes outside a probeable tunnel', () => {
    expect(probeExitCode(report('ok', 'ok'))).toBe(0);
    expect(probeExitCode(report('ok', 'not-probed'))).toBe(0);
  });

  it('is 1 for any failed pair, and when nothing at all could be probed', () => {
    for (const bad of ['blocked', 'underlay-unreachable', 'agent-missing', 'error'] as const) expect(probeExitCode(report('ok', 'not-probed', bad)), bad).toBe(1);
    expect(probeExitCode(report('not-probed', 'not-probed'))).toBe(1);
    expect(probeExitCode(report())).toBe(1);
  });

  it('lists not-probed pairs after the failures and before the ok ones, with their reason', () => {
    const lines = renderProbeTable(report('ok', 'not-probed', 'blocked')).split('\n');
    expect(lines.slice(1, 4).map((l) => l.split(/\s{2,}/)[2])).toEqual(['blocked', 'not-probed', 'ok']);
    expect(lines.find((l) => l.includes('not-probed'))).toContain('not probed: routed natively');
  });
});
