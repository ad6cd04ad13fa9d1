import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Request, Response } from 'express';
import { DEFAULT_MAX_PAIRS } from '../../model/report.js';
import { InputError } from '../../model/source.js';
import type { AuditReport } from '../../model/report.js';
import { evaluateAudit, prependFields, type EvaluatedAudit, type EvaluatedReport } from '../audit-pool-request.js';
import { buildTicket } from '../../report/ticket.js';
import { decodeCursor, encodeCursor } from '../../store/cursor.js';
import type { AuditOrigin, AuditRecord } from '../../store/types.js';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import { auditOutcome } from '../metrics.js';
import { HttpProblem, inputErrorProblem } from '../problems.js';
import { auditInputsFromRequest, type RequestInputs } from '../request-inputs.js';
import { requestState } from '../request-state.js';

interface AuditRequestBody {
  inputs: RequestInputs;
  options?: { maxPairs?: number; cluster?: string };
}

/** The stored form of an audit as the API returns it: metadata first, then the report. */
export function auditResponse(record: AuditRecord): Record<string, unknown> {
  return { ...recordHead(record), ...record.report };
}

function recordHead(record: Pick<AuditRecord, 'id' | 'createdAt' | 'cluster' | 'origin'>): Record<string, unknown> {
  return { id: record.id, createdAt: record.createdAt, cluster: record.cluster, origin: record.origin };
}

/**
 * Stores a report a worker evaluated and answers 201 with it. The response is built from the
 * worker's JSON text; only the store's copy is parsed here, each step in its own turn of the
 * event loop so health checks get in between on a large report.
 */
export async function storeEvaluatedAndRespond(deps: AppDeps, res: Response, evaluated: EvaluatedReport, cluster: string | null, origin: AuditOrigin): Promise<void> {
  await nextTurn();
  const record: AuditRecord = { id: deps.newId(), createdAt: deps.now().toISOString(), cluster, origin, report: JSON.parse(evaluated.json) as AuditReport };
  await nextTurn();
  await deps.store.save(record);
  await nextTurn();
  res.status(STATUS.created).location(`/v1/audits/${record.id}`).type('application/json').send(prependFields(recordHead(record), evaluated.json));
}

/** Stores a finished report and answers 201 with it. Shared by posted and live audits. */
export async function storeAndRespond(deps: AppDeps, res: Response, report: AuditReport, cluster: string | null, origin: AuditOrigin): Promise<void> {
  const record: AuditRecord = { id: deps.newId(), createdAt: deps.now().toISOString(), cluster, origin, report };
  await deps.store.save(record);
  res.status(STATUS.created).location(`/v1/audits/${record.id}`).json(auditResponse(record));
}

export function auditRoutes(deps: AppDeps): HandlerTable {
  return {
    async createAudit(req: Request, res: Response) {
      const body = req.body as AuditRequestBody;
      const cluster = body.options?.cluster ?? null;
      let evaluated: EvaluatedAudit | undefined;
      try {
        evaluated = await evaluateAudit(deps, res, { inputs: auditInputsFromRequest(body.inputs), maxPairs: body.options?.maxPairs ?? DEFAULT_MAX_PAIRS, extraWarnings: [] });
      } catch (e) {
        if (e instanceof InputError) {
          deps.metrics.recordAudit(cluster, 'invalid-input');
          throw inputErrorProblem(e);
        }
        // An overloaded server did not audit anything: shedding has its own counter.
        if (!(e instanceof HttpProblem && e.kind === 'overloaded')) deps.metrics.recordAudit(cluster, 'error');
        throw e;
      }
      if (!evaluated) return;
      deps.metrics.recordAudit(cluster, auditOutcome(evaluated), evaluated);
      await storeEvaluatedAndRespond(deps, res, evaluated, cluster, 'request');
    },

    async listAudits(_req: Request, res: Response) {
      const p = requestState(res).params ?? {};
      let after;
      if (typeof p.cursor === 'string') {
        after = decodeCursor(p.cursor);
        if (!after) throw new HttpProblem('invalid-parameter', 'cursor is not a cursor this server issued', { errors: [{ parameter: 'cursor', value: p.cursor, reason: 'is not a cursor this server issued' }] });
      }
      const filter = {
        ...(typeof p.cluster === 'string' ? { cluster: p.cluster } : {}),
        ...(typeof p.since === 'string' ? { since: new Date(p.since).toISOString() } : {}),
        ...(typeof p.until === 'string' ? { until: new Date(p.until).toISOString() } : {}),
      };
      const page = await deps.store.list(filter, { limit: typeof p.limit === 'number' ? p.limit : 50, ...(after ? { after } : {}) });
      res.status(STATUS.ok).json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
    },

    async getAudit(_req: Request, res: Response) {
      const record = await findAudit(deps, res);
      res.status(STATUS.ok).json(auditResponse(record));
    },

    async getAuditTicket(_req: Request, res: Response) {
      const record = await findAudit(deps, res);
      const ticket = buildTicket(record.report);
      if (requestState(res).params?.format === 'markdown') {
        res.status(STATUS.ok).type('text/markdown; charset=utf-8').send(ticket.markdown);
        return;
      }
      res.status(STATUS.ok).json(ticket);
    },
  };
}

async function findAudit(deps: AppDeps, res: Response): Promise<AuditRecord> {
  const id = String(requestState(res).params?.id);
  const record = await deps.store.get(id);
  if (!record) throw new HttpProblem('not-found', `no audit with id ${id}`);
  return record;
}
