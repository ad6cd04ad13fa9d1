import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { renderMarkdown } from './render-markdown.js';
import { renderTable } from './render-table.js';
import { buildTicket } from './ticket.js';
import { allowedCell, cellOf, evaluationOf, nodeClass, boundNode, sgEvidence, snapshotFor, VXLAN } from './testing/fixtures.js';
import { blockedIntoB, naclDeniesIntoB, sharedGroupBlocked } from './testing/scenarios.js';

const reportOf = (s: { snapshot: Parameters<typeof buildReport>[0]; evaluation: Parameters<typeof buildReport>[1] }, maxPairs = 5) =>
  buildReport(s.snapshot, s.evaluation, { maxPairs });

describe('renderTable', () => {
  it('prints the summary, each finding with its first pairs and the fix commands', () => {
    const report = reportOf(blockedIntoB());
    const text = renderTable(report);
    const lines = text.split('\n');
    expect(lines.slice(0, 2)).toEqual(['sgaudit: flannel vxlan (port 8472)', '5 nodes in 2 classes, 20 directed pairs: 8 allowed, 12 blocked, 0 unknown']);
    expect(text).toContain('F1  BLOCKED  flannel-vxlan  udp 8472  security-group ingress sg-b (k8s-b)  12 pairs');
    expect(text).toContain('    a1 (172.16.10.11) -> b1 (172.16.20.11)\n    a1 (172.16.10.11) -> b2 (172.16.20.12)\n    a1 (172.16.10.11) -> b3 (172.16.20.13)\n    … and 9 more pairs\n');
    for (const r of report.remediations) expect(text).toContain(`    ${r.commands.cli}\n`);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('says so when there is nothing to fix', () => {
    const a = nodeClass(1, [boundNode('a1', '172.16.10.11', ['sg']), boundNode('a2', '172.16.10.12', ['sg'])]);
    const evaluation = evaluationOf([VXLAN], [a], [allowedCell(VXLAN, a, a)]);
    const text = renderTable(buildReport(snapshotFor({ evaluation }), evaluation, { maxPairs: 5 }));
    expect(text).toContain('No findings: every node pair passes every requirement.');
  });
});

describe('audit --probe in the text renderers', () => {
  const probed = () => {
    const report = reportOf(blockedIntoB());
    report.findings[0] = { ...report.findings[0]!, confirmation: 'confirmed', confirmationReason: '1 of 1 probed representative pair(s) are blocked in the data plane' };
    report.findings.push({ ...report.findings[0]!, id: 'P1', verdict: 'blocked', contradiction: 'allowed-but-dropped', confirmationReason: 'observed by live probes on 1 pair(s)' });
    report.probe = { pairsProbed: 4, confirmed: 1, contradicted: 0, notProbed: 0, contradictionFindings: 1, allowedPairsSampled: 3 };
    return report;
  };
  const SUMMARY = 'live probes: 4 pairs probed (3 config-allowed sampled); findings 1 confirmed, 0 contradicted, 0 not probed; 1 contradiction finding';

  it('table: a probe summary line and each finding\'s confirmation', () => {
    const text = renderTable(probed());
    expect(text.split('\n')[2]).toBe(SUMMARY);
    expect(text).toContain('\n  probe confirmed: 1 of 1 probed representative pair(s) are blocked in the data plane\n');
    expect(text).toContain('\n  probe confirmed (contradiction: allowed-but-dropped): observed by live probes on 1 pair(s)\n');
  });

  it('markdown: the same facts', () => {
    const md = renderMarkdown(probed());
    expect(md).toContain('\n\nLive probes: 4 pairs probed (3 config-allowed sampled); findings 1 confirmed, 0 contradicted, 0 not probed; 1 contradiction finding.\n');
    expect(md).toContain('- **Data plane:** probe confirmed (contradiction: allowed-but-dropped): observed by live probes on 1 pair(s)\n');
  });

  it('a config-only report has no probe lines', () => {
    const report = reportOf(blockedIntoB());
    expect(renderTable(report)).not.toMatch(/probe/);
    expect(renderMarkdown(report)).not.toMatch(/probe|Data plane/i);
  });
});

describe('ticket and markdown', () => {
  it('critical when overlay pairs are blocked; markdown carries the exact commands in fenced blocks', () => {
    const report = reportOf(sharedGroupBlocked());
    const ticket = buildTicket(report);
    expect(ticket.severity).toBe('critical');
    expect(ticket.title).toBe('sgaudit: flannel vxlan (port 8472) traffic blocked for 20 of 20 node pairs');
    expect(ticket.summary).toBe('5 nodes (2 classes), 20 directed pairs: 0 allowed, 20 blocked, 0 unknown. 1 finding; 2 rules to add.');
    expect(ticket.rules.map((r) => [r.remediationId, r.target, r.direction, r.flow, r.cidr])).toEqual([
      ['R1', 'sg-nodes (k8s-nodes)', 'ingress', 'udp 8472', '172.16.10.0/24'],
      ['R2', 'sg-nodes (k8s-nodes)', 'ingress', 'udp 8472', '172.16.20.0/24'],
    ]);
    expect(ticket.evidence[0]).toMatchObject({
      findingId: 'F1', layer: 'security-group', object: 'sg-nodes (k8s-nodes)', nearest: ['sgr-0tcp (ingress tcp 8472 from 172.16.0.0/16): tcp 8472 is allowed, udp is not'],
    });
    const md = ticket.markdown;
    expect(md).toBe(renderMarkdown(report));
    expect(md.startsWith(`# ${ticket.title}\n\n**Severity:** critical\n`)).toBe(true);
    expect(md).toContain('| 5 | 2 | 20 | 0 | 20 | 0 |');
    for (const r of report.remediations) {
      expect(md).toContain(`\`\`\`sh\n${r.commands.cli}\n\`\`\``);
      expect(md).toContain(`\`\`\`hcl\n${r.commands.terraform.trimEnd()}\n\`\`\``);
    }
    // The shared group-reference alternative is printed once, then referred to.
    expect(md.split(report.remediations[0]!.alternative!.commands.cli).length - 1).toBe(1);
    expect(md).toContain('Alternative: the security group reference shown under R1.');
    expect(ticket.commands[1]?.alternative?.groupId).toBe('sg-nodes');
  });

  it('NACL evidence names the ACL and the denying entry', () => {
    const md = renderMarkdown(reportOf(naclDeniesIntoB()));
    expect(md).toContain('- **Network ACL:** `acl-b`');
    expect(md).toContain('- **Rule:** `acl-b#50/ingress` `ingress #50 deny all traffic from 0.0.0.0/0` (`acls.json#/NetworkAcls/0/Entries/ingress-50`)');
    expect(md).toContain('| R1 | acl-b | ingress | udp 8472 | 172.16.10.0/24 | 30 | F1 | 6 |');
  });

  it('warning when nothing is blocked but something is unknown; ok when clean', () => {
    const a = nodeClass(1, [boundNode('a1', '172.16.10.11', ['sg']), boundNode('a2', '172.16.10.12', ['sg'])]);
    const unknown = evaluationOf([VXLAN], [a], [cellOf(VXLAN, a, a, 'unknown', [sgEvidence('unknown', 'ingress', ['sg'], { reason: 'sg could not be read' })])]);
    const warn = buildTicket(buildReport(snapshotFor({ evaluation: unknown }), unknown, { maxPairs: 5 }));
    expect(warn.severity).toBe('warning');
    expect(warn.title).toBe('sgaudit: flannel vxlan (port 8472) traffic unverified for 2 of 2 node pairs');
    const clean = evaluationOf([VXLAN], [a], [allowedCell(VXLAN, a, a)]);
    expect(buildTicket(buildReport(snapshotFor({ evaluation: clean }), clean, { maxPairs: 5 })).severity).toBe('ok');
  });
});
