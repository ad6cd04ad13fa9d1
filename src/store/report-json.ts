import type { AuditReport } from '../model/report.js';
import { countsOf, type AuditCounts, type AuditRecord, type SerializedAudit } from './types.js';

/**
 * The largest report (UTF-8 JSON bytes) a store accepts. Well under what the pieces can carry
 * (V8 strings stop near 512 M characters, SQLite's default SQLITE_MAX_LENGTH is 1e9 bytes,
 * a PostgreSQL value 1 GB) because a stored report must also be read back: parsing one costs
 * several times its size in memory. The server's own report bound must not exceed this.
 */
export const MAX_STORED_REPORT_BYTES = 128 * 1024 * 1024;

/** A report a store will not keep. `bytes` is undefined when it was too large to even serialize. */
export class ReportTooLargeError extends Error {
  override readonly name = 'ReportTooLargeError';
  readonly bytes: number | undefined;
  readonly limitBytes: number;

  constructor(bytes: number | undefined, limitBytes: number, cause?: unknown) {
    super(
      bytes === undefined
        ? `audit report is too large to store: it does not fit in one JavaScript string (${cause instanceof Error ? cause.message : String(cause)}); the store's bound is ${limitBytes} bytes of JSON`
        : `audit report is too large to store: ${bytes} bytes of JSON, over the store's bound of ${limitBytes} bytes`,
      cause === undefined ? undefined : { cause },
    );
    this.bytes = bytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * The report as the JSON text a store keeps. JSON.stringify throws a bare RangeError
 * ("Invalid string length") once the text would pass V8's string limit; that becomes a
 * ReportTooLargeError so callers can answer with a clear problem instead of a 500.
 */
export function reportJson(report: AuditReport, limitBytes: number = MAX_STORED_REPORT_BYTES): string {
  let text: string;
  try {
    text = JSON.stringify(report);
  } catch (e) {
    if (e instanceof RangeError) throw new ReportTooLargeError(undefined, limitBytes, e);
    throw e;
  }
  return boundedReportText(text, limitBytes);
}

/** Report JSON text within the bound, or a ReportTooLargeError. */
export function boundedReportText(text: string, limitBytes: number = MAX_STORED_REPORT_BYTES): string {
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so short texts skip the byte count.
  if (text.length * 3 > limitBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limitBytes) throw new ReportTooLargeError(bytes, limitBytes);
  }
  return text;
}

/** What a store writes for an audit: the report's text (serialized here only when it is not yet) and its listing counts. */
export function storedReport(audit: AuditRecord | SerializedAudit, limitBytes: number): { text: string; counts: AuditCounts } {
  if ('reportJson' in audit) return { text: boundedReportText(audit.reportJson, limitBytes), counts: audit.counts };
  return { text: reportJson(audit.report, limitBytes), counts: countsOf(audit.report) };
}

/** A store's `maxReportBytes` option: lower bounds are for tests and small deployments, never above the ceiling. */
export function checkedReportBound(value: number | undefined): number {
  if (value === undefined) return MAX_STORED_REPORT_BYTES;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_STORED_REPORT_BYTES) {
    throw new RangeError(`store maxReportBytes must be an integer from 1 to ${MAX_STORED_REPORT_BYTES}, got ${String(value)}`);
  }
  return value;
}
