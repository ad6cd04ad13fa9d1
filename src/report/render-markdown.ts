import type { AuditReport, Finding, Remediation } from '../model/report.js';
import { confirmationText, flowText, pairText, plural, probeSummaryText, targetText } from './report-text.js';
import { ticketData, type TicketData } from './ticket-data.js';

const PAIRS_SHOWN = 5;

/** The remediation ticket as Markdown. */
export function renderMarkdown(report: AuditReport): string {
  return renderTicketMarkdown(report, ticketData(report));
}

export function renderTicketMarkdown(report: AuditReport, ticket: TicketData): string {
  const s = report.summary;
  const out: string[] = [
    `# ${ticket.title}`,
    '',
    `**Severity:** ${ticket.severity}`,
    '',
    '## Summary',
    '',
    ticket.summary,
    '',
    '| Nodes | Classes | Directed pairs | Allowed | Blocked | Unknown |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${s.nodes} | ${s.classes} | ${s.directedPairs} | ${s.allowed} | ${s.blocked} | ${s.unknown} |`,
    '',
    ...cniParagraphs(report),
  ];
  const probes = probeSummaryText(report);
  if (probes) out.push('', `${probes.charAt(0).toUpperCase()}${probes.slice(1)}.`);
  if (report.findings.length > 0) {
    out.push('', '## Findings');
    for (const f of report.findings) out.push('', ...findingSection(f));
  }
  if (report.remediations.length > 0) {
    out.push('', '## Rules to add', '', '| Rule | Target | Direction | Traffic | CIDR | Rule number | Fixes | Pairs |', '|---|---|---|---|---|---:|---|---:|');
    for (const r of report.remediations) {
      out.push(
        `| ${r.id} | ${cell(targetText(r.target))} | ${r.direction} | ${cell(flowText(r))} | ${cell(r.cidr)} | ${r.ruleNumber ?? ''} | ${r.findingIds.join(', ')} | ${r.pairCount} |`,
      );
    }
    const alternativeShownIn = new Map<string, string>();
    for (const r of report.remediations) out.push('', ...remediationSection(r, alternativeShownIn));
  }
  if (report.warnings.length > 0) {
    out.push('', '## Input warnings', '');
    for (const w of report.warnings) {
      const where = w.source ? ` (${code(`${w.source.document}${w.source.pointer ? `#${w.source.pointer}` : ''}`)})` : '';
      out.push(`- ${code(w.code)}: ${w.message}${where}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** What carries pod traffic: the CNI and how it was found (unless it is plain flannel found without doubt), then flannel's facts. */
function cniParagraphs(report: AuditReport): string[] {
  const out: string[] = [];
  const c = report.cni;
  if (c && (c.name !== 'flannel' || c.how === 'given' || c.conflicts.length > 0)) {
    const evidence = c.evidence.map((e) => `${e.fact}${e.source ? ` (${code(`${e.source.document}${e.source.pointer ? `#${e.source.pointer}` : ''}`)})` : ''}`);
    out.push(`CNI: ${code(c.name)}, ${c.how === 'given' ? 'given with --cni' : 'detected'}. ${c.summary}.`);
    if (evidence.length > 0) out.push(evidence.map((e) => `- ${e}`).join('\n'));
    if (c.conflicts.length > 0) out.push(c.conflicts.map((x) => `- **Conflicting evidence:** ${x}`).join('\n'));
  }
  if (report.flannel) out.push(flannelParagraph(report.flannel));
  return out.flatMap((p, i) => (i === 0 ? [p] : ['', p]));
}

function flannelParagraph(f: NonNullable<AuditReport['flannel']>): string {
  const facts = [`backend ${code(f.backend)}`];
  if (f.port !== undefined) facts.push(`port ${f.port}`);
  if (f.network !== undefined) facts.push(`network ${code(f.network)}`);
  facts.push(`configuration from ${f.origin}`);
  const notes = f.notes.length > 0 ? ` ${f.notes.join(' ')}` : '';
  return `Flannel: ${facts.join(', ')}.${notes}`;
}

function findingSection(f: Finding): string[] {
  const where = [f.layer, f.direction].filter(Boolean).join(' ');
  const lines = [`### ${f.id}: ${f.verdict} ${f.requirement} ${flowText(f)} (${where})`.replace(/\s+\(/, ' ('), '', f.reason, ''];
  lines.push(`- **Pairs affected:** ${f.pairCount}`);
  const confirmation = confirmationText(f);
  if (confirmation) lines.push(`- **Data plane:** ${confirmation}`);
  const e = f.evidence[0];
  if (e) {
    lines.push(`- **Layer:** ${e.layer} (${e.check})`);
    if (f.target) lines.push(`- **${targetHeading(f.target.kind)}:** ${code(targetText(f.target))}`);
    if (e.decidingRule) lines.push(`- **Rule:** ${code(e.decidingRule.ruleId)} ${code(e.decidingRule.text)} (${code(`${e.decidingRule.source.document}#${e.decidingRule.source.pointer}`)})`);
    for (const n of e.nearest ?? []) lines.push(`- **Nearest rule:** ${code(n.rule.ruleId)} ${code(n.rule.text)}: ${n.mismatch}`);
    lines.push(`- **Evaluator:** ${e.reason}`);
  }
  if (f.pairs.length > 0) {
    lines.push('', `Pairs (first ${Math.min(PAIRS_SHOWN, f.pairs.length)} of ${f.pairCount}):`, '');
    for (const p of f.pairs.slice(0, PAIRS_SHOWN)) lines.push(`- ${pairText(p, '→')}`);
    const more = f.pairCount - Math.min(PAIRS_SHOWN, f.pairs.length);
    if (more > 0) lines.push(`- … and ${plural(more, 'more pair')}`);
  }
  return lines;
}

function targetHeading(kind: string): string {
  switch (kind) {
    case 'security-group':
    case 'security-groups':
      return 'Security groups';
    case 'network-acl':
      return 'Network ACL';
    case 'node':
      return 'Node';
    case 'network-interface':
      return 'Interface';
    case 'network-interfaces':
      return 'Interfaces';
    default:
      return 'Object';
  }
}

function remediationSection(r: Remediation, alternativeShownIn: Map<string, string>): string[] {
  const lines = [`### ${r.id}: ${r.direction} ${flowText(r)} ${r.direction === 'ingress' ? 'from' : 'to'} ${r.cidr} on ${targetText(r.target)}`, ''];
  lines.push(`Fixes ${r.findingIds.join(', ')} (${plural(r.pairCount, 'pair')}).`, '');
  lines.push(...fence('sh', r.commands.cli), '', ...fence('hcl', r.commands.terraform.trimEnd()));
  if (r.alternative) {
    // One group-reference rule replaces all CIDR rules of its group; print it once.
    const shownIn = alternativeShownIn.get(r.alternative.commands.cli);
    if (shownIn) {
      lines.push('', `Alternative: the security group reference shown under ${shownIn}.`);
    } else {
      alternativeShownIn.set(r.alternative.commands.cli, r.id);
      lines.push('', `Alternative: reference security group ${code(r.alternative.groupId)} instead of the CIDR.`, '');
      lines.push(...fence('sh', r.alternative.commands.cli), '', ...fence('hcl', r.alternative.commands.terraform.trimEnd()));
    }
  }
  if (r.notes.length > 0) {
    lines.push('');
    for (const n of r.notes) lines.push(`> ${n}`);
  }
  return lines;
}

/** A fence longer than any backtick run inside the content. */
function fence(lang: string, content: string): string[] {
  const longest = Math.max(2, ...(content.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(longest + 1);
  return [`${f}${lang}`, content, f];
}

function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(longest + 1);
  return longest > 0 ? `${f} ${text} ${f}` : `${f}${text}${f}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
