import type { PairChange } from './diff.js';
import type { WhatifReport, WhatifVerdict } from './report.js';

const HEADLINE: Record<WhatifVerdict, string> = {
  breaks: 'BREAKS overlay traffic',
  mixed: 'blocks some overlay traffic and allows other',
  fixes: 'fixes overlay traffic',
  safe: 'safe for overlay traffic',
  unknown: 'cannot be shown safe for overlay traffic',
};

/** Markdown table cells: pipes and line breaks would end the cell. */
function cell(text: string | number | null | undefined): string {
  return String(text ?? '-').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function traffic(p: PairChange): string {
  if (!p.protocol) return p.requirement;
  if (p.port !== undefined) return `${p.protocol} ${p.port}`;
  if (p.fromPort !== undefined) return `${p.protocol} ${p.fromPort}-${p.toPort}`;
  return p.protocol;
}

function pairTable(pairs: PairChange[], total: number): string[] {
  const lines = ['| source | destination | requirement | traffic | was | why |', '|---|---|---|---|---|---|'];
  for (const p of pairs) {
    lines.push(
      `| ${cell(p.sourceNode)} (${cell(p.sourceIp)}) | ${cell(p.destinationNode)} (${cell(p.destinationIp)}) | ${cell(p.requirement)} | ${cell(traffic(p))} | ${cell(p.before)} | ${cell(p.reason)} |`,
    );
  }
  if (total > pairs.length) lines.push('', `_${total - pairs.length} more not listed (raise --max-pairs to see them)._`);
  return lines;
}

/** A PR comment: verdict first, then what moved, what was applied, and what could not be judged. */
export function renderWhatifMarkdown(report: WhatifReport): string {
  const out: string[] = [];
  out.push(`## sgaudit what-if: this change ${HEADLINE[report.verdict]}`, '');
  out.push(
    `**Verdict: \`${report.verdict}\`** · newly blocked: **${report.newlyBlockedCount}** · newly allowed: **${report.newlyAllowedCount}** · ` +
      `newly unknown: **${report.newlyUnknown}** · still blocked: ${report.stillBlocked} _(counts are directed node pairs × requirements)_`,
    '',
  );
  out.push('| | directed pairs | allowed | blocked | unknown |', '|---|---|---|---|---|');
  out.push(`| before | ${report.before.directedPairs} | ${report.before.allowed} | ${report.before.blocked} | ${report.before.unknown} |`);
  out.push(`| after | ${report.after.directedPairs} | ${report.after.allowed} | ${report.after.blocked} | ${report.after.unknown} |`, '');

  if (report.newlyBlockedCount > 0) out.push(`### Newly blocked (${report.newlyBlockedCount})`, '', ...pairTable(report.newlyBlocked, report.newlyBlockedCount), '');
  if (report.newlyUnknown > 0) out.push(`### Newly unknown (${report.newlyUnknown})`, '', ...pairTable(report.newlyUnknownPairs, report.newlyUnknown), '');
  if (report.newlyAllowedCount > 0) out.push(`### Newly allowed (${report.newlyAllowedCount})`, '', ...pairTable(report.newlyAllowed, report.newlyAllowedCount), '');

  if (report.unknownUntilApply.length > 0) {
    out.push('### Known only after apply', '', '| resource | attribute | why it matters |', '|---|---|---|');
    for (const u of report.unknownUntilApply) out.push(`| \`${cell(u.address)}\` | \`${cell(u.attribute)}\` | ${cell(u.reason)} |`);
    out.push('');
  }
  if (report.unsupported.length > 0) {
    out.push('### Not modeled', '', '| resource | action | why |', '|---|---|---|');
    for (const u of report.unsupported) out.push(`| \`${cell(u.address)}\` | ${cell(u.action)} | ${cell(u.reason)} |`);
    out.push('');
  }
  if (report.remediations.length > 0) {
    out.push('### Suggested fix', '');
    for (const r of report.remediations) {
      out.push(`- ${r.direction} ${r.protocol}${r.fromPort !== undefined ? ` ${r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`}` : ''} ${r.direction === 'ingress' ? 'from' : 'to'} ${r.cidr} on ${r.target.kind} \`${r.target.id}\` (${r.pairCount} pairs)`);
      out.push('', '```hcl', r.commands.terraform.trimEnd(), '```', '');
    }
  }
  out.push('<details><summary>Changes applied to the model</summary>', '');
  if (report.changes.length === 0) out.push('_none_');
  else {
    out.push('| resource | action | effect | outcome |', '|---|---|---|---|');
    for (const c of report.changes) {
      const notes = c.notes.length > 0 ? ` (${c.notes.join('; ')})` : '';
      out.push(`| \`${cell(c.address)}\` | ${cell(c.action)} | ${cell(c.description + notes)} | ${cell(c.outcome)} |`);
    }
  }
  out.push('', '</details>', '');
  if (report.ignored.length > 0) {
    out.push(`<details><summary>Ignored resources (${report.ignored.length})</summary>`, '', '| resource | action | why |', '|---|---|---|');
    for (const i of report.ignored) out.push(`| \`${cell(i.address)}\` | ${cell(i.action)} | ${cell(i.reason)} |`);
    out.push('', '</details>', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
