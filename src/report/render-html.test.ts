import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport, Finding, PairRef } from '../model/report.js';
import { goldenAudit } from '../../test/browser/report-fixtures.js';
import { REPORT_CSP, REPORT_CSP_HEADER } from './html-assets.js';
import { PAIRS_LISTED, PAIRS_VISIBLE } from './html-page.js';
import { renderAuditHtml } from './render-html.js';

const HOSTILE_NODE = '<img src=x onerror=alert(1)>';
const HOSTILE_GROUP = '"><script>alert(2)</script>';

/** The bodies of every element of a kind, as the HTML parser would see them (no nesting in these two). */
function bodiesOf(html: string, tag: 'style' | 'script'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}

const sha = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Every start tag in the page, with its attribute text. */
function startTags(html: string): string[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>/g)].map((m) => m[0]);
}

function hostile(report: AuditReport): AuditReport {
  const r = structuredClone(report);
  const f = r.findings[0]!;
  f.pairs[0] = { ...f.pairs[0]!, sourceNode: HOSTILE_NODE, destinationNode: '<script>alert(3)</script>' };
  f.target = { ...f.target!, name: HOSTILE_GROUP };
  f.reason = `no rule in ${HOSTILE_GROUP}`;
  f.evidence[0]!.nearest![0]!.rule.text = `ingress tcp 8472 "desc" </code><svg onload=alert(4)>`;
  r.remediations[0]!.commands.cli = `openstack security group rule create --description '</code></pre><script>alert(5)</script>' x`;
  r.remediations[0]!.target.name = HOSTILE_GROUP;
  r.warnings.push({ code: 'odd<b>', message: `node ${HOSTILE_NODE} has no InternalIP`, source: { document: 'nodes.json', pointer: '/items/0/"onmouseover="x' } });
  r.nodes[0]!.name = HOSTILE_NODE;
  r.nodes[0]!.unboundReason = `no port owns ${HOSTILE_NODE}`;
  if (r.matrix) r.matrix.groups[0]!.label = HOSTILE_NODE;
  return r;
}

