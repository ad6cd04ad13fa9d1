import { expect } from 'vitest';
import type { Response } from 'supertest';
import { parse } from 'yaml';
import { schemaIssues, SpecSchemas } from '../../src/http/schemas.js';
import { loadSpec, resolveRef, type ApiSpec, type OpenApiResponse } from '../../src/http/spec.js';

let cached: { spec: ApiSpec; schemas: SpecSchemas } | undefined;

export function specAndSchemas(): { spec: ApiSpec; schemas: SpecSchemas } {
  cached ??= (() => {
    const spec = loadSpec();
    return { spec, schemas: new SpecSchemas(spec.doc) };
  })();
  return cached;
}

/**
 * Asserts a response is one openapi.yaml declares for the operation: the status is listed,
 * the media type is one of that status's, and the body validates against its schema.
 */
export function expectConformsToSpec(res: Response, operationId: string): void {
  const { spec, schemas } = specAndSchemas();
  const op = spec.operations.find((o) => o.operationId === operationId);
  if (!op) throw new Error(`no operation ${operationId} in openapi.yaml`);
  const declared = op.operation.responses[String(res.status)];
  expect(declared, `${operationId}: status ${res.status} is not declared in openapi.yaml (body: ${res.text.slice(0, 300)})`).toBeDefined();
  const response = resolveRef<OpenApiResponse>(spec.doc, declared!);
  const mediaType = (res.headers['content-type'] ?? '').split(';')[0]!.trim();
  const content = response.content ?? {};
  if (Object.keys(content).length === 0) return;
  const entry = content[mediaType];
  expect(entry, `${operationId} ${res.status}: media type ${mediaType} not declared (declared: ${Object.keys(content).join(', ')})`).toBeDefined();
  const body = mediaType.endsWith('json') ? (res.body as unknown) : mediaType.endsWith('yaml') ? (parse(res.text) as unknown) : res.text;
  const validate = schemas.validator(entry!.schema ?? {});
  const ok = validate(body);
  expect(ok ? [] : schemaIssues(validate.errors).map((i) => ({ pointer: i.pointer, reason: i.reason })), `${operationId} ${res.status} body breaks its schema`).toEqual([]);
}
