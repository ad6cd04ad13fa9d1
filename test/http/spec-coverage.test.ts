import { describe, expect, it } from 'vitest';
import { HTTP_METHODS } from '../../src/http/spec.js';
import { testApp } from '../support/http-app.js';
import { specAndSchemas } from '../support/openapi-response.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('the served routes are exactly the spec', () => {
  it('every express route is an operation in openapi.yaml and every operation is served', async () => {
    const { app } = await testApp();
    const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
    const served = new Set<string>();
    for (const layer of stack) {
      if (!layer.route) continue;
      for (const [method, on] of Object.entries(layer.route.methods)) {
        // `_all` is the 405 responder the app mounts on each spec path; it serves no operation.
        if (on && method !== '_all') served.add(`${method.toUpperCase()} ${layer.route.path}`);
      }
    }
    const { spec } = specAndSchemas();
    const published = new Set<string>();
    for (const [path, item] of Object.entries(spec.doc.paths)) {
      for (const method of HTTP_METHODS) if (item[method]) published.add(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`);
    }
    expect([...served].sort()).toEqual([...published].sort());
  });

  it('every component schema compiles under ajv strict mode', () => {
    const { spec, schemas } = specAndSchemas();
    for (const name of Object.keys(spec.doc.components.schemas)) expect(() => schemas.component(name), name).not.toThrow();
  });

  it('every operation has an operationId, a summary and declares 401/403 exactly when it needs a token', () => {
    const { spec } = specAndSchemas();
    for (const op of spec.operations) {
      expect(op.operation.summary, op.operationId).toBeTruthy();
      const statuses = Object.keys(op.operation.responses);
      const guarded = op.scopes !== null;
      expect(statuses.includes('401') && statuses.includes('403'), op.operationId).toBe(guarded);
      if (op.requestBody) expect(statuses, op.operationId).toEqual(expect.arrayContaining(['413', '415', '422']));
    }
  });
});
