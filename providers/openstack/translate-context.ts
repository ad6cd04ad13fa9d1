import { isPlainObject, type IssueCollector } from '../../src/model/issues.js';
import { pointerJoin, type SourceRef } from '../../src/model/source.js';

type Json = Record<string, unknown>;

/**
 * Typed, pointer-aware access to one JSON object of a Neutron body. Each read that
 * fails records a problem naming the field in `issues` and returns undefined; translation
 * continues, so the user sees all problems of all documents at once and the caller throws
 * a single InputError at the end.
 */
export class EntryReader {
  constructor(
    readonly issues: IssueCollector,
    readonly document: string,
    readonly pointer: string,
    readonly entry: Json,
    /** The longest value a string field may hold; Neutron's column sizes unless the body is not Neutron's own (Terraform). */
    readonly limitOf: (key: string) => number = neutronStringLimit,
  ) {}

  get source(): SourceRef {
    return { document: this.document, pointer: this.pointer };
  }

  at(key: string): string {
    return pointerJoin(this.pointer, key);
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.entry, key);
  }

  fail(key: string, reason: string, value?: unknown): undefined {
    this.issues.problem(this.document, this.at(key), reason, value);
    return undefined;
  }

  requiredString(key: string): string | undefined {
    const v = this.entry[key];
    if (typeof v === 'string' && v !== '') return this.withinLimit(key, v);
    return this.fail(key, v === undefined ? `missing required field "${key}"` : `"${key}" must be a non-empty string`, v);
  }

  /** Absent, null and "" all mean "not set" in Neutron bodies (e.g. `device_id: ""` on an unbound port). */
  optionalString(key: string): string | undefined {
    const v = this.entry[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'string') return this.withinLimit(key, v);
    return this.fail(key, `"${key}" must be a string or null`, v);
  }

  /** Neutron's own column sizes: a longer value never came from Neutron, and would only bloat reports. */
  private withinLimit(key: string, v: string): string | undefined {
    const limit = this.limitOf(key);
    if (v.length <= limit) return v;
    return this.fail(key, `"${key}" is ${v.length} characters long; Neutron allows at most ${limit}`, `${v.slice(0, 64)}...`);
  }

  /** Returns `fallback` when absent (the Neutron API default); null or a non-boolean is a problem. */
  booleanOr(key: string, fallback: boolean): boolean | undefined {
    const v = this.entry[key];
    if (v === undefined) return fallback;
    if (typeof v === 'boolean') return v;
    return this.fail(key, `"${key}" must be true or false`, v);
  }

  /** Integer or null/absent (undefined); `ok: false` after recording a problem. */
  optionalInteger(key: string, min: number, max: number): { ok: true; value: number | undefined } | { ok: false } {
    const v = this.entry[key];
    if (v === undefined || v === null) return { ok: true, value: undefined };
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return { ok: true, value: v };
    this.fail(key, `"${key}" must be null or an integer ${min}-${max}`, v);
    return { ok: false };
  }

  /** Array entries with their pointers; absent gives `absent` (the caller decides whether that is fine). */
  array(key: string): { items: { value: unknown; pointer: string }[] } | 'absent' | undefined {
    const v = this.entry[key];
    if (v === undefined) return 'absent';
    if (!Array.isArray(v)) return this.fail(key, `"${key}" must be an array`, v);
    return { items: v.map((value, i) => ({ value, pointer: pointerJoin(this.pointer, key, i) })) };
  }

  stringArray(key: string): string[] | 'absent' | undefined {
    const arr = this.array(key);
    if (arr === undefined || arr === 'absent') return arr;
    const out: string[] = [];
    let bad = false;
    for (const { value, pointer } of arr.items) {
      if (typeof value === 'string' && value !== '') out.push(value);
      else {
        this.issues.problem(this.document, pointer, `"${key}" entries must be non-empty strings`, value);
        bad = true;
      }
    }
    return bad ? undefined : out;
  }

  /** Reader for a nested object (an array element or a field value), or undefined after a problem. */
  child(value: unknown, pointer: string, what: string): EntryReader | undefined {
    if (isPlainObject(value)) return new EntryReader(this.issues, this.document, pointer, value, this.limitOf);
    this.issues.problem(this.document, pointer, `${what} must be a JSON object`, value);
    return undefined;
  }
}

/** Neutron stores resource ids as 36-character UUID columns, and names, descriptions and other strings in 255. */
export const NEUTRON_ID_LENGTH = 36;
export const NEUTRON_STRING_LENGTH = 255;
const ID_KEYS = new Set(['id', 'security_group_id', 'subnet_id', 'network_id', 'remote_group_id', 'remote_address_group_id']);

export function neutronStringLimit(key: string): number {
  return ID_KEYS.has(key) ? NEUTRON_ID_LENGTH : NEUTRON_STRING_LENGTH;
}
