import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { bearer, testApp, type TestApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

/**
 * Every golden scenario (NACLs, group references, wireguard v6, unbound nodes, ...) posted to the
 * API: the reports cover far more of the contract than one example, and each must validate
 * against openapi.yaml and agree with the CLI's expected report.
 */
const GOLDEN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const scenarios = readdirSync(GOLDEN).filter((d) => existsSync(join(GOLDEN, d, 'scenario.json')));

function readBodies(path: string): unknown[] {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.json')) return [JSON.parse(text)];
  return parseAllDocuments(text).map((d) => d.toJS());
}

describe('golden scenarios through POST /v1/audits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });

  it('found the scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(5);
  });

  it.each(scenarios)('%s', async (name) => {
    const dir = join(GOLDEN, name);
    const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as { inputs: Record<string, string[]> };
    const inputs: Record<string, unknown[]> = {};
    for (const [flag, files] of Object.entries(scenario.inputs)) inputs[flag] = files.flatMap((f) => readBodies(resolve(dir, f)));
    const res = await request(t.app).post('/v1/audits').set('Authorization', bearer('audit')).send({ inputs });
    expect(res.status, res.text.slice(0, 500)).toBe(201);
    expectConformsToSpec(res, 'createAudit');
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { summary: unknown; findings: unknown[]; remediations: { cidr: string }[] };
    expect(res.body.summary).toEqual(expected.summary);
    expect(res.body.findings).toHaveLength(expected.findings.length);
    expect(res.body.remediations.map((r: { cidr: string }) => r.cidr)).toEqual(expected.remediations.map((r) => r.cidr));
    const ticket = await request(t.app).get(`/v1/audits/${res.body.id}/ticket`).set('Authorization', bearer('read'));
    expectConformsToSpec(ticket, 'getAuditTicket');
  });
});
