import type { AuditCursor } from './types.js';

/**
 * Cursors are opaque to callers (base64url JSON) so the ordering key can change without
 * breaking clients; decoding validates the shape because the string comes from the request.
 */
export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): AuditCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || typeof id !== 'string') return undefined;
  if (!isIsoInstant(createdAt) || id.length === 0 || id.length > 64) return undefined;
  return { createdAt, id };
}

/** Exactly the form `toISOString` writes, which is what the stores compare. */
export function isIsoInstant(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(s) && !Number.isNaN(Date.parse(s));
}
