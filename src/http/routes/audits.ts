import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Request, Response } from 'express';
import { buildTicket } from '../../report/ticket.js';
import { REPORT_CSP_HEADER } from '../../report/html-assets.js';
import { renderAuditHtml } from '../../report/render-html.js';
import { encodeCursor } from '../../store/cursor.js';
import type { AuditHead, AuditOrigin, AuditRecord } from '../../store/types.js';
import { evaluatePostedAudit, prependFields, type EvaluatedAudit } from '../audit-pool-request.js';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import { auditOutcome } from '../metrics.js';
import { HttpProblem, inputErrorProblem } from '../problems.js';
import { listingQuery } from '../listing-query.js';
import { requestState } from '../request-state.js';
import { postedBodyBytes } from '../validate.js';

/** The fields an audit response starts with; the report's own fields follow them. */
function recordHead(record: AuditHead): Record<string, unknown> {
  return { id: record.id, createdAt: record.createdAt, cluster: record.cluster, origin: record.origin };
}

/**
 * Stores a report a worker evaluated and answers 201 with it. Both take the worker's JSON text
 * as it is, with the counts the worker took from the report: nothing here parses or stringifies
 * the report. The save gets a turn of the event loop of its own, so health checks get in
 * between on a large report.
 */
export async function storeEvaluatedAndRespond(deps: AppDeps, res: Response, evaluated: EvaluatedAudit, cluster: string | null, origin: AuditOrigin): Promise<void> {
  const head: AuditHead = { id: deps.newId(), createdAt: deps.now().toISOString(), cluster, origin };
  const { summary, findings, remediations } = evaluated;
  await nextTurn();
  await deps.store.save({ ...head, reportJson: evaluated.json, counts: { summary, findings, remediations } });
  await nextTurn();
  res.status(STATUS.created).location(`/v1/audits/${head.id}`).type('application/json').send(prependFields(recordHead(head), evaluated.json));
}

export function auditRoutes(deps: AppDeps): HandlerTable {
  return {
    async createAudit(req: Request, res: Response) {
      let evaluation;
      try {
        evaluation = await evaluatePostedAudit(deps, res, postedBodyBytes(req));
      } catch (e) {
        // An unreadable body (as before, when the middleware refused it) and an overloaded server
        // audited nothing; any other failure counts as an error, of a cluster nobody read.
        if (!(e instanceof HttpProblem && (e.status < 500 || e.kind === 'overloaded'))) deps.metrics.recordAudit(null, 'error');
        throw e;
      }
      switch (evaluation.kind) {
        case 'cancelled':
          return;
        case 'invalid-input':
          deps.metrics.recordAudit(evaluation.options.cluster, 'invalid-input');
          throw inputErrorProblem(evaluation.error);
        case 'too-large':
          deps.metrics.recordAudit(evaluation.options.cluster, 'error');
          throw evaluation.problem;
        case 'evaluated': {
          const { report, options } = evaluation;
          deps.metrics.recordAudit(options.cluster, auditOutcome(report), report);
          await storeEvaluatedAndRespond(deps, res, report, options.cluster, 'request');
        }
      }
    },

    async listAudits(_req: Request, res: Response) {
      const { filter, page: request } = listingQuery(res);
      const page = await deps.store.list(filter, request);
      res.status(STATUS.ok).json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
    },

    async getAudit(_req: Request, res: Response) {
      const id = auditId(res);
      // The stored text goes out as it is: a large audit is neither parsed nor stringified here.
      const stored = await deps.store.getJson(id);
      if (!stored) throw notFound(id);
      res.status(STATUS.ok).type('application/json').send(prependFields(recordHead(stored.head), stored.reportJson));
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

    async getAuditReportHtml(_req: Request, res: Response) {
      const record = await findAudit(deps, res);
      // A report stored before matrices existed has none; the page then says so instead of failing.
      const html = renderAuditHtml(record.report, { version: deps.spec.doc.info.version, generatedAt: record.createdAt, cluster: record.cluster });
      res.status(STATUS.ok).set('Content-Security-Policy', REPORT_CSP_HEADER).type('text/html; charset=utf-8').send(html);
    },
  };
}

async function findAudit(deps: AppDeps, res: Response): Promise<AuditRecord> {
  const id = auditId(res);
  const record = await deps.store.get(id);
  if (!record) throw notFound(id);
  return record;
}

function auditId(res: Response): string {
  return String(requestState(res).params?.id);
}

function notFound(id: string): HttpProblem {
  return new HttpProblem('not-found', `no audit with id ${id}`);
}
