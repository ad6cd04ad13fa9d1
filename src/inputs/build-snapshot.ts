import type { Cloud, CloudObjectKind } from '../model/cloud.js';
import { emptyCloud } from '../model/cloud.js';
import type { Cluster, FlannelConfig } from '../model/cluster.js';
import type { CniConfig } from '../model/cni.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Warning } from '../model/source.js';
import type { Requirement } from '../model/requirement.js';
import type { AuditInputs, CloudTranslation, RawDocument } from '../model/documents.js';
import { IssueCollector } from '../model/issues.js';
import { translateNodes } from '../../providers/kubernetes/translate-nodes.js';
import { translateCni } from '../../providers/kubernetes/translate-cni.js';
import { translateAwsDocuments } from '../../providers/aws/translate.js';
import { translateOpenstackDocuments } from '../../providers/openstack/translate.js';
import { requirementsForCni } from '../../rules/catalog.js';

/**
 * Turns every native document of an audit into the one normalized snapshot the evaluator reads,
 * plus the requirements of the detected (or given) CNI. Each translator runs even when an
 * earlier one failed, so one InputError lists every input problem at once.
 */
export function buildSnapshot(inputs: AuditInputs): { snapshot: Snapshot; requirements: Requirement[] } {
  const issues = new IssueCollector();

  const nodes = issues.absorb(() => translateNodes(inputs.nodes));
  if (nodes && nodes.nodes.length === 0) {
    issues.problem(inputs.nodes[0]?.name ?? '--nodes', '', inputs.nodes.length === 0 ? 'no node documents given; pass kubectl get nodes -o json' : 'the node documents contain no nodes');
  }
  // Without usable nodes the annotations have nothing to say; given CNI documents can still be checked.
  const usable = nodes && nodes.nodes.length > 0 ? nodes.nodes : undefined;
  const cniDocuments = [...inputs.flannel, ...(inputs.cni ?? [])];
  const cni = usable || cniDocuments.length > 0 ? issues.absorb(() => translateCni(cniDocuments, usable ?? [], inputs.cniChoice ?? 'auto')) : undefined;
  const aws = translateCloud(inputs.aws, translateAwsDocuments, issues);
  const openstack = translateCloud(inputs.openstack, translateOpenstackDocuments, issues);
  issues.throwIfProblems();

  // The CNI's translation puts each node's tunnel address (Calico's IPv4Address, Cilium's node IP) in vtepIp.
  const cluster: Cluster = {
    nodes: cni!.nodes,
    cni: cni!.cni,
    detection: cni!.detection,
    ...(flannelOf(cni!.cni) && { flannel: flannelOf(cni!.cni) }),
  };
  const catalog = requirementsForCni(cluster.cni, cluster.nodes, inputs.requirementOptions ?? { controlPlane: false });
  const cloud = mergeClouds([aws!.cloud, openstack!.cloud]);
  cloud.unavailable.push(...inputs.unavailable);
  const warnings: Warning[] = [
    ...collectionWarnings(inputs.warnings ?? [], cluster.cni),
    ...nodeWarnings(nodes!.warnings, cluster.cni),
    ...cni!.warnings,
    ...catalog.warnings,
    ...aws!.warnings,
    ...openstack!.warnings,
  ];
  return {
    snapshot: { cluster, cloud, warnings },
    requirements: catalog.requirements,
  };
}

/**
 * Node translation reads addresses the way flannel does; its warnings about flannel's VTEP and
 * podCIDR say nothing true of a Calico or Cilium cluster, whose translation (translateCni)
 * warns about the address that CNI really uses.
 */
const FLANNEL_NODE_WARNINGS = new Set(['vtep-from-internal-ip', 'vtep-unknown', 'vtep-shared', 'pod-cidr-missing']);

function nodeWarnings(warnings: Warning[], cni: CniConfig): Warning[] {
  return flannelOf(cni) ? warnings : warnings.filter((w) => !FLANNEL_NODE_WARNINGS.has(w.code));
}

/**
 * A live collection looks for flannel's ConfigMap before the CNI is known; that it found none
 * matters only when flannel carries the pod traffic. Dropped otherwise, so a live audit of a
 * Calico or Cilium cluster reports what an audit of its saved documents reports.
 */
function collectionWarnings(warnings: Warning[], cni: CniConfig): Warning[] {
  return flannelOf(cni) ? warnings : warnings.filter((w) => w.code !== 'flannel-configmap-not-found');
}

/** flannel's configuration when flannel does the networking (flannel, canal, k3s, rke2's canal). */
function flannelOf(cni: CniConfig): FlannelConfig | undefined {
  return 'flannel' in cni ? cni.flannel : undefined;
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
