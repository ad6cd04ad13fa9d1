import type { Cloud, CloudObjectKind } from '../model/cloud.js';
import { emptyCloud } from '../model/cloud.js';
import type { ClusterNode, FlannelConfig } from '../model/cluster.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Warning } from '../model/source.js';
import type { Requirement } from '../model/requirement.js';
import type { AuditInputs, CloudTranslation, RawDocument } from '../model/documents.js';
import { IssueCollector } from '../model/issues.js';
import { translateNodes } from '../../providers/kubernetes/translate-nodes.js';
import { translateFlannel } from '../../providers/kubernetes/translate-flannel.js';
import { translateAwsDocuments } from '../../providers/aws/translate.js';
import { translateOpenstackDocuments } from '../../providers/openstack/translate.js';
import { requirementsFor } from '../../rules/catalog.js';

/**
 * Turns every native document of an audit into the one normalized snapshot the evaluator reads,
 * plus the requirements of the effective flannel config. Each translator runs even when an
 * earlier one failed, so one InputError lists every input problem at once.
 */
export function buildSnapshot(inputs: AuditInputs): { snapshot: Snapshot; requirements: Requirement[] } {
  const issues = new IssueCollector();

  const nodes = issues.absorb(() => translateNodes(inputs.nodes));
  if (nodes && nodes.nodes.length === 0) {
    issues.problem(inputs.nodes[0]?.name ?? '--nodes', '', inputs.nodes.length === 0 ? 'no node documents given; pass kubectl get nodes -o json' : 'the node documents contain no nodes');
  }
  // Without usable nodes the annotation fallback has nothing to read; a given ConfigMap can still be checked.
  const usable = nodes && nodes.nodes.length > 0 ? nodes.nodes : undefined;
  const flannel = usable || inputs.flannel.length > 0 ? issues.absorb(() => translateFlannel(inputs.flannel, usable ?? [])) : undefined;
  const aws = translateCloud(inputs.aws, translateAwsDocuments, issues);
  const openstack = translateCloud(inputs.openstack, translateOpenstackDocuments, issues);
  issues.throwIfProblems();

  const clusterNodes: ClusterNode[] = nodes!.nodes;
  const flannelConfig: FlannelConfig = flannel!.flannel;
  const catalog = requirementsFor(flannelConfig, clusterNodes);
  const cloud = mergeClouds([aws!.cloud, openstack!.cloud]);
  cloud.unavailable.push(...inputs.unavailable);
  const warnings: Warning[] = [
    ...(inputs.warnings ?? []),
    ...nodes!.warnings,
    ...flannel!.warnings,
    ...catalog.warnings,
    ...aws!.warnings,
    ...openstack!.warnings,
  ];
  return {
    snapshot: { cluster: { nodes: clusterNodes, flannel: flannelConfig }, cloud, warnings },
    requirements: catalog.requirements,
  };
}

function translateCloud(docs: RawDocument[], translate: (docs: RawDocument[]) => CloudTranslation, issues: IssueCollector): CloudTranslation | undefined {
  // No documents means that cloud is not part of this audit; its translator has nothing to say.
  if (docs.length === 0) return { cloud: emptyCloud(), warnings: [] };
  return issues.absorb(() => translate(docs));
}

export function mergeClouds(clouds: Cloud[]): Cloud {
  const merged = emptyCloud();
  const kinds = new Set<CloudObjectKind>();
  for (const c of clouds) {
    merged.interfaces.push(...c.interfaces);
    merged.securityGroups.push(...c.securityGroups);
    merged.networkAcls.push(...c.networkAcls);
    merged.subnets.push(...c.subnets);
    merged.prefixLists.push(...c.prefixLists);
    merged.addressGroups.push(...c.addressGroups);
    merged.unavailable.push(...c.unavailable);
    for (const k of c.providedKinds) kinds.add(k);
  }
  merged.providedKinds = [...kinds];
  return merged;
}
