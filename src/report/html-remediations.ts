/** Remediations as HTML: each rule's CLI command, Terraform and API call, each with a copy button. */
import type { Remediation, RemediationCommands } from '../model/report.js';
import { escapeAttribute, escapeText } from './html-escape.js';
import { findingAnchor, remediationAnchor } from './html-findings.js';
import { copyBlock, facts, type ElementIds } from './html-page.js';
import { flowText, remediationText, targetText } from './report-text.js';

export function remediationHtml(r: Remediation, ids: ElementIds, alternativeShownIn: Map<string, string>): string {
  const fixes = r.findingIds.map((id) => `<a href="#${escapeAttribute(findingAnchor(id))}">${escapeText(id)}</a>`).join(', ');
  const about = facts([
    ['target', `<code>${escapeText(targetText(r.target))}</code> <span class="muted">${escapeText(r.target.kind)} (${escapeText(r.provider)})</span>`],
    ['rule', `${escapeText(r.direction)} ${escapeText(flowText(r))} ${r.direction === 'ingress' ? 'from' : 'to'} <code>${escapeText(r.cidr)}</code>${r.ruleNumber !== undefined ? ` as entry #${r.ruleNumber}` : ''}`],
    ['fixes', `${fixes} (${r.pairCount} ${r.pairCount === 1 ? 'pair' : 'pairs'})`],
    ['notes', r.notes.length > 0 ? `<ul class="plain">${r.notes.map((n) => `<li>${escapeText(n)}</li>`).join('')}</ul>` : undefined],
  ]);
  let alternative = '';
  if (r.alternative) {
    // One group-reference rule stands in for every CIDR rule of its group: show it once.
    const shownIn = alternativeShownIn.get(r.alternative.commands.cli);
    if (shownIn !== undefined) {
      alternative = `<p class="note">Alternative: the security group reference shown under <a href="#${escapeAttribute(remediationAnchor(shownIn))}">${escapeText(shownIn)}</a>.</p>`;
    } else {
      alternativeShownIn.set(r.alternative.commands.cli, r.id);
      alternative = `<details><summary>Alternative: reference security group ${escapeText(r.alternative.groupId)} instead of the CIDR</summary>${commandBlocks(r.alternative.commands, ids)}</details>`;
    }
  }
  return `<article class="remediation" id="${escapeAttribute(remediationAnchor(r.id))}">
<h3>${escapeText(r.id)}: ${escapeText(remediationText(r))}</h3>
${about}
${commandBlocks(r.commands, ids)}
${alternative}
</article>`;
}

function commandBlocks(c: RemediationCommands, ids: ElementIds): string {
  return [
    copyBlock(ids, 'CLI', c.cli),
    copyBlock(ids, 'Terraform', c.terraform.trimEnd()),
    copyBlock(ids, `API: ${c.api.method} ${c.api.path}`, JSON.stringify(c.api.body, null, 2)),
  ].join('\n');
}

export function remediationsHtml(remediations: readonly Remediation[], ids: ElementIds): string {
  const alternativeShownIn = new Map<string, string>();
  return remediations.map((r) => remediationHtml(r, ids, alternativeShownIn)).join('\n');
}
