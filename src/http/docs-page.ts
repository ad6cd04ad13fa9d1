import { PROBLEM_TYPES } from './problems.js';
import { HTTP_METHODS, resolveRef, type JsonSchema, type OpenApiDocument, type OpenApiOperation, type OpenApiParameter, type OpenApiResponse } from './spec.js';

/**
 * The spec as an HTML page for people, rendered on the server from the parsed document.
 * It loads nothing (no CDN, no script) because the service may run air-gapped.
 */
export function renderDocsPage(doc: OpenApiDocument): string {
  const ops = operationsByTag(doc);
  const schemaNames = Object.keys(doc.components.schemas);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<style>${CSS}</style></head>
<body>
<nav><strong>${esc(doc.info.title)}</strong> <span class="muted">${esc(doc.info.version)}</span>
${ops.map(([tag, list]) => `<h4>${esc(tag)}</h4><ul>${list.map(({ method, path, op }) => `<li><a href="#op-${esc(op.operationId)}"><span class="m m-${method}">${method.toUpperCase()}</span> ${esc(path)}</a></li>`).join('')}</ul>`).join('\n')}
<h4><a href="#schemas">Schemas</a></h4><h4><a href="#problems">Problem types</a></h4>
<p class="muted"><a href="/openapi.yaml">openapi.yaml</a></p></nav>
<main>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
${doc.info.summary ? `<p class="lead">${inline(doc.info.summary)}</p>` : ''}
${markdown(doc.info.description ?? '')}
${renderSecurity(doc)}
${ops.map(([tag, list]) => `<h2 id="tag-${esc(tag)}">${esc(tag)}</h2>${tagDescription(doc, tag)}${list.map((o) => renderOperation(doc, o.method, o.path, o.op)).join('\n')}`).join('\n')}
<h2 id="schemas">Schemas</h2>
${schemaNames.map((n) => renderSchema(n, doc.components.schemas[n] ?? {})).join('\n')}
<h2 id="problems">Problem types</h2>
<p>Errors are <code>application/problem+json</code> (RFC 9457). Each problem's <code>type</code> is a link to its entry here.</p>
<table><thead><tr><th>type</th><th>status</th><th>title</th><th>meaning</th></tr></thead><tbody>
${Object.entries(PROBLEM_TYPES).map(([k, t]) => `<tr id="problem-${esc(k)}"><td><code>/docs#problem-${esc(k)}</code></td><td>${t.status}</td><td>${esc(t.title)}</td><td>${inline(t.about)}</td></tr>`).join('\n')}
</tbody></table>
</main></body></html>
`;
}

interface Listed {
  method: string;
  path: string;
  op: OpenApiOperation;
}

function operationsByTag(doc: OpenApiDocument): [string, Listed[]][] {
  const byTag = new Map<string, Listed[]>();
  for (const t of doc.tags ?? []) byTag.set(t.name, []);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ method, path, op });
    }
  }
  return [...byTag.entries()].filter(([, l]) => l.length > 0);
}

function tagDescription(doc: OpenApiDocument, tag: string): string {
  const d = doc.tags?.find((t) => t.name === tag)?.description;
  return d ? `<p>${inline(d)}</p>` : '';
}

function renderSecurity(doc: OpenApiDocument): string {
  const schemes = Object.entries(doc.components.securitySchemes ?? {});
  if (schemes.length === 0) return '';
  return `<h2 id="auth">Authentication</h2>${schemes.map(([name, s]) => `<p><strong>${esc(name)}</strong>: HTTP ${esc(s.scheme ?? s.type)}. ${markdown(s.description ?? '')}</p>`).join('')}`;
}

function renderOperation(doc: OpenApiDocument, method: string, path: string, op: OpenApiOperation): string {
  const security = op.security ?? doc.security ?? [];
  const scopes = security[0] && Object.keys(security[0]).length > 0 ? Object.values(security[0]).flat() : null;
  const params = (op.parameters ?? []).map((p) => resolveRef<OpenApiParameter>(doc, p));
  const body = op.requestBody;
  return `<section class="op" id="op-${esc(op.operationId)}">
<h3><span class="m m-${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
<p><strong>${inline(op.summary ?? '')}</strong> <span class="muted">operationId ${esc(op.operationId)} · ${scopes === null ? 'open (no token)' : `scope: ${scopes.map((s) => `<code>${esc(s)}</code>`).join(', ') || 'any valid token'}`}</span></p>
${markdown(op.description ?? '')}
${params.length ? `<h5>Parameters</h5><table><thead><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr></thead><tbody>${params.map((p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${esc(p.in)}</td><td>${typeText(p.schema)}</td><td>${inline(p.description ?? '')}</td></tr>`).join('')}</tbody></table>` : ''}
${body ? `<h5>Request body${body.required ? ' <span class="req">required</span>' : ''}</h5><ul>${Object.entries(body.content).map(([mt, m]) => `<li><code>${esc(mt)}</code>: ${typeText(m.schema ?? {})}</li>`).join('')}</ul>` : ''}
<h5>Responses</h5><table><thead><tr><th>status</th><th>description</th><th>content</th></tr></thead><tbody>
${Object.entries(op.responses).map(([status, r]) => {
    const resp = resolveRef<OpenApiResponse>(doc, r);
    const content = Object.entries(resp.content ?? {}).map(([mt, m]) => `<code>${esc(mt)}</code> ${typeText(m.schema ?? {})}`).join('<br>');
    return `<tr><td>${esc(status)}</td><td>${inline(resp.description)}</td><td>${content}</td></tr>`;
  }).join('')}
</tbody></table></section>`;
}

