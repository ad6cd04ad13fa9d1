/**
 * The what-if report as one self-contained HTML file, for a change review: the verdict first,
 * the before and after matrices side by side, the pairs the change moves, what was applied, and
 * the rules that would repair what it breaks. Same frame, stylesheet, script and policy as the
 * audit report (src/report/html-*.ts).
 */
import type { MatrixSection } from '../model/matrix.js';
import type { ReportSummary } from '../model/report.js';
import { escapeText } from '../report/html-escape.js';
import { findingHtml } from '../report/html-findings.js';
import { code, collapsedTable, ElementIds, htmlPage, pairTable, section } from '../report/html-page.js';
import { remediationsHtml } from '../report/html-remediations.js';
import { warningsHtml } from '../report/html-warnings.js';
import { renderMatrixSvg } from '../report/render-svg.js';
import type { PairChange } from './diff.js';
import type { WhatifReport, WhatifVerdict } from './report.js';

export interface WhatifHtmlOptions {
  version: string;
  generatedAt?: string;
}

const VERDICT_TEXT: Record<WhatifVerdict, string> = {
  breaks: 'This change breaks node-to-node traffic the CNI needs.',
  mixed: 'This change blocks some required traffic and allows other.',
  fixes: 'This change allows traffic that is blocked today, and blocks nothing.',
  safe: 'This change leaves every required flow as it is.',
  unknown: 'This change cannot be shown safe: some verdicts are unknown after it.',
};

/** The verdicts a badge colours: a change that breaks reads as blocked, one that fixes as allowed. */
const VERDICT_CLASS: Record<WhatifVerdict, string> = { breaks: 'blocked', mixed: 'blocked', fixes: 'allowed', safe: 'allowed', unknown: 'unknown' };

const ROWS_VISIBLE = 20;
const ROWS_LISTED = 2000;

export function renderWhatifHtml(report: WhatifReport, options: WhatifHtmlOptions): string {
  const ids = new ElementIds();
  const header = `<h1>sgaudit what-if</h1>
<p>${escapeText(proposalText(report))}${options.generatedAt ? ` · ${escapeText(options.generatedAt)}` : ''}</p>`;
  const counts = `<ul class="counts">${[
    count('newly-blocked', report.newlyBlockedCount, 'newly blocked', 'blocked'),
    count('newly-allowed', report.newlyAllowedCount, 'newly allowed', 'allowed'),
    count('newly-unknown', report.newlyUnknown, 'newly unknown', 'unknown'),
    count('still-blocked', report.stillBlocked, 'still blocked', ''),
    count('still-unknown', report.stillUnknown, 'still unknown', ''),
  ].join('')}</ul><p class="muted">Counts are directed node pairs × requirements.</p>`;
  const verdict = `<p class="headline"><span class="verdict verdict-${VERDICT_CLASS[report.verdict]}" data-verdict="${report.verdict}">${report.verdict}</span> ${escapeText(VERDICT_TEXT[report.verdict])}</p>`;
  const body = [
    section('verdict', 'Verdict', verdict + counts + summaryTable(report.before, report.after)),
    section('matrix', 'Before and after', matricesHtml(report)),
    pairSection('newly-blocked', 'Newly blocked', report.newlyBlocked, report.newlyBlockedCount),
    pairSection('newly-unknown', 'Newly unknown', report.newlyUnknownPairs, report.newlyUnknown),
    pairSection('newly-allowed', 'Newly allowed', report.newlyAllowed, report.newlyAllowedCount),
    report.newlyBlockedFindings.length > 0 ? section('findings', `Findings behind the newly blocked pairs (${report.newlyBlockedFindings.length})`, report.newlyBlockedFindings.map((f) => findingHtml(f, report.remediations)).join('\n')) : '',
    report.remediations.length > 0 ? section('remediations', `Rules that would repair it (${report.remediations.length})`, remediationsHtml(report.remediations, ids)) : '',
    section('changes', `Changes applied to the model (${report.changes.length})`, changesHtml(report)),
    notModeledHtml(report),
    section('warnings', `Warnings (${report.warnings.length})`, warningsHtml(report.warnings)),
  ].join('\n');
  return htmlPage({
    title: `sgaudit what-if: ${report.verdict} (${report.newlyBlockedCount} newly blocked, ${report.newlyAllowedCount} newly allowed)`,
    header,
    body,
    footer: `sgaudit ${options.version} · what-if schema ${report.schemaVersion}`,
  });
}

function count(key: string, n: number, label: string, tone: string): string {
  return `<li class="${tone}"><span class="n" data-count="${key}">${n}</span>${escapeText(label)}</li>`;
}

function proposalText(report: WhatifReport): string {
  const p = report.proposal;
  return p.kind === 'terraform-plan'
    ? `Terraform plan ${p.document}${p.terraformVersion ? ` (terraform ${p.terraformVersion})` : ''}`
    : `proposed exports ${p.documents.join(', ')}`;
}

