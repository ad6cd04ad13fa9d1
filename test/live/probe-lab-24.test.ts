/**
 * The probe engine at the scale where it used to cry wolf: 24 namespaces with real kernel
 * VXLAN, two one-way nftables drops, and 10 consecutive full-mesh sweeps (552 directed pairs
 * each) in one orchestrator process. Before pacing, receive buffers and re-probes, 6 of 14
 * such sweeps reported working pairs as `underlay-unreachable` (4 310 kernel RcvbufErrors).
 * Timing figures belong to test/bench/probe-lab-bench.ts; the bound here is only generous.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsLabUnavailableReason } from '../support/netns-lab.js';
import { requireTier } from '../support/tier.js';
import { LAB_BLOCKS, setUpProbeLab, sweepsInLab, verdictErrors, type ProbeLab } from '../bench/probe-lab.js';

const reason = netnsLabUnavailableReason();
const ok = requireTier('netns-probe', reason === undefined, reason ?? '');
const SWEEPS = 10;
const TIMEOUT_MS = 1000;

describe.skipIf(!ok)('24-node lab: consecutive full-mesh sweeps', () => {
  let lab: ProbeLab | undefined;

  beforeAll(async () => {
    lab = await setUpProbeLab({ nodeCount: 24 });
  }, 180_000);

  afterAll(() => lab?.destroy());

  it(`gives no false verdict in ${SWEEPS} sweeps and finds both one-way blocks every time`, { timeout: 300_000 }, () => {
    const dropsBefore = lab!.rcvbufErrors();
    const reports = sweepsInLab(lab!, SWEEPS, { timeoutMs: TIMEOUT_MS });
    expect(reports).toHaveLength(SWEEPS);
    for (const report of reports) {
      expect(report.results).toHaveLength(24 * 23);
      const errors = verdictErrors(report, LAB_BLOCKS);
      expect(errors.falseVerdicts).toEqual([]);
      expect(errors.blocksFound).toBe(2);
      for (const block of LAB_BLOCKS) {
        const r = report.results.find((x) => x.sourceNode === block.source && x.destinationNode === block.destination)!;
        // Silent in every round while the underlay control arrived, and the receiver dropped nothing.
        expect(r).toMatchObject({ verdict: 'blocked', certain: true, rounds: 3 });
        expect(r.evidence.rounds?.every((round) => round.overlay?.received === 0 && (round.underlay?.received ?? 0) > 0)).toBe(true);
        expect(r.evidence.destinationReceiveDrops).toBe(0);
        // The opposite direction works: the block is one-way.
        const back = report.results.find((x) => x.sourceNode === block.destination && x.destinationNode === block.source)!;
        expect(back).toMatchObject({ verdict: 'ok', certain: true });
      }
      expect(report.results.filter((r) => r.verdict === 'ok').every((r) => r.certain === true)).toBe(true);
      // No MTU problem in this lab, so no MTU search ran: the sweep stays within one timeout.
      expect(report.sweep).toMatchObject({ mtu: 'auto', mtuSearchPairs: 0, timeoutMs: TIMEOUT_MS });
      // Generous: the precise figure (timeout + ~0.5 s) is the bench's job, not a timed unit test's.
      expect(report.elapsedMs).toBeLessThan(TIMEOUT_MS + 5000);
    }
    // Paced sends into 4 MiB receive buffers: the kernels dropped nothing for full buffers.
    expect(lab!.rcvbufErrors() - dropsBefore).toBe(0);
  });
});
