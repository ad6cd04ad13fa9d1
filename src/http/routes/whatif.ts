import type { Request, Response } from 'express';
import { evaluatePostedWhatif } from '../audit-pool-request.js';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import { inputErrorProblem } from '../problems.js';
import { postedBodyBytes } from '../validate.js';
import { REPORT_CSP_HEADER } from '../../report/html-assets.js';

export function whatifRoutes(deps: AppDeps): HandlerTable {
  return {
    async createWhatif(req: Request, res: Response) {
      // A browser (or anyone whose Accept ranks text/html above JSON) gets the HTML report; JSON wins ties and */*.
      const wantsHtml = req.accepts(['application/json', 'text/html']) === 'text/html';
      // The body's bytes go to a worker, which reads the request (posted-request.ts), evaluates it and renders the page.
      const evaluation = await evaluatePostedWhatif(deps, res, postedBodyBytes(req), wantsHtml ? { version: deps.spec.doc.info.version } : undefined);
      switch (evaluation.kind) {
        case 'cancelled':
          return;
        case 'invalid-input':
          throw inputErrorProblem(evaluation.error);
        case 'too-large':
          throw evaluation.problem;
        case 'evaluated':
          res.vary('Accept');
          if (wantsHtml) {
            if (evaluation.report.html === undefined) throw new Error('the audit worker answered a text/html what-if without its page');
            res.status(STATUS.ok).set('Content-Security-Policy', REPORT_CSP_HEADER).type('text/html; charset=utf-8').send(evaluation.report.html);
            return;
          }
          // The worker's JSON text goes out as it is: a large what-if is not stringified again here.
          res.status(STATUS.ok).type('application/json').send(evaluation.report.json);
      }
    },
  };
}
