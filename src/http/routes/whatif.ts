import type { Request, Response } from 'express';
import { evaluatePostedWhatif } from '../audit-pool-request.js';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import { inputErrorProblem } from '../problems.js';
import { postedBodyBytes } from '../validate.js';

export function whatifRoutes(deps: AppDeps): HandlerTable {
  return {
    async createWhatif(req: Request, res: Response) {
      // The body's bytes go to a worker, which reads the request (posted-request.ts) and evaluates it.
      const evaluation = await evaluatePostedWhatif(deps, res, postedBodyBytes(req));
      switch (evaluation.kind) {
        case 'cancelled':
          return;
        case 'invalid-input':
          throw inputErrorProblem(evaluation.error);
        case 'too-large':
          throw evaluation.problem;
        case 'evaluated':
          // The worker's JSON text goes out as it is: a large what-if is not stringified again here.
          res.status(STATUS.ok).type('application/json').send(evaluation.report.json);
      }
    },
  };
}
