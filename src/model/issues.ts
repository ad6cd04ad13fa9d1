import { InputError, type InputProblem, type SourceRef, type Warning } from './source.js';

/**
 * Gathers every input problem and warning of one translation pass, so that a user
 * sees all bad fields at once (zod style) instead of fixing them one run at a time.
 * Every provider's translator records into one of these; the caller throws a single
 * InputError at the end (`throwIfProblems`).
 */
export class IssueCollector {
  readonly problems: InputProblem[] = [];
  readonly warnings: Warning[] = [];

  problem(document: string, pointer: string, reason: string, value?: unknown): void {
    this.problems.push(value === undefined ? { document, pointer, reason } : { document, pointer, reason, value });
  }

  /**
   * Records a warning. The source is copied as plain `{document, pointer}`, so a reader's
   * position object with more fields never ends up in the JSON report.
   */
  warn(code: string, message: string, source?: SourceRef): void {
    this.warnings.push(source ? { code, message, source: { document: source.document, pointer: source.pointer } } : { code, message });
  }

  /**
   * Runs `fn`, moving the problems of an InputError it throws into this collector (then
   * returns undefined). Readers that stop at the first bad field of an entry are run
   * through this once per entry, so one bad entry does not hide the next. Any other
   * error is a bug and propagates.
   */
  absorb<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof InputError) {
        this.problems.push(...e.problems);
        return undefined;
      }
      throw e;
    }
  }

  throwIfProblems(): void {
    if (this.problems.length > 0) throw new InputError(this.problems);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Short type name for messages: `string`, `array`, `null`, … */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