describe('renderAuditHtml', () => {
  let incident: AuditReport;
  let html: string;
  beforeAll(async () => {
    incident = await goldenAudit('incident');
    html = renderAuditHtml(incident, { version: '9.9.9', generatedAt: '2026-03-01T10:00:00.000Z' });
  });

  it('shows the summary counts, the matrix, the finding with its evidence and the fix commands', () => {
    for (const [key, n] of [['nodes', 4], ['pairs', 12], ['allowed', 0], ['blocked', 12], ['unknown', 0], ['classes', 1]] as const) {
      expect(html).toContain(`<span class="n" data-count="${key}">${n}</span>`);
    }
    expect(html.match(/<svg /g)).toHaveLength(1);
    expect(html.match(/<g class="cell blocked/g)).toHaveLength(12);
    expect(html).toContain('<article class="finding blocked" id="finding-F1">');
    expect(html).toContain('tcp 8472 is allowed from 172.16.10.0/24, udp is not');
    expect(html).toContain('examples/incident/security-groups.json#/security_groups/0/security_group_rules/5');
    // CLI, Terraform and API of R1, plus those of its group-reference alternative: six copy buttons.
    expect(html.match(/<button type="button" class="copy" data-copy="copy-\d+" hidden>/g)).toHaveLength(6);
    expect(html).toContain('openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472 --remote-ip 172.16.10.0/24');
    expect(html).toContain('resource &quot;openstack_networking_secgroup_rule_v2&quot;'.replace(/&quot;/g, '"'));
    expect(html).toContain('API: POST /v2.0/security-group-rules');
    expect(html).toContain('<a href="#remediation-R1">R1</a>');
    expect(html).toContain('sgaudit 9.9.9');
    expect(html).toContain('flannel: vxlan (port 8472)');
  });

  it('is self-contained: one style and one script, admitted by their hashes, and nothing that loads from anywhere', () => {
    const styles = bodiesOf(html, 'style');
    const scripts = bodiesOf(html, 'script');
    expect(styles).toHaveLength(1);
    expect(scripts).toHaveLength(1);
    expect(REPORT_CSP).toContain(`script-src ${sha(scripts[0]!)}`);
    expect(REPORT_CSP).toContain(`style-src ${sha(styles[0]!)}`);
    expect(REPORT_CSP).toMatch(/^default-src 'none'; /);
    expect(REPORT_CSP_HEADER).toBe(`${REPORT_CSP}; frame-ancestors 'none'`);
    const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/);
    expect(meta?.[1]?.replace(/&#39;/g, "'")).toBe(REPORT_CSP);
    // The policy must precede the style it admits.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
    expect(html).not.toMatch(/<link\b|<iframe\b|<img\b|<object\b|<embed\b|@import|url\(/i);
    for (const tag of startTags(html)) {
      expect(tag, tag).not.toMatch(/\s(src|action|formaction|srcset|poster|background)\s*=/i);
      expect(tag, tag).not.toMatch(/\shref\s*=\s*"(?!#)/i);
      expect(tag, tag).not.toMatch(/\s(style|on[a-z]+)\s*=/i);
    }
  });

  it('escapes every value from input: no tag, attribute or script of its own survives', () => {
    const page = renderAuditHtml(hostile(incident), { version: '0.1.0', cluster: `${HOSTILE_GROUP}` });
    expect(bodiesOf(page, 'script')).toHaveLength(1);
    for (const raw of [HOSTILE_NODE, HOSTILE_GROUP, '<script>alert(3)</script>', '<svg onload=alert(4)>', '</code></pre><script>alert(5)</script>', 'odd<b>']) {
      expect(page, raw).not.toContain(raw);
    }
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(5)&lt;/script&gt;');
    for (const tag of startTags(page)) {
      expect(tag, tag).not.toMatch(/\s(style|on[a-z]+)\s*=/i);
      expect(tag, tag).not.toMatch(/^<(img|script(?!>$))/i);
    }
    // A quote is harmless in element text and stays; in an attribute it would have been escaped.
    expect(page).toContain('nodes.json#/items/0/"onmouseover="x</td>');
    // The unbound node is listed, as text.
    expect(page).toContain('Nodes not tied to a cloud interface (1)');
  });

  it('keeps a long pair list usable: the first rows open, more behind <details>, the rest counted', () => {
    const big = structuredClone(incident);
    const pair = (i: number): PairRef => ({ sourceNode: `node-${i}`, sourceIp: '10.0.0.1', destinationNode: `node-${i + 1}`, destinationIp: '10.0.0.2' });
    const f: Finding = { ...big.findings[0]!, pairCount: 24_995_000, pairs: Array.from({ length: 1000 }, (_, i) => pair(i)), pairsTruncated: true };
    big.findings = [f];
    const page = renderAuditHtml(big, { version: '0.1.0' });
    const article = page.slice(page.indexOf('id="finding-F1"'), page.indexOf('</article>'));
    const open = article.slice(0, article.indexOf('<details><summary>') === -1 ? undefined : article.lastIndexOf('<details><summary>'));
    expect(open.match(/<tr><td class="node">/g)).toHaveLength(PAIRS_VISIBLE);
    expect(article.match(/<tr><td class="node">/g)).toHaveLength(PAIRS_LISTED);
    expect(article).toContain(`<summary>${PAIRS_LISTED - PAIRS_VISIBLE} more pairs (${PAIRS_LISTED} of 24995000 listed)</summary>`);
    expect(article).toContain(`${24_995_000 - PAIRS_LISTED} more pairs not listed here`);
    expect(article).toContain('<span class="pair-count">24995000</span>');
    expect(article).toContain('<tr><td class="node">node-499</td>');
    expect(article).not.toContain('<tr><td class="node">node-500</td>');
  });

  it('renders a report stored before matrices and CNI detection, and a clean audit', async () => {
    const { matrix: _matrix, cni: _cni, ...old } = incident;
    const page = renderAuditHtml(old as AuditReport, { version: '0.1.0' });
    expect(page).not.toContain('<svg');
    expect(page).toContain('This report has no matrix section');
    expect(page).toContain('data-count="blocked">12<');

    const healthy = renderAuditHtml(await goldenAudit('healthy'), { version: '0.1.0' });
    expect(healthy).toContain('No findings: every required flow is allowed for every pair.');
    expect(healthy).not.toContain('<button');
    expect(healthy).not.toContain('<g class="cell blocked');
  });
});
