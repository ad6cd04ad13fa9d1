/** Small collection helpers shared by the providers' collectors and translators. */

/** Equal as sets: same members, whatever the order or repetition. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** Splits items into consecutive batches of at most `size` (API filter limits). */
export function inBatches<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Sorted, de-duplicated, so batches and call counts do not depend on input order. */
export function uniqueSorted(items: Iterable<string>): string[] {
  return [...new Set(items)].sort();
}

/**
 * `table[key]` for a key that comes from input. A plain lookup would also find what every
 * object inherits: `"constructor"` or `"__proto__"` as a protocol, a document key or a
 * resource type would read Object.prototype's members instead of "not found".
 */
export function ownEntry<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
