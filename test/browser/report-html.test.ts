/**
 * The HTML reports in a real browser: Debian's chromium, driven by playwright-core, loads the
 * pages the real pipeline made from the golden scenarios, served from 127.0.0.1 (and once from
 * disk). It checks what a reader sees (counts, blocked matrix cells, the fix command and its copy
 * button), that hostile node names stay text, that the page asks nothing of any other origin,
 * and that its Content-Security-Policy is in force. Screenshots go to test-artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import { renderAuditHtml } from '../../src/report/render-html.js';
import { renderWhatifHtml } from '../../src/whatif/render-html.js';
import { ARTIFACT_DIR, browserAvailable, launchBrowser, recordForeignRequests, recordPageErrors, serveStatic, type LaunchedBrowser, type StaticServer } from '../support/browser.js';
import { requireTier } from '../support/tier.js';
import { goldenAudit, goldenWhatif } from './report-fixtures.js';
import { generateAwsCluster } from '../bench/generate-aws-cluster.js';
import { runAudit } from '../../src/pipeline/audit.js';
import { emptyInputs } from '../../src/model/documents.js';

const available = browserAvailable();
const run = requireTier('browser', available.ok, available.reason);

const FIX_COMMAND = 'openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472 --remote-ip 172.16.10.0/24';
/** Had either name become markup, the image would request /x (a 404 the server records) and the handlers would set a global. */
const HOSTILE_SOURCE = '<img src=x onerror="window.__pwned=1;alert(1)">';
const HOSTILE_DESTINATION = '<script>window.__pwned=2;alert(2)</script>';

function hostile(report: AuditReport): AuditReport {
  const r = structuredClone(report);
  const f = r.findings[0]!;
  f.pairs[0] = { ...f.pairs[0]!, sourceNode: HOSTILE_SOURCE, destinationNode: HOSTILE_DESTINATION };
  if (r.matrix) {
    r.matrix.groups[0]!.label = HOSTILE_SOURCE;
    r.matrix.groups[1]!.label = HOSTILE_DESTINATION;
  }
  r.warnings.push({ code: 'node-name', message: `node ${HOSTILE_SOURCE} looks odd` });
  return r;
}

const html = (body: string) => ({ contentType: 'text/html; charset=utf-8', body });
const count = (page: Page, selector: string): Promise<number> => page.locator(selector).count();

