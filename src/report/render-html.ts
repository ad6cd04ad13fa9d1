/**
 * The audit report as one self-contained HTML file: summary, the verdict matrix as inline SVG,
 * every finding with its evidence and pairs, the fix commands with copy buttons, and the
 * warnings. It makes no request of its own (no <link>, no remote src, no url()), so it can be
 * attached to a ticket or an e-mail and opened anywhere; see html-assets.ts for its policy.
 */
import type { AuditReport, ReportCni } from '../model/report.js';
import { escapeText } from './html-escape.js';
import { findingHtml } from './html-findings.js';
import { code, ElementIds, facts, htmlPage, section } from './html-page.js';
import { remediationsHtml } from './html-remediations.js';
import { warningsHtml } from './html-warnings.js';
import { overlayText, plural, probeSummaryText } from './report-text.js';
import { probeOverlay, renderMatrixSvg } from './render-svg.js';

export interface AuditHtmlOptions {
  /** sgaudit's version, shown in the footer. */
  version: string;
  /** When the report was made or stored (ISO 8601); the renderer reads no clock. */
  generatedAt?: string;
  /** A cluster label (REST audits carry one). */
  cluster?: string | null;
}

/** Nodes listed when they could not be tied to a cloud interface (their pairs are unknown). */
const UNBOUND_LISTED = 200;

export function renderAuditHtml(report: AuditReport, options: AuditHtmlOptions): string {
  const s = report.summary;
  const ids = new ElementIds();
  const worst = s.blocked > 0 ? `${s.blocked} blocked` : s.unknown > 0 ? `${s.unknown} unknown` : 'all allowed';
  const header = `<h1>sgaudit audit${options.cluster ? `: ${escapeText(options.cluster)}` : ''}</h1>
<p>${escapeText(overlayText(report))} · ${escapeText(plural(s.nodes, 'node'))}${options.generatedAt ? ` · ${escapeText(options.generatedAt)}` : ''}</p>`;
  const body = [
    section('summary', 'Summary', summaryHtml(report)),
    section('matrix', 'Matrix', matrixHtml(report)),
    section('findings', `Findings (${report.findings.length})`, report.findings.length > 0 ? report.findings.map((f) => findingHtml(f, report.remediations)).join('\n') : '<p class="muted">No findings: every required flow is allowed for every pair.</p>'),
    report.remediations.length > 0 ? section('remediations', `Rules to add (${report.remediations.length})`, remediationsHtml(report.remediations, ids)) : '',
    section('warnings', `Warnings (${report.warnings.length})`, warningsHtml(report.warnings)),
    unboundNodesHtml(report),
  ].join('\n');
  return htmlPage({
    title: `sgaudit: ${worst} of ${s.directedPairs} directed pairs${options.cluster ? ` (${options.cluster})` : ''}`,
    header,
    body,
    footer: `sgaudit ${options.version} · report schema ${report.schemaVersion}`,
  });
}

function summaryHtml(report: AuditReport): string {
  const s = report.summary;
  const count = (key: string, n: number, label: string): string => `<li class="${key}"><span class="n" data-count="${key}">${n}</span>${escapeText(label)}</li>`;
  const counts = `<ul class="counts">${[
    count('nodes', s.nodes, 'nodes'),
    count('pairs', s.directedPairs, 'directed pairs'),
    count('allowed', s.allowed, 'allowed'),
    count('blocked', s.blocked, 'blocked'),
    count('unknown', s.unknown, 'unknown'),
    count('classes', s.classes, s.classes === 1 ? 'class' : 'classes'),
  ].join('')}</ul>`;
  const f = report.flannel;
  const probes = probeSummaryText(report);
  const details = facts([
    ['CNI', report.cni ? cniHtml(report.cni) : undefined],
    ['flannel', f ? [code(f.backend), f.port !== undefined ? `port ${f.port}` : '', f.network !== undefined ? `network ${code(f.network)}` : '', `from ${escapeText(f.origin)}`].filter(Boolean).join(', ') : undefined],
    ['flannel notes', f && f.notes.length > 0 ? `<ul class="plain">${f.notes.map((n) => `<li>${escapeText(n)}</li>`).join('')}</ul>` : undefined],
    ['requirements', report.requirements.length > 0 ? `<ul class="plain">${report.requirements.map((r) => `<li>${code(r.id)} ${escapeText(r.title)}</li>`).join('')}</ul>` : undefined],
    ['live probes', probes ? escapeText(probes) : undefined],
  ]);
  return counts + details;
}

function cniHtml(cni: ReportCni): string {
  const evidence = cni.evidence.length > 0
    ? `<details><summary>${plural(cni.evidence.length, 'fact')} behind it</summary><ul class="plain">${cni.evidence.map((e) => `<li>${escapeText(e.fact)}${e.source ? ` <span class="muted">(${escapeText(e.source.pointer ? `${e.source.document}#${e.source.pointer}` : e.source.document)})</span>` : ''}</li>`).join('')}</ul></details>`
    : '';
  const conflicts = cni.conflicts.length > 0 ? `<ul class="plain">${cni.conflicts.map((c) => `<li class="verdict-unknown">${escapeText(c)}</li>`).join('')}</ul>` : '';
  return `${escapeText(cni.summary)} <span class="muted">(${escapeText(cni.how)})</span>${evidence}${conflicts}`;
}

function matrixHtml(report: AuditReport): string {
  // Reports stored before the matrix existed have none; the page says so instead of failing.
  if (!report.matrix) return '<p class="muted">This report has no matrix section (it was made before sgaudit drew matrices); run the audit again to get one.</p>';
  const m = report.matrix;
  const svg = renderMatrixSvg(m, { omitStyle: true, probes: probeOverlay(report) });
  return `<p class="muted">Rows are sources, columns destinations. ${escapeText(m.groupingReason)}</p><div class="matrix">${svg}</div>`;
}

function unboundNodesHtml(report: AuditReport): string {
  const unbound = report.nodes.filter((n) => n.unboundReason !== undefined);
  if (unbound.length === 0) return '';
  const rows = unbound.slice(0, UNBOUND_LISTED).map((n) => `<tr><td class="node">${escapeText(n.name)}</td><td>${escapeText(n.vtepIp ?? '-')}</td><td>${escapeText(n.unboundReason ?? '')}</td></tr>`).join('');
  const more = unbound.length > UNBOUND_LISTED ? `<p class="note">${unbound.length - UNBOUND_LISTED} more not listed.</p>` : '';
  return section('unbound-nodes', `Nodes not tied to a cloud interface (${unbound.length})`, `<table><thead><tr><th>node</th><th>VTEP</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>${more}`);
}
