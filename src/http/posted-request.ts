/**
 * A posted audit or what-if body, after schema validation, as the pipeline's arguments. Used by
 * the audit worker, which reads these bodies (posted-body.ts).
 */
import type { AuditInputs } from '../model/documents.js';
import type { CniChoice } from '../model/cni.js';
import { DEFAULT_MAX_PAIRS } from '../model/report.js';
import type { WhatifProposal } from '../inputs/proposal.js';
import type { RequestOptions } from './audit-task.js';
import { auditInputsFromRequest, type RequestInputs } from './request-inputs.js';

/** `options.cni` and `options.controlPlane`, shared by audit and what-if bodies. */
export interface CniRequestOptions {
  cni?: CniChoice;
  controlPlane?: boolean;
}

export interface AuditRequestBody {
  inputs: RequestInputs;
  options?: { maxPairs?: number; cluster?: string } & CniRequestOptions;
}

export interface WhatifRequestBody {
  inputs: RequestInputs;
  terraformPlan?: object;
  proposed?: { aws?: object[]; openstack?: object[] };
  options?: { maxPairs?: number } & CniRequestOptions;
}

export function auditRequest(body: AuditRequestBody): { inputs: AuditInputs; options: RequestOptions } {
  return { inputs: withCniOptions(auditInputsFromRequest(body.inputs), body.options), options: { maxPairs: body.options?.maxPairs ?? DEFAULT_MAX_PAIRS, cluster: body.options?.cluster ?? null } };
}

export function whatifRequest(body: WhatifRequestBody): { inputs: AuditInputs; proposal: WhatifProposal; options: RequestOptions } {
  return { inputs: withCniOptions(auditInputsFromRequest(body.inputs), body.options), proposal: proposalOf(body), options: { maxPairs: body.options?.maxPairs ?? DEFAULT_MAX_PAIRS, cluster: null } };
}

/** The schema has checked the values; absent options keep the pipeline's defaults (auto, no control plane). */
export function withCniOptions(inputs: AuditInputs, options: CniRequestOptions | undefined): AuditInputs {
  if (options?.cni !== undefined) inputs.cniChoice = options.cni;
  if (options?.controlPlane === true) inputs.requirementOptions = { controlPlane: true };
  return inputs;
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
