import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { REPORT_CSP_HEADER } from '../../src/report/html-assets.js';
import { bearer, incidentBody, storedIncidentAudit, testApp, type TestApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

const golden = (...p: string[]): unknown => JSON.parse(readFileSync(join(packageRoot(), 'test', 'golden', 'whatif', ...p), 'utf8'));

describe('the HTML reports over REST', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });

  const createAudit = (): Promise<string> => storedIncidentAudit(t);
  const getHtml = (id: string, scope: 'read' | 'probe' | null = 'read') => {
    const r = request(t.app).get(`/v1/audits/${id}/report.html`);
    return scope ? r.set('Authorization', bearer(scope)) : r;
  };

  it('GET /v1/audits/{id}/report.html: the stored audit as HTML under the report CSP, with the matrix and the cluster label', async () => {
    const id = await createAudit();
    const res = await getHtml(id);
    expect(res.status).toBe(200);
    expectConformsToSpec(res, 'getAuditReportHtml');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(REPORT_CSP_HEADER);
    expect(res.text).toContain('<span class="n" data-count="blocked">12</span>');
    expect(res.text).toContain('<svg');
    expect(res.text).toContain('<h1>sgaudit audit: prod-eu</h1>');
    expect(res.text).toContain('openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472');
  });

  it('renders a report stored before matrices existed, without the matrix', async () => {
    const id = await createAudit();
    const stored = await t.deps.store.get(id);
    const { matrix, ...old } = stored!.report;
    expect(matrix).toBeDefined();
    const oldId = '6f1c2b1e-0000-4000-8000-0000000000aa';
    await t.deps.store.save({ id: oldId, createdAt: stored!.createdAt, cluster: null, origin: 'request', reportJson: JSON.stringify(old), counts: { summary: old.summary, findings: old.findings.length, remediations: old.remediations.length } });
    const res = await getHtml(oldId);
    expect(res.status).toBe(200);
    expectConformsToSpec(res, 'getAuditReportHtml');
    expect(res.text).not.toContain('<svg');
    expect(res.text).toContain('This report has no matrix section');
    expect(res.text).toContain('data-count="blocked">12<');
  });

  it('answers 401 without a token, 403 without the read scope, 404 for an unknown id and 400 for a malformed one', async () => {
    const id = await createAudit();
    const none = await getHtml(id, null);
    expect(none.status).toBe(401);
    expectConformsToSpec(none, 'getAuditReportHtml');
    const wrong = await getHtml(id, 'probe');
    expect(wrong.status).toBe(403);
    expectConformsToSpec(wrong, 'getAuditReportHtml');
    const missing = await getHtml('6f1c2b1e-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expectConformsToSpec(missing, 'getAuditReportHtml');
    const bad = await getHtml('not-an-id');
    expect(bad.status).toBe(400);
    expectConformsToSpec(bad, 'getAuditReportHtml');
  });

  describe('POST /v1/whatif content negotiation', () => {
    const body = { inputs: incidentBody().inputs, terraformPlan: golden('incident-add-rule', 'plan.json') };
    const post = (accept?: string) => {
      const r = request(t.app).post('/v1/whatif').set('Authorization', bearer('audit'));
      return (accept ? r.set('Accept', accept) : r).send(body);
    };

    it('answers HTML when Accept prefers text/html (a browser), with the report CSP', async () => {
      const res = await post('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
      expect(res.status).toBe(200);
      expectConformsToSpec(res, 'createWhatif');
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(REPORT_CSP_HEADER);
      expect(res.headers.vary).toMatch(/Accept/);
      expect(res.text).toContain('data-verdict="fixes"');
      expect(res.text).toContain('<span class="n" data-count="newly-allowed">12</span>');
    });

    it.each([[undefined], ['*/*'], ['application/json'], ['application/json, text/html'], ['text/html;q=0.5, application/json']])('answers JSON for Accept %s', async (accept) => {
      const res = await post(accept);
      // The JSON body's conformance is test/http/whatif.test.ts's; here only the media type is at stake.
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['content-security-policy']).toBeUndefined();
      expect(res.body.verdict).toBe('fixes');
    });
  });
});
