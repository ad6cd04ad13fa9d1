/**
 * A posted audit or what-if body, after schema validation, as the pipeline's arguments. Used by
 * the audit worker, which reads these bodies (posted-body.ts).
 */
import type { AuditInputs } from '../model/documents.js';
import { DEFAULT_MAX_PAIRS } from '../model/report.js';
import type { WhatifProposal } from '../inputs/proposal.js';
import type { RequestOptions } from './audit-task.js';
import { auditInputsFromRequest, type RequestInputs } from './request-inputs.js';

export interface AuditRequestBody {
  inputs: RequestInputs;
  options?: { maxPairs?: number; cluster?: string };
}

export interface WhatifRequestBody {
  inputs: RequestInputs;
  terraformPlan?: object;
  proposed?: { aws?: object[]; openstack?: object[] };
  options?: { maxPairs?: number };
}

export function auditRequest(body: AuditRequestBody): { inputs: AuditInputs; options: RequestOptions } {
  return { inputs: auditInputsFromRequest(body.inputs), options: { maxPairs: body.options?.maxPairs ?? DEFAULT_MAX_PAIRS, cluster: body.options?.cluster ?? null } };
}

export function whatifRequest(body: WhatifRequestBody): { inputs: AuditInputs; proposal: WhatifProposal; options: RequestOptions } {
  return { inputs: auditInputsFromRequest(body.inputs), proposal: proposalOf(body), options: { maxPairs: body.options?.maxPairs ?? DEFAULT_MAX_PAIRS, cluster: null } };
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
