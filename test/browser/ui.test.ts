/**
 * The web UI in a real browser: `sgaudit serve` on 127.0.0.1 with a SQLite store in a temp dir,
 * seeded by posting golden scenarios through the API (and two watch runs through the real change
 * tracker), driven in Debian's chromium by playwright-core. It asserts what a user sees, that no
 * request leaves the origin, that the token is in no URL, that markup from the input stays text,
 * and that the page's policy is never violated.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Frame, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sha256 } from '../../src/http/auth.js';
import { ApiMetrics } from '../../src/http/metrics.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { resolveSettings } from '../../src/http/settings.js';
import { createChangeTracker } from '../../src/http/watch/change-tracker.js';
import type { AuditReport } from '../../src/model/report.js';
import { ARTIFACT_DIR, browserAvailable, launchBrowser, recordForeignRequests, recordPageErrors, type LaunchedBrowser } from '../support/browser.js';
import { requireTier } from '../support/tier.js';

const browser = browserAvailable();
const browserOk = requireTier('browser', browser.ok, browser.reason);

const HERE = dirname(fileURLToPath(import.meta.url));
const GOLDEN = resolve(HERE, '..', 'golden');
const TOKEN = 'ui-browser-token-0123456789abcdef';
const AUDIT_ONLY_TOKEN = 'ui-browser-audit-only-0123456789';
/** Markup in a security group's name: Neutron accepts any text, and the name is shown in findings. */
const MARKUP = '<img src=x onerror="window.__sgauditXss=1">';

function scenarioInputs(name: string): Record<string, unknown[]> {
  const dir = join(GOLDEN, name);
  const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as { inputs: Record<string, string[]> };
  const inputs: Record<string, unknown[]> = {};
  for (const [flag, files] of Object.entries(scenario.inputs)) inputs[flag] = files.map((f) => JSON.parse(readFileSync(resolve(dir, f), 'utf8')) as unknown);
  return inputs;
}

interface SecurityGroupsDoc {
  security_groups: { name: string; security_group_rules: { protocol: string | null; port_range_min: number | null }[] }[];
}

/** The incident with its security group renamed, or with its tcp 8472 rule turned into the udp one flannel needs. */
function incidentVariant(change: 'markup' | 'fixed'): Record<string, unknown[]> {
  const inputs = scenarioInputs('incident');
  inputs.openstack = inputs.openstack!.map((doc) => {
    if (!(doc as Partial<SecurityGroupsDoc>).security_groups) return doc;
    const copy = structuredClone(doc) as SecurityGroupsDoc;
    for (const g of copy.security_groups) {
      if (change === 'markup') g.name = `k8s-nodes${MARKUP}`;
      else for (const r of g.security_group_rules) if (r.protocol === 'tcp' && r.port_range_min === 8472) r.protocol = 'udp';
    }
    return copy;
  });
  return inputs;
}

interface Posted {
  id: string;
  report: AuditReport;
}

