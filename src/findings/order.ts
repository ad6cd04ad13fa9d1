/**
 * Ordering helpers. Reports are pinned by golden files, so every sort uses plain
 * code-point comparison: localeCompare depends on the ICU data of the machine.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareNumber(a: number, b: number): number {
  return a - b;
}

/** Compares tuples element by element; each element with compareText or compareNumber. */
export function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : compareText(String(x), String(y));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** `F2` before `F10`. */
export function compareIds(a: string, b: string): number {
  const na = Number(a.replace(/^\D+/, ''));
  const nb = Number(b.replace(/^\D+/, ''));
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return compareText(a, b);
}
