import { pointerJoin } from '../../src/model/source.js';
import { describeType, isPlainObject, type IssueCollector } from '../../src/model/issues.js';

/**
 * Reads flannel's JSON the way flannel's Go code does (encoding/json into structs):
 * keys match field names case-insensitively, the last matching key wins, and a JSON
 * null leaves the field at its default. Type errors become input problems with the
 * pointer of the key as it is spelled in the document.
 */
export class GoJsonReader {
  constructor(
    private readonly issues: IssueCollector,
    private readonly document: string,
  ) {}

  /** The matching key and its value, or undefined when no key matches or every match is null. */
  field(obj: Record<string, unknown>, name: string, base: string, opts: { keepNull?: boolean } = {}): Field | undefined {
    const wanted = name.toLowerCase();
    const matches = Object.keys(obj).filter((k) => k.toLowerCase() === wanted);
    const effective = opts.keepNull ? matches : matches.filter((k) => obj[k] !== null);
    const key = effective[effective.length - 1];
    if (key === undefined) return undefined;
    if (matches.length > 1) {
      this.issues.warn(
        'flannel-duplicate-key',
        `keys ${matches.map((k) => JSON.stringify(k)).join(', ')} all set flannel's ${name}; flannel (Go encoding/json) uses the last non-null one, ${JSON.stringify(key)}`,
        { document: this.document, pointer: pointerJoin(base, key) },
      );
    }
    return { key, value: obj[key], pointer: pointerJoin(base, key) };
  }

  problem(pointer: string, reason: string, value?: unknown): void {
    this.issues.problem(this.document, pointer, reason, value);
  }

  has(obj: Record<string, unknown>, name: string): boolean {
    const wanted = name.toLowerCase();
    return Object.keys(obj).some((k) => k.toLowerCase() === wanted);
  }

  int(obj: Record<string, unknown>, name: string, base: string, range: { min: number; max: number }): number | undefined {
    const f = this.field(obj, name, base);
    if (!f) return undefined;
    if (typeof f.value !== 'number' || !Number.isInteger(f.value)) {
      this.issues.problem(this.document, f.pointer, `${name} must be an integer, got ${describeType(f.value)}`, f.value);
      return undefined;
    }
    if (f.value < range.min || f.value > range.max) {
      this.issues.problem(this.document, f.pointer, `${name} must be between ${range.min} and ${range.max}`, f.value);
      return undefined;
    }
    return f.value;
  }

  bool(obj: Record<string, unknown>, name: string, base: string): boolean | undefined {
    const f = this.field(obj, name, base);
    if (!f) return undefined;
    if (typeof f.value !== 'boolean') {
      this.issues.problem(this.document, f.pointer, `${name} must be true or false, got ${describeType(f.value)}`, f.value);
      return undefined;
    }
    return f.value;
  }

  string(obj: Record<string, unknown>, name: string, base: string): Field & { value: string } | undefined {
    const f = this.field(obj, name, base);
    if (!f) return undefined;
    if (typeof f.value !== 'string') {
      this.issues.problem(this.document, f.pointer, `${name} must be a string, got ${describeType(f.value)}`, f.value);
      return undefined;
    }
    return { ...f, value: f.value };
  }

  object(obj: Record<string, unknown>, name: string, base: string): Field & { value: Record<string, unknown> } | undefined {
    const f = this.field(obj, name, base);
    if (!f) return undefined;
    if (!isPlainObject(f.value)) {
      this.issues.problem(this.document, f.pointer, `${name} must be an object, got ${describeType(f.value)}`, f.value);
      return undefined;
    }
    return { ...f, value: f.value };
  }
}

export interface Field {
  /** The key as spelled in the document. */
  key: string;
  value: unknown;
  pointer: string;
}
