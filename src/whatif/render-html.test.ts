import { describe, expect, it } from 'vitest';
import { goldenWhatif } from '../../test/browser/report-fixtures.js';
import { REPORT_CSP } from '../report/html-assets.js';
import { renderWhatifHtml } from './render-html.js';

const HOSTILE = '<img src=x onerror=alert(1)>';

describe('renderWhatifHtml', () => {
  it('a plan that breaks: verdict, both matrices, the moved pairs, the applied change and the repair', async () => {
    const html = renderWhatifHtml(await goldenWhatif('delete-vxlan-rule'), { version: '0.1.0' });
    expect(html).toContain('data-verdict="breaks"');
    expect(html).toContain('<span class="n" data-count="newly-blocked">12</span>');
    expect(html).toContain('<span class="n" data-count="newly-allowed">0</span>');
    expect(html).toContain(`content="${REPORT_CSP.replace(/'/g, '&#39;')}"`);
    const before = html.slice(html.indexOf('<div class="matrix-before">'), html.indexOf('<div class="matrix-after">'));
    const after = html.slice(html.indexOf('<div class="matrix-after">'));
    expect(before.match(/<g class="cell blocked/g)).toBeNull();
    expect(after.match(/<g class="cell blocked/g)).toHaveLength(12);
    expect(html).toContain('<section id="newly-blocked"><h2>Newly blocked (12)</h2>');
    expect(html).not.toContain('id="newly-allowed"');
    expect(html).toContain('openstack_networking_secgroup_rule_v2.flannel_vxlan');
    expect(html).toContain('openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472');
  });

  it('a mixed AWS plan lists newly allowed pairs too, and a plan with unknown values says what is known only after apply', async () => {
    const mixed = renderWhatifHtml(await goldenWhatif('aws-mixed'), { version: '0.1.0' });
    expect(mixed).toContain('data-verdict="mixed"');
    expect(mixed).toMatch(/<section id="newly-allowed"><h2>Newly allowed \(\d+\)<\/h2>/);
    const unknown = renderWhatifHtml(await goldenWhatif('unknown-values'), { version: '0.1.0' });
    expect(unknown).toContain('data-verdict="unknown"');
    expect(unknown).toMatch(/<h3>Known only after apply \(\d+\)<\/h3>/);
  });

  it('escapes node names and resource addresses from the plan', async () => {
    const report = structuredClone(await goldenWhatif('delete-vxlan-rule'));
    report.newlyBlocked[0]!.sourceNode = HOSTILE;
    report.changes[0]!.address = `aws_security_group_rule.x["</code><script>alert(2)</script>"]`;
    report.changes[0]!.description = HOSTILE;
    const html = renderWhatifHtml(report, { version: '0.1.0' });
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<script>alert(2)');
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('renders a what-if made before matrices existed', async () => {
    const { matrix: _m, ...old } = await goldenWhatif('incident-add-rule');
    const html = renderWhatifHtml(old, { version: '0.1.0' });
    expect(html).toContain('data-verdict="fixes"');
    expect(html).not.toContain('<svg');
    expect(html).toContain('has no matrices');
  });
});
