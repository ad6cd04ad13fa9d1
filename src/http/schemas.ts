import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import type { JsonSchema, OpenApiDocument } from './spec.js';

const addFormats = formatsModule.default;

/** The id the component schemas are registered under; `#/components/schemas/X` becomes `ROOT#/$defs/X`. */
const ROOT = 'urn:sgaudit:openapi';

/** OpenAPI 3.1 keywords that are not JSON Schema; they describe and never validate. */
const OPENAPI_KEYWORDS = ['example', 'discriminator', 'xml', 'externalDocs'];

/**
 * Compiles the spec's own component schemas with ajv (2020-12, the dialect of OpenAPI 3.1),
 * so requests are validated against exactly what openapi.yaml publishes.
 */
export class SpecSchemas {
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<JsonSchema, ValidateFunction>();

  constructor(doc: OpenApiDocument) {
    this.ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false });
    addFormats(this.ajv);
    this.ajv.addVocabulary(OPENAPI_KEYWORDS);
    this.ajv.addSchema({ $id: ROOT, $defs: rewriteRefs(doc.components.schemas) as Record<string, unknown> });
  }

  /** A validator for a schema taken from the spec (inline or `$ref`); compiled once. */
  validator(schema: JsonSchema): ValidateFunction {
    let fn = this.cache.get(schema);
    if (!fn) {
      fn = this.ajv.compile(rewriteRefs(schema) as JsonSchema);
      this.cache.set(schema, fn);
    }
    return fn;
  }

  component(name: string): ValidateFunction {
    const fn = this.ajv.getSchema(`${ROOT}#/$defs/${name}`);
    if (!fn) throw new Error(`openapi.yaml has no component schema ${name}`);
    return fn;
  }
}

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/') ? `${ROOT}#/$defs/${v.slice('#/components/schemas/'.length)}` : rewriteRefs(v);
  }
  return out;
}

export interface SchemaIssue {
  /** RFC 6901 pointer into the validated value. */
  pointer: string;
  value?: unknown;
  reason: string;
}

/**
 * Turns ajv errors into one issue per failing field. A failed `oneOf`/`anyOf` also reports each
 * branch's errors; those are dropped when a more specific error names the same field, because
 * "must match exactly one schema in oneOf" alone tells a caller nothing.
 */
export function schemaIssues(errors: ErrorObject[] | null | undefined): SchemaIssue[] {
  const list = errors ?? [];
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  // Branches of a oneOf that each want another type: one issue, "must be object or array".
  const typesAt = new Map<string, string[]>();
  for (const e of list) {
    if (e.keyword === 'type') typesAt.set(e.instancePath, [...(typesAt.get(e.instancePath) ?? []), String((e.params as { type: unknown }).type)]);
  }
  for (const e of list) {
    if ((e.keyword === 'oneOf' || e.keyword === 'anyOf') && list.some((o) => o !== e && o.instancePath.startsWith(e.instancePath) && o.keyword !== 'oneOf' && o.keyword !== 'anyOf')) {
      continue;
    }
    let pointer = e.instancePath;
    let value: unknown = e.data;
    let reason = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
      const prop = String((e.params as { additionalProperty?: string; unevaluatedProperty?: string }).additionalProperty ?? (e.params as { unevaluatedProperty?: string }).unevaluatedProperty);
      pointer = `${pointer}/${escapePointer(prop)}`;
      value = (e.data as Record<string, unknown> | undefined)?.[prop];
      reason = 'is not a known property';
    } else if (e.keyword === 'required') {
      const prop = String((e.params as { missingProperty: string }).missingProperty);
      pointer = `${pointer}/${escapePointer(prop)}`;
      value = undefined;
      reason = 'is required';
    } else if (e.keyword === 'type') {
      reason = `must be ${[...new Set(typesAt.get(e.instancePath) ?? [])].join(' or ')}`;
    } else if (e.keyword === 'enum') {
      reason = `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'oneOf' || e.keyword === 'anyOf') {
      reason = 'does not match any of the allowed shapes';
    }
    const key = `${pointer}\u0000${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(value === undefined ? { pointer, reason } : { pointer, value, reason });
  }
  return issues;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
