import type { Cloud, Unavailable } from './cloud.js';
import type { Warning } from './source.js';

/**
 * One native document as the user or a live provider has it: the body of
 * `kubectl get nodes -o json`, `aws ec2 describe-security-groups`, a Neutron
 * `{"ports": [...]}` response, … `name` is the file path or request pointer used in messages.
 */
export interface RawDocument {
  name: string;
  body: unknown;
}

/**
 * Everything an audit reads. The CLI fills this from files, the REST API from the
 * request body, and the live providers from API calls; all three share one translation path.
 */
export interface AuditInputs {
  nodes: RawDocument[];
  /** Empty: flannel config comes from node annotations and flannel's defaults. */
  flannel: RawDocument[];
  aws: RawDocument[];
  openstack: RawDocument[];
  /** Collection failures reported by live providers; they turn affected pairs `unknown`. */
  unavailable: Unavailable[];
  /** Notes from collection (e.g. which flannel ConfigMaps were tried), carried into the report. */
  warnings?: Warning[];
}

export function emptyInputs(): AuditInputs {
  return { nodes: [], flannel: [], aws: [], openstack: [], unavailable: [] };
}

/**
 * What a cloud translator returns for a set of native documents. `cloud.providedKinds`
 * lists the kinds of object the documents contained, so the evaluator can tell
 * "no such object" from "not exported".
 */
export interface CloudTranslation {
  cloud: Cloud;
  warnings: Warning[];
}
