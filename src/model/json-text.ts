/**
 * Parses JSON text, turning V8's "at position N" errors into a reason with a line and
 * column, which is what a person looking at the file needs.
 */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const message = (e as Error).message;
    const match = /at position (\d+)/.exec(message);
    // Some V8 messages carry no position ("Unexpected token 'o', "nope" is not valid JSON").
    const position = match ? Number(match[1]) : /Unexpected end/.test(message) ? text.length : undefined;
    const what = message
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/\s*in JSON at position \d+/, '')
      .replace(/,\s*".*" is not valid JSON$/s, '');
    if (position === undefined) return { ok: false, reason: `malformed JSON: ${what}` };
    const { line, column } = lineColumn(text, position);
    return { ok: false, reason: `malformed JSON at line ${line} column ${column}: ${what}` };
  }
}

export function lineColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/**
 * How deep a document may nest (the root array or object is level 1). The deepest real input
 * seen (a Terraform plan) nests 10 levels, and a request body wraps documents in 3 more; 64
 * leaves room for module trees while keeping every recursive reader (ajv, the translators,
 * JSON.stringify) far from the stack limit, which a 40 KB body of `[[[[…` reaches.
 */
export const MAX_JSON_DEPTH = 64;

/** Where a value first nests deeper than the limit: the pointer of the array or object at level limit + 1. */
export interface TooDeep {
  pointer: string;
  maxDepth: number;
}

interface DepthFrame {
  value: object;
  depth: number;
  parent: DepthFrame | undefined;
  key: string;
}

/**
 * Finds the first place `value` nests deeper than `maxDepth`, with an explicit stack instead of
 * recursion, so that checking a 100,000-level document costs a loop, not the call stack. The
 * pointer is built only for the frame that is too deep.
 */
export function findTooDeep(value: unknown, maxDepth: number = MAX_JSON_DEPTH): TooDeep | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: DepthFrame[] = [{ value, depth: 1, parent: undefined, key: '' }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    if (frame.depth > maxDepth) return { pointer: framePointer(frame), maxDepth };
    const children = frame.value as Record<string, unknown>;
    // Pushed in reverse so the walk goes in document order and reports the first deep place.
    const keys = Array.isArray(children) ? undefined : Object.keys(children);
    const count = keys ? keys.length : (children as unknown as unknown[]).length;
    for (let i = count - 1; i >= 0; i--) {
      const key = keys ? keys[i]! : String(i);
      const child = children[key];
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return undefined;
}

function framePointer(frame: DepthFrame): string {
  const segments: string[] = [];
  for (let f: DepthFrame | undefined = frame; f?.parent !== undefined; f = f.parent) segments.push(f.key.replace(/~/g, '~0').replace(/\//g, '~1'));
  return segments.reverse().map((s) => `/${s}`).join('');
}

/** A value written as JSON text up to a length: `complete` when `text` is all of it and valid JSON. */
export interface BoundedJson {
  text: string;
  complete: boolean;
}

type WriteFrame = { kind: 'array'; items: readonly unknown[]; next: number } | { kind: 'object'; obj: Record<string, unknown>; keys: string[]; next: number; wrote: boolean };

/**
 * JSON.stringify that stops after `maxChars`, without recursion: error messages and problem
 * documents show user values, and a user value can be 5,000 levels deep, megabytes long or (in
 * code) cyclic. Work is bounded by `maxChars` plus the key list of the objects it opens.
 * Values JSON cannot hold exactly (bigint, a throwing toJSON) make the result incomplete.
 */
export function boundedJson(value: unknown, maxChars: number): BoundedJson {
  let out = '';
  let exact = true;
  const frames: WriteFrame[] = [];
  let pending: unknown = value;
  let hasPending = true;
  while (out.length <= maxChars) {
    if (hasPending) {
      hasPending = false;
      let v = pending;
      if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
        try {
          v = (v as { toJSON: () => unknown }).toJSON();
        } catch {
          return { text: out, complete: false };
        }
      }
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
        // Like JSON.stringify: nothing at the top, null in an array (object keys holding these are skipped before).
        if (frames.length === 0) return { text: '', complete: false };
        out += 'null';
      } else if (v === null) out += 'null';
      else if (typeof v === 'string') out += JSON.stringify(v.length > maxChars - out.length ? v.slice(0, maxChars - out.length + 1) : v);
      else if (typeof v === 'number') out += Number.isFinite(v) ? String(v) : 'null';
      else if (typeof v === 'boolean') out += String(v);
      else if (typeof v === 'bigint') {
        out += String(v);
        exact = false;
      } else if (Array.isArray(v)) {
        out += '[';
        frames.push({ kind: 'array', items: v, next: 0 });
      } else {
        out += '{';
        frames.push({ kind: 'object', obj: v as Record<string, unknown>, keys: Object.keys(v), next: 0, wrote: false });
      }
      continue;
    }
    const top = frames[frames.length - 1];
    if (top === undefined) return { text: out, complete: exact };
    if (top.kind === 'array') {
      if (top.next >= top.items.length) {
        out += ']';
        frames.pop();
        continue;
      }
      if (top.next > 0) out += ',';
      pending = top.items[top.next++];
      hasPending = true;
      continue;
    }
    while (top.next < top.keys.length && skippedInObject(top.obj[top.keys[top.next]!])) top.next++;
    if (top.next >= top.keys.length) {
      out += '}';
      frames.pop();
      continue;
    }
    const key = top.keys[top.next++]!;
    out += `${top.wrote ? ',' : ''}${JSON.stringify(key.length > maxChars ? key.slice(0, maxChars) : key)}:`;
    top.wrote = true;
    pending = top.obj[key];
    hasPending = true;
  }
  return { text: out.slice(0, maxChars), complete: false };
}

/** JSON.stringify leaves these keys out of an object. */
function skippedInObject(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}
