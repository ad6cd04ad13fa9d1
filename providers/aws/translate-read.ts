import { InputError, pointerJoin, type InputProblem, type SourceRef } from '../../src/model/source.js';
import { canonicalCidr, isValidIp } from '../../src/model/cidr.js';
import { isPlainObject } from '../../src/model/issues.js';

/**
 * Field readers for native EC2 JSON. Each takes the object and the JSON pointer
 * of that object so that a bad field is reported with its exact location and value.
 */

export type JsonObject = Record<string, unknown>;

/** A position inside one document. */
export interface At {
  document: string;
  pointer: string;
}

export function at(document: string, pointer: string): At {
  return { document, pointer };
}

export function child(parent: At, segment: string | number): At {
  return { document: parent.document, pointer: pointerJoin(parent.pointer, segment) };
}

export function sourceRef(where: At): SourceRef {
  return { document: where.document, pointer: where.pointer };
}

/**
 * Records a bad field by throwing, which stops reading the entry it is in: the entry's
 * later fields and its model object depend on this one, so going on would only report
 * follow-on errors. The translator reads each entry (each list item, instance, IpPermission)
 * inside `IssueCollector.absorb`, which records the problem and moves on to the next entry,
 * so every entry is still read and every bad entry reported.
 */
export function fail(where: At, reason: string, value?: unknown): never {
  const problem: InputProblem = { document: where.document, pointer: where.pointer, reason };
  if (value !== undefined) problem.value = value;
  throw new InputError([problem]);
}

export function asObject(value: unknown, where: At, what: string): JsonObject {
  if (!isPlainObject(value)) fail(where, `expected ${what} to be a JSON object`, value);
  return value;
}

/** An absent or null list is empty: the CLI omits empty lists in some versions and the SDK leaves them undefined. */
export function optArray(obj: JsonObject, key: string, where: At): unknown[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(child(where, key), `expected "${key}" to be a list`, value);
  return value;
}

/**
 * EC2 caps names and descriptions at 255 characters and its resource ids are far shorter, so
 * no string field of a real export is longer; a longer one is refused rather than carried into
 * every report and stored audit.
 */
export const AWS_STRING_LENGTH = 255;

export function reqString(obj: JsonObject, key: string, where: At): string {
  const value = obj[key];
  if (value === undefined || value === null) fail(child(where, key), `required field "${key}" is missing`);
  if (typeof value !== 'string' || value === '') {
    fail(child(where, key), `expected "${key}" to be a non-empty string`, value);
  }
  return withinLimit(value, key, where);
}

export function optString(obj: JsonObject, key: string, where: At): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(child(where, key), `expected "${key}" to be a string`, value);
  return withinLimit(value, key, where);
}

function withinLimit(value: string, key: string, where: At): string {
  if (value.length > AWS_STRING_LENGTH) {
    fail(child(where, key), `"${key}" is ${value.length} characters long; EC2 allows at most ${AWS_STRING_LENGTH}`, `${value.slice(0, 64)}...`);
  }
  return value;
}

/**
 * A list that must be a list when present: null is refused, unlike optArray. For fields that
 * EC2 always returns as a list (IpPermissions), a null means a hand-edited or broken export,
 * and reading it as "no rules" would turn a mistake into a verdict.
 */
export function presentArray(obj: JsonObject, key: string, where: At): unknown[] {
  const value = obj[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(child(where, key), `expected "${key}" to be a list when present`, value);
  return value;
}

export function optBool(obj: JsonObject, key: string, where: At): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') fail(child(where, key), `expected "${key}" to be true or false`, value);
  return value;
}

export function reqBool(obj: JsonObject, key: string, where: At): boolean {
  const value = optBool(obj, key, where);
  if (value === undefined) fail(child(where, key), `required field "${key}" is missing`);
  return value;
}

export function optInteger(obj: JsonObject, key: string, where: At): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fail(child(where, key), `expected "${key}" to be an integer`, value);
  }
  return value;
}

/** Reads a CIDR field and returns it canonical (host bits cleared), as AWS itself stores it. */
export function reqCidr(obj: JsonObject, key: string, where: At): string {
  const text = reqString(obj, key, where);
  const cidr = canonicalCidr(text);
  if (cidr === undefined || !text.includes('/')) {
    fail(child(where, key), `"${key}" is not a valid CIDR (expected a.b.c.d/n or x:x::/n)`, text);
  }
  return cidr;
}

export function reqIp(obj: JsonObject, key: string, where: At): string {
  const text = reqString(obj, key, where);
  if (!isValidIp(text)) fail(child(where, key), `"${key}" is not a valid IP address`, text);
  return text;
}

export function reqInteger(obj: JsonObject, key: string, where: At): number {
  const value = optInteger(obj, key, where);
  if (value === undefined) fail(child(where, key), `required field "${key}" is missing`);
  return value;
}