describe.skipIf(!run)('HTML reports in chromium', () => {
  let browser: LaunchedBrowser;
  let server: StaticServer;
  let incidentHtml: string;
  let big: AuditReport;
  let bigHtml: string;

  beforeAll(async () => {
    const incident = await goldenAudit('incident');
    incidentHtml = renderAuditHtml(incident, { version: '0.1.0', generatedAt: '2026-03-01T10:00:00.000Z' });
    const whatif = await goldenWhatif('delete-vxlan-rule');
    // The bench cluster: 5,000 nodes, 500 groups, and pool 0 without its shared group (millions of blocked pairs).
    const cluster = generateAwsCluster(5000, 500, 10, 10, 0);
    big = runAudit({ ...emptyInputs(), nodes: [{ name: 'nodes.json', body: cluster.nodes }], flannel: [{ name: 'flannel.json', body: cluster.flannel }], aws: cluster.aws }).report;
    bigHtml = renderAuditHtml(big, { version: '0.1.0' });
    server = await serveStatic({
      '/incident.html': html(incidentHtml),
      '/hostile.html': html(renderAuditHtml(hostile(incident), { version: '0.1.0' })),
      '/whatif.html': html(renderWhatifHtml(whatif, { version: '0.1.0' })),
      '/big.html': html(bigHtml),
      '/network-acls.html': html(renderAuditHtml(await goldenAudit('network-acls'), { version: '0.1.0' })),
    });
    browser = await launchBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    mkdirSync(ARTIFACT_DIR, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens a page with every foreign request, console error, CSP report and dialog recorded. */
  async function open(path: string) {
    const page = await browser.newPage();
    const foreign = recordForeignRequests(page, server.origin);
    const errors = recordPageErrors(page);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const response = await page.goto(`${server.origin}${path}`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    return { page, foreign, errors, dialogs };
  }

  it('the incident report: counts, 12 blocked cells, the fix command, and a copy button that fills the clipboard', async () => {
    const { page, foreign, errors, dialogs } = await open('/incident.html');
    await expect(page.locator('[data-count="nodes"]').textContent()).resolves.toBe('4');
    await expect(page.locator('[data-count="pairs"]').textContent()).resolves.toBe('12');
    await expect(page.locator('[data-count="blocked"]').textContent()).resolves.toBe('12');
    await expect(page.locator('[data-count="allowed"]').textContent()).resolves.toBe('0');
    await expect(page.locator('[data-count="unknown"]').textContent()).resolves.toBe('0');
    expect(await count(page, '#matrix svg g.cell.blocked')).toBe(12);
    expect(await count(page, '#matrix svg g.cell')).toBe(12);
    expect(await page.locator('#finding-F1 .reason').textContent()).toContain('tcp 8472 is allowed from 172.16.10.0/24, udp is not');

    const cli = page.locator('#remediation-R1 .command').first();
    const command = (await cli.locator('code').textContent())!;
    expect(command.startsWith(FIX_COMMAND)).toBe(true);
    // The script un-hides the copy buttons: it ran, under the page's own policy.
    const button = cli.locator('button.copy');
    await expect(button.isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(ARTIFACT_DIR, 'incident-report.png'), fullPage: true });
    await button.click();
    await page.waitForFunction('document.querySelector("#remediation-R1 button.copy").textContent !== "Copy"');
    expect(await button.textContent()).toBe('Copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(command);
    await page.locator('#matrix').screenshot({ path: join(ARTIFACT_DIR, 'incident-matrix.png') });

    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(server.misses).toEqual([]);
    await page.close();
  });

  it('shows node names that contain markup as text: no element, no script, no dialog, no request', async () => {
    const { page, foreign, errors, dialogs } = await open('/hostile.html');
    const firstPair = page.locator('#finding-F1 tbody tr').first().locator('td.node');
    expect(await firstPair.nth(0).textContent()).toBe(HOSTILE_SOURCE);
    expect(await firstPair.nth(1).textContent()).toBe(HOSTILE_DESTINATION);
    expect(await count(page, 'img')).toBe(0);
    expect(await page.evaluate('document.scripts.length')).toBe(1);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    // The matrix labels too: the SVG holds the name as text of a <text> element.
    expect(await page.locator('#matrix svg text', { hasText: HOSTILE_SOURCE }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACT_DIR, 'hostile-names-report.png'), fullPage: true });
    expect(dialogs).toEqual([]);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    expect(server.misses).toEqual([]);
    await page.close();
  });

  it('enforces its Content-Security-Policy: a script injected at run time is refused', async () => {
    const { page, errors } = await open('/incident.html');
    await page.evaluate(`(() => { const s = document.createElement('script'); s.textContent = 'window.__injected = 1'; document.body.appendChild(s); })()`);
    expect(await page.evaluate('typeof window.__injected')).toBe('undefined');
    expect(errors.some((e) => e.includes('Content Security Policy'))).toBe(true);
    await page.close();
  });

  it('the what-if report: verdict, before and after matrices side by side, and the newly blocked pairs', async () => {
    const { page, foreign, errors } = await open('/whatif.html');
    await expect(page.locator('[data-verdict]').getAttribute('data-verdict')).resolves.toBe('breaks');
    await expect(page.locator('[data-count="newly-blocked"]').textContent()).resolves.toBe('12');
    expect(await count(page, '.matrix-before svg g.cell.blocked')).toBe(0);
    expect(await count(page, '.matrix-after svg g.cell.blocked')).toBe(12);
    const before = (await page.locator('.matrix-before').boundingBox())!;
    const after = (await page.locator('.matrix-after').boundingBox())!;
    expect(after.x).toBeGreaterThan(before.x + before.width - 1);
    expect(Math.abs(after.y - before.y)).toBeLessThan(2);
    expect(await count(page, '#newly-blocked tbody tr')).toBe(12);
    expect(await page.locator('#remediations .command code').first().textContent()).toContain(FIX_COMMAND);
    await page.screenshot({ path: join(ARTIFACT_DIR, 'whatif-delete-vxlan-rule.png'), fullPage: true });
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an AWS audit with network ACLs renders with no console error or foreign request', async () => {
    const { page, foreign, errors } = await open('/network-acls.html');
    const blocked = Number(await page.locator('[data-count="blocked"]').textContent());
    expect(await count(page, '#findings article.finding')).toBeGreaterThan(0);
    expect(blocked).toBeGreaterThan(0);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stays usable on a 5,000-node audit: a grouped matrix, collapsed pair lists, a page of bounded size that loads in seconds', async () => {
    expect(big.summary.nodes).toBe(5000);
    expect(big.summary.blocked).toBeGreaterThan(1_000_000);
    expect(bigHtml.length).toBeLessThan(2_000_000);
    const started = Date.now();
    const { page, foreign, errors } = await open('/big.html');
    const loadMs = Date.now() - started;
    expect(loadMs).toBeLessThan(10_000);
    await expect(page.locator('[data-count="nodes"]').textContent()).resolves.toBe('5000');
    await expect(page.locator('[data-count="blocked"]').textContent()).resolves.toBe(String(big.summary.blocked));
    const groups = big.matrix!.groups.length;
    expect(groups).toBeLessThanOrEqual(60);
    expect(await count(page, '#matrix svg g.cell')).toBe(big.matrix!.cells.length);
    expect(await count(page, '#matrix svg g.cell.blocked')).toBe(big.matrix!.cells.filter((c) => c.verdict === 'blocked').length);
    // Each finding shows 10 pairs in the open; the others are closed <details>.
    const findings = big.findings.length;
    expect(await page.locator('#findings details[open]').count()).toBe(0);
    const visibleRows = await page.locator('#findings tbody tr:visible').count();
    expect(visibleRows).toBeLessThanOrEqual(findings * 10);
    const elements = (await page.evaluate('document.getElementsByTagName("*").length')) as number;
    expect(elements).toBeLessThan(100_000);
    await page.screenshot({ path: join(ARTIFACT_DIR, 'big-5000-nodes-report.png') });
    console.log(`5,000-node audit page: ${bigHtml.length} bytes, ${elements} elements, ${findings} findings, ${groups}x${groups} matrix, loaded in ${loadMs} ms`);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('opened from disk (file://), the policy in the <meta> element admits the script and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgaudit-report-'));
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, incidentHtml);
      const page = await browser.newPage();
      const errors = recordPageErrors(page);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href);
      await expect(page.locator('#remediation-R1 button.copy').first().isVisible()).resolves.toBe(true);
      await page.evaluate(`(() => { const s = document.createElement('script'); s.textContent = 'window.__injected = 1'; document.body.appendChild(s); })()`);
      expect(await page.evaluate('typeof window.__injected')).toBe('undefined');
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(errors.filter((e) => !e.includes('Content Security Policy'))).toEqual([]);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
