import type { AuditReport, Finding } from '../model/report.js';
import { confirmationText, flowText, pairText, plural, probeSummaryText, remediationsFor, remediationText, summaryLine, overlayText, targetText } from './report-text.js';

const PAIRS_SHOWN = 3;

/** Plain-text report for terminals: summary, then one block per finding with its fixes. */
export function renderTable(report: AuditReport): string {
  const lines: string[] = [`sgaudit: ${overlayText(report)}`, summaryLine(report)];
  const probes = probeSummaryText(report);
  if (probes) lines.push(probes);
  if (report.findings.length === 0) {
    lines.push('', report.summary.directedPairs > 0 ? 'No findings: every node pair passes every requirement.' : 'No node pairs to audit.');
  }
  const shown = new Set<string>();
  for (const f of report.findings) lines.push('', ...findingBlock(report, f, shown));
  if (report.warnings.length > 0) {
    lines.push('', `Warnings (${report.warnings.length}):`);
    for (const w of report.warnings) {
      const where = w.source ? ` [${w.source.document}${w.source.pointer ? `#${w.source.pointer}` : ''}]` : '';
      lines.push(`  ${w.code}: ${w.message}${where}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function findingBlock(report: AuditReport, f: Finding, shown: Set<string>): string[] {
  const where = [f.layer, f.direction, targetText(f.target)].filter(Boolean).join(' ');
  const head = [f.id, f.verdict.toUpperCase(), f.requirement, flowText(f), where, plural(f.pairCount, 'pair')].filter(Boolean);
  const lines = [head.join('  '), `  ${f.reason}`];
  const confirmation = confirmationText(f);
  if (confirmation) lines.push(`  ${confirmation}`);
  for (const p of f.pairs.slice(0, PAIRS_SHOWN)) lines.push(`    ${pairText(p)}`);
  const more = f.pairCount - Math.min(f.pairs.length, PAIRS_SHOWN);
  if (more > 0) lines.push(`    … and ${plural(more, 'more pair')}`);
  for (const r of remediationsFor(report, f.id)) {
    if (shown.has(r.id)) {
      lines.push(`  fix ${r.id}: ${remediationText(r)} (commands above)`);
      continue;
    }
    shown.add(r.id);
    lines.push(`  fix ${r.id}: ${remediationText(r)} (${plural(r.pairCount, 'pair')})`, `    ${r.commands.cli}`);
    if (r.alternative) lines.push(`    or, referencing ${r.alternative.groupId}: ${r.alternative.commands.cli}`);
    for (const note of r.notes) lines.push(`    note: ${note}`);
  }
  return lines;
}
