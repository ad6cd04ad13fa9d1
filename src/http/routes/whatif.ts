import type { Request, Response } from 'express';
import { DEFAULT_MAX_PAIRS } from '../../model/report.js';
import { InputError } from '../../model/source.js';
import type { WhatifProposal } from '../../inputs/proposal.js';
import { evaluateWhatif } from '../audit-pool-request.js';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import { inputErrorProblem } from '../problems.js';
import { auditInputsFromRequest, type RequestInputs } from '../request-inputs.js';

interface WhatifRequestBody {
  inputs: RequestInputs;
  terraformPlan?: object;
  proposed?: { aws?: object[]; openstack?: object[] };
  options?: { maxPairs?: number };
}

/** Documents named by their request pointers, like the audit inputs, so errors point into the body. */
function proposalOf(body: WhatifRequestBody): WhatifProposal {
  if (body.terraformPlan !== undefined) return { terraformPlan: { name: '/terraformPlan', body: body.terraformPlan } };
  const p = body.proposed ?? {};
  return {
    proposed: {
      aws: (p.aws ?? []).map((d, i) => ({ name: `/proposed/aws/${i}`, body: d })),
      openstack: (p.openstack ?? []).map((d, i) => ({ name: `/proposed/openstack/${i}`, body: d })),
    },
  };
}

export function whatifRoutes(deps: AppDeps): HandlerTable {
  return {
    async createWhatif(req: Request, res: Response) {
      const body = req.body as WhatifRequestBody;
      let evaluated;
      try {
        evaluated = await evaluateWhatif(deps, res, { inputs: auditInputsFromRequest(body.inputs), proposal: proposalOf(body), maxPairs: body.options?.maxPairs ?? DEFAULT_MAX_PAIRS });
      } catch (e) {
        if (e instanceof InputError) throw inputErrorProblem(e);
        throw e;
      }
      // The worker's JSON text goes out as it is: a large what-if is not stringified again here.
      if (evaluated) res.status(STATUS.ok).type('application/json').send(evaluated.json);
    },
  };
}
