import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../package-root.js';

/** The parts of an OpenAPI 3.1 document the server reads. */
export type JsonSchema = Record<string, unknown> | boolean;

export interface OpenApiParameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiMediaType {
  schema?: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, OpenApiMediaType>;
}

export interface OpenApiOperation {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: (OpenApiParameter | { $ref: string })[];
  requestBody?: { required?: boolean; description?: string; content: Record<string, OpenApiMediaType> };
  responses: Record<string, OpenApiResponse | { $ref: string }>;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; summary?: string; description?: string };
  security?: Record<string, string[]>[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters?: Record<string, OpenApiParameter>;
    responses?: Record<string, OpenApiResponse>;
    securitySchemes?: Record<string, { type: string; scheme?: string; description?: string }>;
  };
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One operation, with references resolved, as the router mounts it. */
export interface ApiOperation {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template, `/v1/audits/{id}`; also the metrics `route` label. */
  path: string;
  /** The same path in express syntax, `/v1/audits/:id`. */
  expressPath: string;
  /** Scopes the bearer token must hold; null for an open operation. */
  scopes: string[] | null;
  parameters: OpenApiParameter[];
  requestBody?: { required: boolean; mediaType: string; schema: JsonSchema };
  operation: OpenApiOperation;
}

export interface ApiSpec {
  /** The YAML text as shipped, served at /openapi.yaml. */
  text: string;
  doc: OpenApiDocument;
  operations: ApiOperation[];
}

export function specPath(): string {
  return join(packageRoot(), 'openapi.yaml');
}

export function loadSpec(path = specPath()): ApiSpec {
  const text = readFileSync(path, 'utf8');
  return parseSpec(text);
}

export function parseSpec(text: string): ApiSpec {
  const doc = parse(text) as OpenApiDocument;
  return { text, doc, operations: listOperations(doc) };
}

export function resolveRef<T>(doc: OpenApiDocument, value: T | { $ref: string }): T {
  if (typeof value !== 'object' || value === null || !('$ref' in value)) return value as T;
  const ref = (value as { $ref: string }).$ref;
  if (!ref.startsWith('#/')) throw new Error(`openapi.yaml: only local references are supported, got ${ref}`);
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (node === undefined) throw new Error(`openapi.yaml: unresolved reference ${ref}`);
  return node as T;
}

function listOperations(doc: OpenApiDocument): ApiOperation[] {
  const out: ApiOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const security = op.security ?? doc.security ?? [];
      // Only the shapes this API uses: no requirement (open) or one bearer requirement.
      if (security.length > 1) throw new Error(`openapi.yaml: ${op.operationId}: alternative security requirements are not supported`);
      const requirement = security[0];
      const scopes = requirement === undefined || Object.keys(requirement).length === 0 ? null : (requirement.bearer ?? []);
      const body = op.requestBody;
      const bodyEntry = body ? Object.entries(body.content)[0] : undefined;
      out.push({
        operationId: op.operationId,
        method,
        path,
        expressPath: path.replace(/\{([^}]+)\}/g, ':$1'),
        scopes,
        parameters: (op.parameters ?? []).map((p) => resolveRef<OpenApiParameter>(doc, p)),
        ...(body && bodyEntry
          ? { requestBody: { required: body.required === true, mediaType: bodyEntry[0], schema: bodyEntry[1].schema ?? {} } }
          : {}),
        operation: op,
      });
    }
  }
  return out;
}
