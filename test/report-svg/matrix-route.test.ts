import { createHash } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import request, { type Response } from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { MATRIX_CSS } from '../../src/report/render-svg.js';
import { bearer, storedIncidentAudit, testApp, type TestApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

describe('GET /v1/audits/{id}/matrix.svg', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });

  const createAudit = (): Promise<string> => storedIncidentAudit(t);
  const getSvg = (id: string, scope: 'read' | 'probe' | null = 'read') => {
    const r = request(t.app).get(`/v1/audits/${id}/matrix.svg`).buffer(true).parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => done(null, text));
    });
    return scope ? r.set('Authorization', bearer(scope)) : r;
  };

  it('answers the stored audit as SVG under a CSP that admits only its own style', async () => {
    const id = await createAudit();
    const res = await getSvg(id);
    expect(res.status).toBe(200);
    // supertest leaves `text` unset for image types; the body read above is the text.
    expectConformsToSpec({ status: res.status, headers: res.headers, body: res.body, text: res.body } as unknown as Response, 'getAuditMatrixSvg');
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    const hash = createHash('sha256').update(MATRIX_CSS).digest('base64');
    expect(res.headers['content-security-policy']).toBe(`default-src 'none'; style-src 'sha256-${hash}'; frame-ancestors 'none'`);
    const svg = res.body as string;
    const doc = new DOMParser({ onError: (level, message) => { throw new Error(`${level}: ${message}`); } }).parseFromString(svg, 'image/svg+xml');
    const style = doc.getElementsByTagName('style')[0]!;
    expect(createHash('sha256').update(style.textContent ?? '').digest('base64')).toBe(hash);
    const cells = Array.from(doc.getElementsByTagName('g')).filter((g) => (g.getAttribute('class') ?? '').startsWith('cell '));
    expect(cells.map((c) => c.getAttribute('class'))).toEqual(Array(12).fill('cell blocked'));
    expect(svg).toContain('sgaudit prod-eu');
  });

  it('answers 409 matrix-missing for a report stored before matrices existed', async () => {
    const id = await createAudit();
    const stored = await t.deps.store.get(id);
    const { matrix, ...old } = stored!.report;
    expect(matrix).toBeDefined();
    const oldId = '6f1c2b1e-0000-4000-8000-0000000000ab';
    await t.deps.store.save({ id: oldId, createdAt: stored!.createdAt, cluster: null, origin: 'request', reportJson: JSON.stringify(old), counts: { summary: old.summary, findings: old.findings.length, remediations: old.remediations.length } });
    const res = await request(t.app).get(`/v1/audits/${oldId}/matrix.svg`).set('Authorization', bearer('read'));
    expect(res.status).toBe(409);
    expectConformsToSpec(res, 'getAuditMatrixSvg');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe('/docs#problem-matrix-missing');
    expect(res.body.detail).toBe(`audit ${oldId} was stored before reports carried the verdict matrix; audit again to get one`);
  });

  it('answers 401 without a token, 403 without the read scope, 404 for an unknown id and 400 for a malformed one', async () => {
    const id = await createAudit();
    for (const [path, scope, status] of [
      [id, null, 401],
      [id, 'probe', 403],
      ['6f1c2b1e-0000-4000-8000-000000000000', 'read', 404],
      ['not-an-id', 'read', 400],
    ] as const) {
      const r = request(t.app).get(`/v1/audits/${path}/matrix.svg`);
      const res = await (scope ? r.set('Authorization', bearer(scope)) : r);
      expect(res.status, `${path} ${scope}`).toBe(status);
      expectConformsToSpec(res, 'getAuditMatrixSvg');
    }
  });
});
