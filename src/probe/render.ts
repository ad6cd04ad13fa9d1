import type { KindEvidence, ProbeReport, ProbeResult } from '../model/probe.js';

function counts(k: KindEvidence | null): string {
  return k ? `${k.received}/${k.sent}` : '-';
}

function mtuCell(r: ProbeResult): string {
  const m = r.evidence.mtu;
  if (!m) return '-';
  if (!m.tested) return 'not tested';
  if (!m.blackHole) return `${m.deviceMtu} ok`;
  return `BLACK HOLE: ${m.largestPassed ?? 'none'} of ${m.deviceMtu} passes`;
}

/** A fixed-width table, one row per directed pair, problems first. */
export function renderProbeTable(report: ProbeReport): string {
  const order = { blocked: 0, 'underlay-unreachable': 1, error: 2, 'agent-missing': 3, 'not-probed': 4, ok: 5 } as const;
  const rows = [...report.results].sort(
    (a, b) => order[a.verdict] - order[b.verdict] || a.sourceNode.localeCompare(b.sourceNode) || a.destinationNode.localeCompare(b.destinationNode),
  );
  const header = ['SOURCE', 'DESTINATION', 'VERDICT', 'OVERLAY', 'UNDERLAY', 'MTU', 'REASON'];
  const table = rows.map((r) => [
    `${r.sourceNode} (${r.sourceIp ?? '?'})`,
    `${r.destinationNode} (${r.destinationIp ?? '?'})`,
    r.verdict,
    counts(r.evidence.overlay),
    counts(r.evidence.underlay),
    mtuCell(r),
    r.evidence.reason,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (i === header.length - 1 ? 0 : row[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const tally = new Map<string, number>();
  for (const r of report.results) tally.set(r.verdict, (tally.get(r.verdict) ?? 0) + 1);
  const blackHoles = report.results.filter((r) => r.evidence.mtu?.tested && r.evidence.mtu.blackHole).length;
  const summary = [...tally.entries()].map(([v, n]) => `${n} ${v}`).join(', ');
  return [
    line(header),
    ...table.map(line),
    '',
    `${report.results.length} directed pairs in ${(report.elapsedMs / 1000).toFixed(1)} s: ${summary}${blackHoles ? `; ${blackHoles} with an MTU black hole` : ''}`,
    '(OVERLAY/UNDERLAY: datagrams received/sent; MTU: inner IP packet sizes over the overlay)',
    '',
  ].join('\n');
}

/**
 * 0 when every probed pair is ok with no MTU black hole (pairs the CNI routes outside a probeable
 * tunnel are `not-probed` and listed, not failures), 1 otherwise, and 1 when nothing could be probed.
 */
export function probeExitCode(report: ProbeReport): 0 | 1 {
  const probed = report.results.filter((r) => r.verdict !== 'not-probed');
  const bad = probed.length === 0 || probed.some((r) => r.verdict !== 'ok' || (r.evidence.mtu?.tested === true && r.evidence.mtu.blackHole));
  return bad ? 1 : 0;
}
