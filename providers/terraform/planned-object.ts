import { isPlainObject } from '../../src/model/issues.js';
import { InputError, pointerJoin } from '../../src/model/source.js';
import type { At } from '../aws/translate-read.js';
import type { JsonObject } from './plan-document.js';

/**
 * Thrown by a reader when an attribute that decides node traffic is known only after
 * apply. The resource translator catches it and reports `unknown-until-apply`; the value is never guessed.
 */
export class UnknownUntilApplyValue extends Error {
  constructor(
    readonly attribute: string,
    readonly reason: string,
  ) {
    super(`${attribute}: ${reason}`);
    this.name = 'UnknownUntilApplyValue';
  }
}

/** True when `unknown` (an after_unknown subtree) is `true` or holds a `true` anywhere below. */
export function containsUnknown(unknown: unknown): boolean {
  if (unknown === true) return true;
  if (Array.isArray(unknown)) return unknown.some(containsUnknown);
  if (isPlainObject(unknown)) return Object.values(unknown).some(containsUnknown);
  return false;
}

/**
 * One object of a plan (`before`, `after`, or a nested block of either) with its
 * `after_unknown` mirror and its position in the document, so that every read names
 * the exact attribute path in errors and unknown-until-apply reports.
 */
export class PlannedObject {
  constructor(
    readonly values: JsonObject,
    /** The matching after_unknown subtree (`{}` for `before`, which is always known). */
    readonly unknown: unknown,
    readonly document: string,
    readonly pointer: string,
    /** Attribute path for messages, e.g. `ingress[1]` ("" at the resource). */
    readonly path: string,
  ) {}

  /** Position of `key` inside this object; "" is the object itself. */
  at(key: string | number): At {
    return { document: this.document, pointer: key === '' ? this.pointer : pointerJoin(this.pointer, key) };
  }

  attributePath(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  private unknownOf(key: string): unknown {
    if (this.unknown === true) return true;
    return isPlainObject(this.unknown) ? this.unknown[key] : undefined;
  }

  isUnknown(key: string): boolean {
    return containsUnknown(this.unknownOf(key));
  }

  /** Throws UnknownUntilApplyValue when `key` (or anything inside it) is known only after apply. */
  requireKnown(key: string, why: string): void {
    if (this.isUnknown(key)) throw new UnknownUntilApplyValue(this.attributePath(key), why);
  }

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }

  fail(key: string | number | (string | number)[], reason: string, value?: unknown): never {
    const pointer = pointerJoin(this.pointer, ...(Array.isArray(key) ? key : [key]));
    throw new InputError([value === undefined ? { document: this.document, pointer, reason } : { document: this.document, pointer, reason, value }]);
  }

  /** A string attribute; null, absent and "" give undefined (Terraform stores "not set" as either). */
  optString(key: string, why: string): string | undefined {
    this.requireKnown(key, why);
    const v = this.values[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') this.fail(key, `"${key}" must be a string`, v);
    return v;
  }

  reqString(key: string, why: string): string {
    const v = this.optString(key, why);
    if (v === undefined) this.fail(key, `required attribute "${key}" is missing or empty`, this.values[key]);
    return v;
  }

  optInteger(key: string, why: string): number | undefined {
    this.requireKnown(key, why);
    const v = this.values[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(key, `"${key}" must be an integer`, v);
    return v;
  }

  reqInteger(key: string, why: string): number {
    const v = this.optInteger(key, why);
    if (v === undefined) this.fail(key, `required attribute "${key}" is missing`);
    return v;
  }

  optBool(key: string, why: string): boolean | undefined {
    this.requireKnown(key, why);
    const v = this.values[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(key, `"${key}" must be true or false`, v);
    return v;
  }

  /** A list or set of strings; absent and null are empty (Terraform writes both for an unset list). */
  stringList(key: string, why: string): string[] {
    this.requireKnown(key, why);
    const v = this.values[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(key, `"${key}" must be a list of strings`, v);
    return v.map((item, i) => {
      if (typeof item !== 'string' || item === '') this.fail([key, i], `"${key}" entries must be non-empty strings`, item);
      return item;
    });
  }

  /** Nested blocks (`ingress`, `egress`, `fixed_ip` …); a wholly unknown block list throws. */
  blocks(key: string, why: string): PlannedObject[] {
    if (this.unknownOf(key) === true) throw new UnknownUntilApplyValue(this.attributePath(key), why);
    const v = this.values[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(key, `"${key}" must be a list of blocks`, v);
    const unknown = this.unknownOf(key);
    return v.map((item, i) => {
      if (!isPlainObject(item)) this.fail([key, i], `each "${key}" block must be an object`, item);
      const itemUnknown = Array.isArray(unknown) ? unknown[i] : undefined;
      return new PlannedObject(item, itemUnknown ?? {}, this.document, pointerJoin(this.pointer, key, i), `${this.attributePath(key)}[${i}]`);
    });
  }

  /** True when any attribute of this object is unknown until apply. */
  hasAnyUnknown(): boolean {
    return containsUnknown(this.unknown);
  }
}
