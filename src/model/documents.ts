import type { Cloud, Unavailable } from './cloud.js';
import type { CniChoice, RequirementOptions } from './cni.js';
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
  /** Documents given as flannel's configuration (`--flannel`, `inputs.flannel`); CNI detection reads them with `cni`. */
  flannel: RawDocument[];
  /**
   * Every other CNI document (`--cni-config`, `inputs.cni`, or read live): calico-config,
   * cilium-config, canal-config, IPPools, the operator's Installation, DaemonSets, … Detection
   * reads `flannel` and `cni` as one list; none at all leaves only the node annotations as evidence.
   */
  cni?: RawDocument[];
  /** `--cni` / `options.cni`: a CNI name, or `auto` (the default) to detect it. */
  cniChoice?: CniChoice;
  /** Requirement groups beyond the CNI's own (`--control-plane`); all off by default. */
  requirementOptions?: RequirementOptions;
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
