import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { MATRIX_CSS, renderReportMatrixSvg } from '../../report/render-svg.js';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import { HttpProblem } from '../problems.js';
import { requestState } from '../request-state.js';

/** The SVG's own <style> element, admitted by hash; nothing else may load or run. */
export const MATRIX_CSP_HEADER = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(MATRIX_CSS, 'utf8').digest('base64')}'; frame-ancestors 'none'`;

export function matrixRoutes(deps: AppDeps): HandlerTable {
  return {
    async getAuditMatrixSvg(_req: Request, res: Response) {
      const id = String(requestState(res).params?.id);
      const record = await deps.store.get(id);
      if (!record) throw new HttpProblem('not-found', `no audit with id ${id}`);
      if (!record.report.matrix) {
        throw new HttpProblem('matrix-missing', `audit ${id} was stored before reports carried the verdict matrix; audit again to get one`);
      }
      const title = `sgaudit${record.cluster ? ` ${record.cluster}` : ''} ${record.createdAt}: ${record.report.summary.blocked} blocked, ${record.report.summary.unknown} unknown of ${record.report.summary.directedPairs} directed pairs`;
      const svg = renderReportMatrixSvg(record.report, { title });
      res.status(STATUS.ok).set('Content-Security-Policy', MATRIX_CSP_HEADER).type('image/svg+xml; charset=utf-8').send(svg);
    },
  };
}