describe.runIf(browserOk)('the web UI in chromium', { timeout: 60_000 }, () => {
  let dir: string;
  let server: RunningServer;
  let chromium: LaunchedBrowser;
  let page: Page;
  let foreign: string[];
  let errors: string[];
  const urls: string[] = [];
  const audits: Record<string, Posted> = {};

  async function post(name: string, inputs: Record<string, unknown[]>, cluster?: string): Promise<Posted> {
    const res = await request(server.url).post('/v1/audits').set('Authorization', `Bearer ${TOKEN}`).send({ inputs, ...(cluster ? { options: { cluster } } : {}) });
    expect(res.status, res.text.slice(0, 300)).toBe(201);
    const { id, createdAt: _c, cluster: _l, origin: _o, ...report } = res.body as Posted & { createdAt: string; cluster: string | null; origin: string };
    audits[name] = { id, report: report as unknown as AuditReport };
    return audits[name]!;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sgaudit-ui-'));
    const config = join(dir, 'sgaudit.yaml');
    await writeFile(join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    await writeFile(
      config,
      stringify({
        tokens: [
          { name: 'ui-user', sha256: sha256(TOKEN).toString('hex'), scopes: ['read', 'audit'] },
          { name: 'ui-audit-only', sha256: sha256(AUDIT_ONLY_TOKEN).toString('hex'), scopes: ['audit'] },
        ],
        clusters: {
          'prod-eu': { kubernetes: { kubeconfig: join(dir, 'kubeconfig') }, cloud: { provider: 'openstack', cloud: 'prod' } },
          staging: { kubernetes: { kubeconfig: join(dir, 'kubeconfig') }, cloud: { provider: 'aws', region: 'eu-west-1' } },
        },
      }),
    );
    server = await startServer(resolveSettings({ port: '0', host: '127.0.0.1', dataDir: join(dir, 'data'), config, logLevel: 'silent', workers: '1' } as never, {}), {});

    // Two watch runs of prod-eu through the real change tracker: healthy, then the incident with
    // markup in its group's name, so the UI's own views (open findings, history) get markup too.
    const tracker = createChangeTracker({ store: server.store, metrics: new ApiMetrics() });
    const fixed = await post('fixed', incidentVariant('fixed'));
    await post('incident', scenarioInputs('incident'), 'prod-eu');
    const broken = await post('markup', incidentVariant('markup'), 'prod-eu');
    const hourAgo = Date.now() - 3_600_000;
    for (const [i, report] of [fixed.report, broken.report].entries()) {
      const run = { id: randomUUID(), createdAt: new Date(hourAgo + i * 60_000).toISOString(), cluster: 'prod-eu', origin: 'watch' as const, report };
      await server.store.save(run);
      await tracker.onRunStored({ cluster: run.cluster, auditId: run.id, createdAt: run.createdAt, report });
    }
    await post('healthy', scenarioInputs('healthy'), 'staging');
    await post('wireguard', scenarioInputs('wireguard'), 'staging');
    await post('network-acls', scenarioInputs('network-acls'), 'lab');
    await post('custom-vxlan-port', scenarioInputs('custom-vxlan-port'), 'lab');
    await post('group-references', scenarioInputs('group-references'));
    for (let i = 0; i < 3; i++) await post(`healthy-${i}`, scenarioInputs('healthy'), 'staging');
    // 11 posted + 2 watch runs = 13 audits; prod-eu has the incident, the markup one and the 2 runs.

    await mkdir(ARTIFACT_DIR, { recursive: true });
    chromium = await launchBrowser();
    page = await chromium.newPage();
    foreign = recordForeignRequests(page, server.url);
    errors = recordPageErrors(page);
    // In every frame, the srcdoc report included: a violation becomes a console error the test sees.
    await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));" });
    page.on('request', (r) => urls.push(r.url()));
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const view = () => page.locator('#view');
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACT_DIR, `ui-${name}.png`), fullPage: false });
  async function reportFrame(): Promise<Frame> {
    // Either the frame or an error box appears; the error's text makes a failure readable.
    await page.locator('iframe.report-frame, #view .error').first().waitFor({ timeout: 20_000 });
    const failed = page.locator('#view .error');
    if ((await failed.count()) > 0) throw new Error(`the UI shows an error: ${await failed.first().textContent()}`);
    const handle = await page.locator('iframe.report-frame').elementHandle({ timeout: 20_000 });
    const frame = await handle!.contentFrame();
    await frame!.waitForSelector('main', { timeout: 20_000 });
    return frame!;
  }

  it('asks for a token, says why a refused one failed, and asks again', async () => {
    await page.goto(`${server.url}/ui`);
    await expect.poll(() => page.locator('#token-panel').isVisible()).toBe(true);
    await page.fill('#token-input', 'not-a-valid-token-at-all');
    await page.click('#token-form button[type=submit]');
    await expect.poll(() => page.locator('#token-message').textContent()).toMatch(/refused the token \(401\): the bearer token is not valid/);
    expect(await page.evaluate('sessionStorage.getItem("sgaudit.token")')).toBeNull();

    await page.fill('#token-input', AUDIT_ONLY_TOKEN);
    await page.click('#token-form button[type=submit]');
    await expect.poll(() => page.locator('#token-message').textContent()).toMatch(/may not do that \(403\): token ui-audit-only lacks the scope read/);
    await page.fill('#token-input', 'has spaces <b>');
    await page.click('#token-form button[type=submit]');
    await expect.poll(() => page.locator('#token-message').textContent()).toMatch(/not a bearer token/);
  });

  it('lists every audit once the token is accepted, and pages through them', async () => {
    await page.fill('#token-input', TOKEN);
    await page.click('#token-form button[type=submit]');
    await expect.poll(() => page.locator('#audit-count').textContent()).toBe('Audits 1–13');
    expect(await page.locator('#audit-table tbody tr').count()).toBe(13);
    expect(await page.locator('#token-panel').isVisible()).toBe(false);
    await shot('audits');

    await page.selectOption('#filter-limit', '10');
    await page.click('#filter-apply');
    await expect.poll(() => page.locator('#audit-count').textContent()).toBe('Audits 1–10 (more on the next page)');
    await page.click('#page-older');
    await expect.poll(() => page.locator('#audit-count').textContent()).toBe('Audits 11–13');
    expect(await page.locator('#audit-table tbody tr').count()).toBe(3);
    await page.click('#page-newer');
    await expect.poll(() => page.locator('#audit-count').textContent()).toBe('Audits 1–10 (more on the next page)');
  });

  it('filters by cluster and by time', async () => {
    await page.goto(`${server.url}/ui#/audits`);
    await page.fill('#filter-cluster', 'prod-eu');
    await page.click('#filter-apply');
    await expect.poll(() => page.locator('#audit-count').textContent()).toBe('Audits 1–4');
    const ids = await page.locator('#audit-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-audit-id')));
    expect(ids).toContain(audits.incident!.id);
    expect(ids).toContain(audits.markup!.id);
    // The watch runs were stored an hour ago: "until 30 minutes ago" keeps only them.
    const halfHourAgo = new Date(Date.now() - 1_800_000);
    const local = new Date(halfHourAgo.getTime() - halfHourAgo.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.fill('#filter-until', local);
    await page.click('#filter-apply');
    await expect.poll(() => page.locator('#audit-count').textContent()).toBe('Audits 1–2');
    expect(await page.locator('#audit-table tbody td:nth-child(3)').allTextContents()).toEqual(['watch', 'watch']);
    await page.fill('#filter-cluster', 'bad label!');
    await page.click('#filter-apply');
    await expect.poll(() => view().locator('p.error').textContent()).toMatch(/cluster: "bad label!" is not a cluster label/);
  });

  it('opens the incident audit: its report in a sandboxed frame with the blocked count and the fix command', async () => {
    await page.goto(`${server.url}/ui#/audits?cluster=prod-eu`);
    await page.click(`#audit-table tr[data-audit-id="${audits.incident!.id}"] a`);
    const frame = await reportFrame();
    expect(await page.locator('#audit-meta').textContent()).toContain('12 blocked');
    expect(await page.locator('iframe.report-frame').getAttribute('sandbox')).toBe('allow-scripts');
    const text = (await frame.locator('body').textContent()) ?? '';
    expect(text).toContain('12');
    expect(await frame.locator('.counts .blocked .n').textContent()).toBe('12');
    expect(text).toContain('openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472 --remote-ip 172.16.10.0/24');
    // The report's own script ran under the UI's policy: it unhides the copy buttons.
    await expect.poll(() => frame.locator('button.copy').first().isVisible()).toBe(true);
    await shot('incident');
    await frame.locator('button.copy').first().click();
    await expect.poll(() => frame.locator('button.copy').first().textContent()).toMatch(/Copied|Selected/);
  });

  it('shows markup from a security group name as text, in the list of findings and in the report', async () => {
    await page.goto(`${server.url}/ui#/audits/${audits.markup!.id}`);
    const frame = await reportFrame();
    expect((await frame.locator('body').textContent()) ?? '').toContain(MARKUP);
    await frame.getByText(MARKUP).first().scrollIntoViewIfNeeded();
    expect(await frame.locator('img').count()).toBe(0);
    expect(await frame.evaluate('typeof window.__sgauditXss')).toBe('undefined');
    expect(await page.evaluate('typeof window.__sgauditXss')).toBe('undefined');
    expect(await page.locator('img').count()).toBe(0);
    await shot('markup');
  });

  it('runs a what-if from an uploaded request body and shows its verdict', async () => {
    await page.goto(`${server.url}/ui#/whatif`);
    const body = { inputs: scenarioInputs('incident'), terraformPlan: JSON.parse(readFileSync(join(GOLDEN, 'whatif', 'incident-add-rule', 'plan.json'), 'utf8')) as unknown };
    await page.setInputFiles('#whatif-file', { name: 'whatif.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(body)) });
    await expect.poll(() => page.locator('#whatif-body').inputValue()).toContain('"terraformPlan"');
    await page.click('#whatif-run');
    const frame = await reportFrame();
    expect(((await frame.locator('body').textContent()) ?? '').toLowerCase()).toContain('fixes');
    await shot('whatif');

    await page.fill('#whatif-body', '{"inputs": {}');
    await page.click('#whatif-run');
    await expect.poll(() => page.locator('#whatif-result .error').textContent()).toMatch(/not JSON/);
    await page.fill('#whatif-body', '{"inputs": {"nodes": []}}');
    await page.click('#whatif-run');
    await expect.poll(() => page.locator('#whatif-result .error').textContent()).toMatch(/The what-if failed: .*\n?.*/);
  });

  it('shows the clusters, their watch status and the change history', async () => {
    await page.goto(`${server.url}/ui#/clusters`);
    await expect.poll(() => page.locator('#cluster-table tbody tr').count()).toBe(2);
    const prod = page.locator('#cluster-table tr[data-cluster="prod-eu"]');
    await expect.poll(() => prod.textContent()).toMatch(/not watched.*12 blocked.*blocked/);
    await shot('clusters');

    await prod.locator('a').first().click();
    await expect.poll(() => page.locator('#change-history .event').count()).toBe(1);
    const event = (await page.locator('#change-history .event').textContent()) ?? '';
    expect(event).toContain('Newly blocked (12)');
    expect(event).toContain('openstack security group rule create');
    expect(await page.locator('#open-findings tbody tr').count()).toBe(audits.markup!.report.findings.length);
    expect(await page.locator('#open-findings').textContent()).toContain(MARKUP);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('typeof window.__sgauditXss')).toBe('undefined');
    await shot('cluster-history');
  });

  it('made no request outside its origin, put the token in no URL, and broke no policy', async () => {
    expect(foreign).toEqual([]);
    expect(urls.length).toBeGreaterThan(10);
    expect(urls.filter((u) => u.includes(TOKEN) || u.includes(AUDIT_ONLY_TOKEN))).toEqual([]);
    expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    // The only console errors are the failed API calls the tests provoked (401, 403, 422).
    expect(errors.filter((e) => !/status of (401|403|422)/.test(e))).toEqual([]);
    expect(existsSync(join(ARTIFACT_DIR, 'ui-incident.png'))).toBe(true);
  });
});
