/** Findings, their evidence, pairs and probe results, as HTML (shared by the audit and what-if pages). */
import type { Evidence, RuleCitation } from '../model/evidence.js';
import type { ProbeResult } from '../model/probe.js';
import type { Finding, PairRef, Remediation } from '../model/report.js';
import { escapeAttribute, escapeText } from './html-escape.js';
import { code, collapsedTable, facts, PAIRS_LISTED, pairTable, verdictBadge } from './html-page.js';
import { confirmationText, flowText, targetText } from './report-text.js';

/** Evidence entries per finding: one per class pair at most, but a big audit can have many. */
const EVIDENCE_LISTED = 20;
const PROBES_VISIBLE = 10;

export function findingAnchor(id: string): string {
  return `finding-${id}`;
}

export function remediationAnchor(id: string): string {
  return `remediation-${id}`;
}

export function findingHtml(f: Finding, remediations: readonly Remediation[]): string {
  const flow = flowText(f);
  const where = [f.layer, f.direction].filter((x) => x !== undefined).join(' ');
  const fixes = remediations.filter((r) => r.findingIds.includes(f.id));
  const heading = `${escapeText(f.id)} ${verdictBadge(f.verdict)} ${escapeText(f.requirement)}${flow ? ` ${code(flow)}` : ''} <span class="muted">${escapeText(where)}</span>`;
  const confirmation = confirmationText(f);
  const summary = facts([
    ['layer', escapeText(where)],
    ['target', f.target ? `${code(targetText(f.target))} <span class="muted">${escapeText(f.target.kind)}</span>` : undefined],
    ['pairs', `<span class="pair-count">${f.pairCount}</span> directed`],
    ['data plane', confirmation ? escapeText(confirmation) : undefined],
    ['fixed by', fixes.length > 0 ? fixes.map((r) => `<a href="#${escapeAttribute(remediationAnchor(r.id))}">${escapeText(r.id)}</a>`).join(', ') : undefined],
  ]);
  return `<article class="finding ${escapeAttribute(f.verdict)}" id="${escapeAttribute(findingAnchor(f.id))}">
<h3>${heading}</h3>
<p class="reason">${escapeText(f.reason)}</p>
${summary}
${evidenceHtml(f.evidence)}
<h4>Affected pairs</h4>
${pairsHtml(f.pairs, f.pairCount)}
${f.probes && f.probes.length > 0 ? `<h4>Probe results</h4>${probesHtml(f.probes)}` : ''}
</article>`;
}

export function pairsHtml(pairs: readonly PairRef[], total: number): string {
  return pairTable(pairs, total, '<tr><th>source</th><th>source IP</th><th>destination</th><th>destination IP</th></tr>',
    (p) => `<tr><td class="node">${escapeText(p.sourceNode)}</td><td>${escapeText(p.sourceIp ?? '-')}</td><td class="node">${escapeText(p.destinationNode)}</td><td>${escapeText(p.destinationIp ?? '-')}</td></tr>`);
}

function evidenceHtml(evidence: readonly Evidence[]): string {
  if (evidence.length === 0) return '';
  const items = evidence.slice(0, EVIDENCE_LISTED).map(evidenceItem);
  const more = evidence.length - items.length;
  const first = items[0]!;
  const rest = items.slice(1);
  const tail = rest.length > 0 ? `<details><summary>${rest.length} more evidence ${rest.length === 1 ? 'entry' : 'entries'}</summary>${rest.join('')}</details>` : '';
  const unlisted = more > 0 ? `<p class="note">${more} more evidence entries not shown.</p>` : '';
  return `<h4>Evidence</h4>${first}${tail}${unlisted}`;
}

function evidenceItem(e: Evidence): string {
  return `<div class="evidence">${facts([
    ['check', `${escapeText(e.layer)} <span class="muted">(${escapeText(e.check)})</span> ${verdictBadge(e.decision)}`],
    ['consulted', e.objectIds.length > 0 ? e.objectIds.map(code).join(' ') : undefined],
    ['deciding rule', e.decidingRule ? ruleHtml(e.decidingRule) : undefined],
    ['nearest rules', e.nearest && e.nearest.length > 0 ? `<ul class="plain">${e.nearest.map((n) => `<li>${ruleHtml(n.rule)}: ${escapeText(n.mismatch)}</li>`).join('')}</ul>` : undefined],
    ['evaluator', escapeText(e.reason)],
    ['notes', e.notes && e.notes.length > 0 ? `<ul class="plain">${e.notes.map((n) => `<li>${escapeText(n)}</li>`).join('')}</ul>` : undefined],
  ])}</div>`;
}

function ruleHtml(r: RuleCitation): string {
  const where = r.source.pointer ? `${r.source.document}#${r.source.pointer}` : r.source.document;
  return `${code(r.ruleId)} in ${code(r.containerId)}: ${code(r.text)} <span class="muted">(${escapeText(where)})</span>`;
}

function probesHtml(probes: readonly ProbeResult[]): string {
  return collapsedTable({
    items: probes,
    total: probes.length,
    visible: PROBES_VISIBLE,
    listed: PAIRS_LISTED,
    noun: ['probe result', 'probe results'],
    head: '<tr><th>source</th><th>destination</th><th>probe</th><th>certain</th><th>why</th></tr>',
    row: (p) =>
      `<tr><td class="node">${escapeText(p.sourceNode)}</td><td class="node">${escapeText(p.destinationNode)}</td><td>${escapeText(p.verdict)}</td><td>${p.certain === undefined ? '-' : p.certain ? 'yes' : 'no'}</td><td>${escapeText(p.evidence.reason)}</td></tr>`,
  });
}
