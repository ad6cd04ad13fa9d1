import type { IssueCollector } from '../../src/model/issues.js';
import type { SourceRef } from '../../src/model/source.js';

/** Compares two model objects ignoring every `source` (the same object exported twice has two sources). */
export function sameContent(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, withoutSource) === JSON.stringify(b, withoutSource);
}

function withoutSource(key: string, value: unknown): unknown {
  return key === 'source' ? undefined : value;
}

export function describeSource(s: SourceRef): string {
  return s.pointer ? `${s.document}#${s.pointer}` : s.document;
}

/**
 * Objects by id across all documents of a run, in order of first appearance.
 * The same object exported twice (overlapping pages or files) is merged; two
 * different versions of one id keep the later one and say so, because the user
 * most likely passed an old and a new export.
 */
export class ObjectMerger<T extends { id: string; source: SourceRef }> {
  private readonly byId = new Map<string, T>();

  constructor(
    private readonly issues: IssueCollector,
    private readonly kind: string,
  ) {}

  add(obj: T): void {
    const prev = this.byId.get(obj.id);
    if (prev && sameContent(prev, obj)) return;
    if (prev) {
      this.issues.warn(
        'openstack-duplicate-conflict',
        `${this.kind} ${obj.id} appears at ${describeSource(prev.source)} and at ${describeSource(obj.source)} with different content; using the later one`,
        obj.source,
      );
    }
    this.byId.set(obj.id, obj);
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  values(): T[] {
    return [...this.byId.values()];
  }
}
