import { emptyInputs, type AuditInputs, type RawDocument } from '../model/documents.js';

/** `inputs` of an audit or what-if request, after schema validation. */
export interface RequestInputs {
  nodes: object | object[];
  flannel?: object | object[];
  /** Every other CNI document (calico-config, cilium-config, IPPools, …); read with `flannel`. */
  cni?: object | object[];
  aws?: object[];
  openstack?: object[];
}

/**
 * Names each posted document by its JSON pointer in the request (`/inputs/aws/2`), so every
 * InputError and every evidence SourceRef the core produces points into the request body.
 */
export function auditInputsFromRequest(inputs: RequestInputs, base = '/inputs'): AuditInputs {
  const out = emptyInputs();
  out.nodes = documents(inputs.nodes, `${base}/nodes`);
  out.flannel = inputs.flannel === undefined ? [] : documents(inputs.flannel, `${base}/flannel`);
  if (inputs.cni !== undefined) out.cni = documents(inputs.cni, `${base}/cni`);
  out.aws = documents(inputs.aws ?? [], `${base}/aws`);
  out.openstack = documents(inputs.openstack ?? [], `${base}/openstack`);
  return out;
}

function documents(value: object | object[], pointer: string): RawDocument[] {
  if (!Array.isArray(value)) return [{ name: pointer, body: value }];
  return value.map((body, i) => ({ name: `${pointer}/${i}`, body }));
}
