import type { ClusterNode } from '../../src/model/cluster.js';
import type { CniChoice, CniConfig, CniDetection } from '../../src/model/cni.js';
import type { RawDocument } from '../../src/model/documents.js';
import { IssueCollector } from '../../src/model/issues.js';
import type { Warning } from '../../src/model/source.js';
import { plainIpFamily } from '../../src/model/cidr.js';
import { cniObjects } from './cni-documents.js';
import { cluesFrom, decide } from './cni-detect.js';
import { flannelFamilyConfig } from './cni-flannel.js';
import { parseCalico } from './calico-config.js';
import { parseCilium } from './cilium-config.js';
import { CALICO_ANNOTATION } from './cni-node-marks.js';

export interface CniTranslation {
  cni: CniConfig;
  detection: CniDetection;
  /** The input nodes (copies) with vtepIp/vtepSource set to the tunnel address the CNI uses, and Typha roles. */
  nodes: ClusterNode[];
  warnings: Warning[];
}

/** What detection looks for, named in the error when nothing is found. */
const LOOKED_FOR =
  'ConfigMaps kube-flannel-cfg, canal-config, calico-config, cilium-config; Secret rke2-canal-config; Installation, IPPool, FelixConfiguration, BGPConfiguration; DaemonSets calico-node, canal, cilium, kube-flannel-ds; node annotations flannel.alpha.coreos.com/*, projectcalico.org/*, io.cilium.*, k3s.io/*, rke2.io/*';

/**
 * Detects (choice `auto`) or takes the CNI, and reads its effective configuration from the
 * cluster's own documents (docs/cni.md). Throws one InputError with every unusable field.
 */
export function translateCni(documents: RawDocument[], nodes: ClusterNode[], choice: CniChoice): CniTranslation {
  const issues = new IssueCollector();
  const objects = cniObjects(documents, issues);
  const decision = decide(cluesFrom(objects, nodes), choice);
  if (!decision) {
    issues.problem(
      '--cni',
      '',
      `cannot tell which CNI the cluster runs: no evidence found (looked for ${LOOKED_FOR}); pass --cni <flannel|canal|k3s|rke2|calico|cilium> or the CNI's documents`,
      'auto',
    );
    issues.throwIfProblems();
  }
  const { name, family, evidence, conflicts } = decision!;
  for (const c of conflicts) issues.warn('cni-evidence-conflict', `${name} ${choice === 'auto' ? 'detected' : 'given'}, but ${c}`);

  let cni: CniConfig | undefined;
  let typhaNodes: string[] | undefined;
  if (family === 'flannel') {
    const flannel = flannelFamilyConfig(name, objects, nodes, issues);
    if (flannel) cni = { name: name as 'flannel' | 'canal' | 'k3s' | 'rke2', flannel };
  } else if (family === 'calico') {
    const parsed = parseCalico(objects, nodes, issues);
    typhaNodes = parsed.typhaNodes;
    cni = decision!.distribution ? { name: 'calico', calico: parsed.calico, distribution: decision!.distribution } : { name: 'calico', calico: parsed.calico };
  } else {
    cni = { name: 'cilium', cilium: parseCilium(objects, issues) };
  }
  issues.throwIfProblems();

  const outNodes = nodes.map((n) => withVtep(n, family, issues));
  if (typhaNodes) {
    const typha = new Set(typhaNodes);
    for (const n of outNodes) if (typha.has(n.name)) n.roles = [...(n.roles ?? []).filter((r) => r !== 'typha'), 'typha'];
  }
  return {
    cni: cni!,
    detection: { how: choice === 'auto' ? 'detected' : 'given', evidence, conflicts },
    nodes: outNodes,
    warnings: issues.warnings,
  };
}

/** The node's tunnel address as its CNI picks it. The flannel family keeps translate-nodes' public-ip reading. */
function withVtep(node: ClusterNode, family: 'flannel' | 'calico' | 'cilium', issues: IssueCollector): ClusterNode {
  const out: ClusterNode = { ...node, ...(node.roles && { roles: [...node.roles] }) };
  if (family === 'flannel') return out;
  delete out.vtepIp;
  delete out.vtepIpv6;
  const internalV4 = node.internalIp !== undefined && plainIpFamily(node.internalIp) === 4 ? node.internalIp : undefined;
  if (family === 'calico') {
    if (node.calicoIpv6Address) out.vtepIpv6 = node.calicoIpv6Address.split('/')[0]!;
    if (node.calicoIpv4Address) {
      out.vtepIp = node.calicoIpv4Address.split('/')[0]!;
      out.vtepSource = 'calico-ipv4-address-annotation';
      return out;
    }
    if (internalV4) {
      out.vtepIp = internalV4;
      out.vtepSource = 'internal-ip';
      // Felix falls back to the InternalIP when calico-node has not written its BGP address.
      issues.warn('vtep-from-internal-ip', `node ${JSON.stringify(node.name)} has no ${CALICO_ANNOTATION.ipv4Address} annotation; using its InternalIP ${internalV4}, as Felix does`, node.source);
      return out;
    }
  } else if (internalV4) {
    out.vtepIp = internalV4;
    out.vtepSource = 'cilium-node-ip';
    return out;
  }
  out.vtepSource = 'none';
  issues.warn('vtep-unknown', `node ${JSON.stringify(node.name)} has no ${family === 'calico' ? `${CALICO_ANNOTATION.ipv4Address} annotation and no ` : ''}IPv4 InternalIP; its flows cannot be checked`, node.source);
  return out;
}
