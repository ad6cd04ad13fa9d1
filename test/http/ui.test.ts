import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderAuditHtml } from '../../src/report/render-html.js';
import { uiContentSecurityPolicy } from '../../src/http/ui/ui-csp.js';
import { UI_SCRIPT } from '../../src/http/ui/ui-script.js';
import { incidentReport } from '../support/sample-report.js';
import { testApp, type TestApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

/** The policy's directives as a map, so each one is checked on its own. */
function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
}

function expectUiHeaders(res: request.Response): void {
  const policy = res.headers['content-security-policy'] as string | undefined;
  expect(policy, 'no Content-Security-Policy').toBeDefined();
  expect(policy).toBe(uiContentSecurityPolicy());
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
}

describe('/ui over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });

  it('serves the page without a token, as the spec says, with a strict policy', async () => {
    const res = await request(t.app).get('/ui');
    expect(res.status).toBe(200);
    expectConformsToSpec(res, 'getUi');
    expectUiHeaders(res);
    const d = directives(res.headers['content-security-policy'] as string);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    for (const name of ['script-src', 'style-src']) {
      const values = d.get(name) ?? [];
      expect(values[0]).toBe("'self'");
      // Beyond 'self', only hashes: no inline, no eval, no host, no scheme.
      expect(values.slice(1).every((v) => /^'sha256-[A-Za-z0-9+/]+=*'$/.test(v)), `${name}: ${values.join(' ')}`).toBe(true);
    }
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-|\*|https?:/);
    // The shell itself has nothing inline for the policy to admit.
    expect(res.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc=)/i);
    expect(res.text).toContain('<script src="/ui/ui.js" defer></script>');
    expect(res.text).toContain('<link rel="stylesheet" href="/ui/ui.css">');
  });

  it('admits exactly the inline script and style that an audit report carries', async () => {
    const html = renderAuditHtml(await incidentReport(), { version: '0.0.0-test', generatedAt: '2026-01-01T00:00:00.000Z' });
    const hashes = (tag: string) => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
    const d = directives(uiContentSecurityPolicy());
    expect(hashes('script')).toHaveLength(1);
    expect(hashes('style')).toHaveLength(1);
    expect(d.get('script-src')).toEqual(["'self'", ...hashes('script')]);
    expect(d.get('style-src')).toEqual(["'self'", ...hashes('style')]);
  });

  it.each([
    ['/ui/ui.js', 'getUiScript', 'text/javascript; charset=utf-8'],
    ['/ui/ui.css', 'getUiStyle', 'text/css; charset=utf-8'],
  ])('serves %s as %s with the same headers', async (path, operationId, type) => {
    const res = await request(t.app).get(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expectConformsToSpec(res, operationId);
    expectUiHeaders(res);
  });

  it('ships a script that parses and never turns data into markup', () => {
    expect(() => new Script(UI_SCRIPT, { filename: 'ui.js' })).not.toThrow();
    expect(UI_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setTimeout\(\s*['"]/);
    // The token is read from session storage and sent in one place only: the Authorization header.
    expect(UI_SCRIPT.match(/sessionStorage\.getItem\(TOKEN_KEY\)/g)).toHaveLength(1);
    expect(UI_SCRIPT).toContain("headers.set('Authorization', 'Bearer ' + t)");
  });

  it.each(['/ui/nothing-here', '/ui/ui.js/extra', '/ui/audits/6f1c2b1e-0000-4000-8000-000000000000'])('answers 404 problem+json under %s, with the UI headers', async (path) => {
    const res = await request(t.app).get(path);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body.type).toMatch(/#problem-not-found$/);
    expectUiHeaders(res);
  });

  it('answers 405 to other methods, still with the UI headers', async () => {
    const res = await request(t.app).post('/ui').send('x');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expectUiHeaders(res);
  });

  it('leaves the policy of other paths alone', async () => {
    const res = await request(t.app).get('/docs');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
  });
});
