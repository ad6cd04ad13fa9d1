import type { Response } from 'express';
import { decodeCursor } from '../store/cursor.js';
import type { AuditFilter, PageRequest } from '../store/types.js';
import { HttpProblem } from './problems.js';
import { requestState } from './request-state.js';

/** The default page size of every stored-record listing (audits, probe sweeps). */
const DEFAULT_LIMIT = 50;

/**
 * The filter and page of a listing (`cluster`, `since`, `until`, `limit`, `cursor`), from the
 * parameters the spec already validated. A cursor this server did not issue is a 400.
 */
export function listingQuery(res: Response): { filter: AuditFilter; page: PageRequest } {
  const p = requestState(res).params ?? {};
  let after;
  if (typeof p.cursor === 'string') {
    after = decodeCursor(p.cursor);
    if (!after) throw new HttpProblem('invalid-parameter', 'cursor is not a cursor this server issued', { errors: [{ parameter: 'cursor', value: p.cursor, reason: 'is not a cursor this server issued' }] });
  }
  const filter: AuditFilter = {
    ...(typeof p.cluster === 'string' ? { cluster: p.cluster } : {}),
    ...(typeof p.since === 'string' ? { since: new Date(p.since).toISOString() } : {}),
    ...(typeof p.until === 'string' ? { until: new Date(p.until).toISOString() } : {}),
  };
  return { filter, page: { limit: typeof p.limit === 'number' ? p.limit : DEFAULT_LIMIT, ...(after ? { after } : {}) } };
}