function summaryTable(before: ReportSummary, after: ReportSummary): string {
  const row = (label: string, s: ReportSummary): string =>
    `<tr><th>${label}</th><td class="num">${s.directedPairs}</td><td class="num">${s.allowed}</td><td class="num">${s.blocked}</td><td class="num">${s.unknown}</td></tr>`;
  return `<table class="before-after"><thead><tr><th></th><th class="num">directed pairs</th><th class="num">allowed</th><th class="num">blocked</th><th class="num">unknown</th></tr></thead><tbody>${row('before', before)}${row('after', after)}</tbody></table>`;
}

function matricesHtml(report: WhatifReport): string {
  const m = report.matrix;
  if (!m) return '<p class="muted">This what-if report has no matrices (it was made before sgaudit drew them).</p>';
  const one = (label: string, matrix: MatrixSection): string =>
    `<div class="matrix-${label}"><h3>${label}</h3><div class="matrix">${renderMatrixSvg(matrix, { omitStyle: true })}</div></div>`;
  return `<p class="muted">Rows are sources, columns destinations. ${escapeText(m.after.groupingReason)}</p><div class="matrices">${one('before', m.before)}${one('after', m.after)}</div>`;
}

function traffic(p: PairChange): string {
  if (!p.protocol) return p.requirement;
  if (p.port !== undefined) return `${p.protocol} ${p.port}`;
  if (p.fromPort !== undefined) return `${p.protocol} ${p.fromPort}-${p.toPort}`;
  return p.protocol;
}

function pairSection(id: string, heading: string, pairs: readonly PairChange[], total: number): string {
  if (total === 0) return '';
  const table = pairTable(pairs, total, '<tr><th>source</th><th>destination</th><th>requirement</th><th>traffic</th><th>was</th><th>now</th><th>layer</th><th>why</th></tr>',
    (p) =>
      `<tr><td class="node">${escapeText(p.sourceNode)} <span class="muted">${escapeText(p.sourceIp ?? '-')}</span></td><td class="node">${escapeText(p.destinationNode)} <span class="muted">${escapeText(p.destinationIp ?? '-')}</span></td><td>${code(p.requirement)}</td><td>${escapeText(traffic(p))}</td><td>${escapeText(p.before)}</td><td>${escapeText(p.after)}</td><td>${escapeText(p.layer ?? '')}</td><td>${escapeText(p.reason)}</td></tr>`,
  );
  return section(id, `${heading} (${total})`, table);
}

function changesHtml(report: WhatifReport): string {
  if (report.changes.length === 0) return '<p class="muted">None.</p>';
  return collapsedTable({
    items: report.changes,
    total: report.changes.length,
    visible: ROWS_VISIBLE,
    listed: ROWS_LISTED,
    noun: ['change', 'changes'],
    head: '<tr><th>resource</th><th>action</th><th>effect</th><th>outcome</th></tr>',
    row: (c) =>
      `<tr><td>${code(c.address)}</td><td>${escapeText(c.action)}</td><td>${escapeText(c.description)}${c.notes.length > 0 ? ` <span class="muted">(${escapeText(c.notes.join('; '))})</span>` : ''}</td><td>${escapeText(c.outcome)}</td></tr>`,
  });
}

function notModeledHtml(report: WhatifReport): string {
  const parts: string[] = [];
  if (report.unknownUntilApply.length > 0) {
    parts.push(`<h3>Known only after apply (${report.unknownUntilApply.length})</h3>`, collapsedTable({
      items: report.unknownUntilApply,
      total: report.unknownUntilApply.length,
      visible: ROWS_VISIBLE,
      listed: ROWS_LISTED,
      noun: ['value', 'values'],
      head: '<tr><th>resource</th><th>attribute</th><th>why it matters</th></tr>',
      row: (u) => `<tr><td>${code(u.address)}</td><td>${code(u.attribute)}</td><td>${escapeText(u.reason)}</td></tr>`,
    }));
  }
  if (report.unsupported.length > 0) {
    parts.push(`<h3>Not modeled (${report.unsupported.length})</h3>`, collapsedTable({
      items: report.unsupported,
      total: report.unsupported.length,
      visible: ROWS_VISIBLE,
      listed: ROWS_LISTED,
      noun: ['resource', 'resources'],
      head: '<tr><th>resource</th><th>action</th><th>why</th></tr>',
      row: (u) => `<tr><td>${code(u.address)}</td><td>${escapeText(u.action)}</td><td>${escapeText(u.reason)}</td></tr>`,
    }));
  }
  if (report.ignored.length > 0) {
    parts.push(`<details><summary>Ignored resources (${report.ignored.length})</summary>${collapsedTable({
      items: report.ignored,
      total: report.ignored.length,
      visible: ROWS_LISTED,
      listed: ROWS_LISTED,
      noun: ['resource', 'resources'],
      head: '<tr><th>resource</th><th>action</th><th>why</th></tr>',
      row: (u) => `<tr><td>${code(u.address)}</td><td>${escapeText(u.action)}</td><td>${escapeText(u.reason)}</td></tr>`,
    })}</details>`);
  }
  if (parts.length === 0) return '';
  return section('not-modeled', 'What could not be judged', parts.join(''));
}
