import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { bearer, incidentBody, testApp, type TestApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

const golden = (...p: string[]): unknown => JSON.parse(readFileSync(join(packageRoot(), 'test', 'golden', 'whatif', ...p), 'utf8'));

describe('POST /v1/whatif', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });
  const post = (body: unknown) => request(t.app).post('/v1/whatif').set('Authorization', bearer('audit')).send(body as object);

  it('reports the pairs a Terraform plan unblocks (the incident fix), without storing anything', async () => {
    const res = await post({ inputs: incidentBody().inputs, terraformPlan: golden('incident-add-rule', 'plan.json'), options: { maxPairs: 3 } });
    expect(res.status).toBe(200);
    expectConformsToSpec(res, 'createWhatif');
    expect(res.body).toMatchObject({ verdict: 'fixes', newlyBlockedCount: 0, newlyAllowedCount: 12, before: { blocked: 12 }, after: { blocked: 0 } });
    expect(res.body.newlyAllowed).toHaveLength(3);
    expect(res.body.pairsTruncated).toBe(true);
    expect(res.body.proposal).toMatchObject({ kind: 'terraform-plan', document: '/terraformPlan' });
    expect((await t.deps.store.list({}, { limit: 10 })).items).toEqual([]);
  });

  it('takes proposed after-state exports by provider', async () => {
    const res = await post({ inputs: incidentBody().inputs, proposed: { openstack: [golden('openstack-healthy', 'security-groups.json')] } });
    expect(res.status).toBe(200);
    expectConformsToSpec(res, 'createWhatif');
    expect(res.body.verdict).toBe('fixes');
    expect(res.body.proposal).toEqual({ kind: 'proposed-exports', documents: ['/proposed/openstack/0'] });
  });

  it.each([
    ['neither a plan nor proposed exports', {}],
    ['both a plan and proposed exports', { terraformPlan: {}, proposed: { aws: [] } }],
    ['an empty proposed object', { proposed: {} }],
    ['a plan that is not an object', { terraformPlan: 'plan.json' }],
  ])('answers 422 for %s', async (_name, proposal) => {
    const res = await post({ inputs: incidentBody().inputs, ...proposal });
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createWhatif');
    expect(res.body.type).toBe('/docs#problem-validation-failed');
  });

  it('points input problems of the plan into the request body', async () => {
    const res = await post({ inputs: incidentBody().inputs, terraformPlan: { format_version: '1.2', resource_changes: 'nope' } });
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createWhatif');
    expect(res.body.type).toBe('/docs#problem-invalid-input');
    expect(res.body.errors[0].pointer).toMatch(/^\/terraformPlan/);
  });
});