function renderSchema(name: string, schema: JsonSchema): string {
  const s = typeof schema === 'object' ? schema : {};
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  const rows = Object.entries(props).map(([p, ps]) => {
    const desc = typeof ps === 'object' && typeof ps.description === 'string' ? ps.description : '';
    return `<tr><td><code>${esc(p)}</code>${required.has(p) ? ' <span class="req">required</span>' : ''}</td><td>${typeText(ps)}</td><td>${inline(desc)}</td></tr>`;
  });
  const closed = s.additionalProperties === false || s.unevaluatedProperties === false;
  return `<section class="schema" id="schema-${esc(name)}"><h3>${esc(name)}</h3>
${typeof s.description === 'string' ? markdown(s.description) : ''}
<p class="muted">${typeText(schema, true)}${closed ? ' · no other properties' : ''}</p>
${rows.length ? `<table><thead><tr><th>property</th><th>type</th><th>description</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : ''}</section>`;
}

/** A one-line type: `string (date-time)`, `array of Finding`, `Audit | null`, with schema links. */
function typeText(schema: JsonSchema, top = false): string {
  if (typeof schema === 'boolean') return schema ? 'any' : 'nothing';
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    const name = ref.split('/').pop() ?? ref;
    return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  }
  const parts: string[] = [];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) parts.push(list.map((x) => typeText(x as JsonSchema)).join(' | '));
  }
  if (Array.isArray(schema.allOf)) parts.push(schema.allOf.map((x) => typeText(x as JsonSchema)).join(' &amp; '));
  if (schema.const !== undefined) parts.push(`<code>${esc(JSON.stringify(schema.const))}</code>`);
  if (Array.isArray(schema.enum)) parts.push(schema.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | '));
  const type = schema.type;
  if (type !== undefined && parts.length === 0) {
    const types = Array.isArray(type) ? type : [type];
    parts.push(types.map((t) => (t === 'array' ? `array of ${typeText((schema.items ?? {}) as JsonSchema)}` : esc(String(t)))).join(' | '));
  }
  const extras: string[] = [];
  if (typeof schema.format === 'string') extras.push(esc(schema.format));
  if (typeof schema.pattern === 'string') extras.push(`pattern <code>${esc(schema.pattern)}</code>`);
  if (schema.minimum !== undefined || schema.maximum !== undefined) extras.push(`${schema.minimum ?? ''}..${schema.maximum ?? ''}`);
  if (schema.default !== undefined) extras.push(`default <code>${esc(JSON.stringify(schema.default))}</code>`);
  if (parts.length === 0) parts.push(top ? 'any JSON' : 'any');
  return `${parts.join(' ')}${extras.length ? ` <span class="muted">(${extras.join(', ')})</span>` : ''}`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The inline Markdown the spec's texts use: `code`, **bold**, [text](url). */
function inline(s: string): string {
  return esc(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(((?:https?:\/\/|\/|#)[^)\s]*)\)/g, '<a href="$2">$1</a>');
}

/** Paragraphs and `*`/`-` bullet lists; enough for the descriptions in openapi.yaml. */
function markdown(text: string): string {
  const out: string[] = [];
  let list: string[] | undefined;
  let para: string[] = [];
  const flushPara = (): void => {
    if (para.length) out.push(`<p>${inline(para.join(' '))}</p>`);
    para = [];
  };
  const flushList = (): void => {
    if (list) out.push(`<ul>${list.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`);
    list = undefined;
  };
  for (const line of text.split('\n')) {
    const bullet = /^\s*[*-]\s+(.*)$/.exec(line);
    if (bullet) {
      flushPara();
      (list ??= []).push(bullet[1] ?? '');
    } else if (line.trim() === '') {
      flushPara();
      flushList();
    } else if (list && /^\s{2,}\S/.test(line)) {
      list[list.length - 1] += ` ${line.trim()}`;
    } else {
      flushList();
      para.push(line.trim());
    }
  }
  flushPara();
  flushList();
  return out.join('\n');
}

const CSS = `
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d1d1f;display:flex}
nav{position:sticky;top:0;height:100vh;overflow:auto;width:270px;flex:none;padding:16px;background:#f4f5f7;border-right:1px solid #ddd;font-size:13px}
nav ul{list-style:none;padding:0;margin:0 0 8px}nav li{margin:2px 0}nav a{text-decoration:none;color:inherit}
main{padding:16px 32px;max-width:1000px;min-width:0}
h1 small,.muted{color:#666;font-weight:normal}.lead{font-size:17px}
code{background:#f0f0f3;padding:0 3px;border-radius:3px;font-size:13px}
table{border-collapse:collapse;width:100%;margin:6px 0 14px;font-size:14px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#fafafa}
.op,.schema{border-top:1px solid #e3e3e3;padding-top:4px;margin-top:18px}
.m{display:inline-block;min-width:44px;text-align:center;border-radius:3px;color:#fff;font:bold 11px monospace;padding:2px 4px}
.m-get{background:#2f7d32}.m-post{background:#1565c0}.m-put{background:#8d6e00}.m-delete{background:#b71c1c}.m-patch{background:#6a1b9a}
.req{color:#b71c1c;font-size:11px}
`;
