import type { NodeRole } from '../src/model/cluster.js';
import type { Requirement } from '../src/model/requirement.js';
import type { Warning } from '../src/model/source.js';
import { TCP, cniFlow, familyId, nodeAddress, type CniRuleContext, type CniRuleSet, type Origin } from './rule-set.js';

/** kubernetes.io "Ports and Protocols": 6443 to the control plane, 10250 to every kubelet, 2379-2380 between etcd members. */
const PORTS_DOC = 'https://kubernetes.io/docs/reference/networking/ports-and-protocols/';
/** RKE2 "Inbound Network Rules": TCP 9345 (supervisor API) from every node to the server nodes. */
const RKE2_DOC = 'https://docs.rke2.io/install/requirements#inbound-network-rules';

export const API_SERVER_PORT = 6443;
export const KUBELET_PORT = 10250;
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
export const RKE2_SUPERVISOR_PORT = 9345;

/** What the control-plane flows depend on beyond the nodes. */
export interface ControlPlaneConfig {
  /** The family of the node addresses the control plane talks over: IPv4 unless the cluster runs IPv6 only. */
  family: 4 | 6;
  /** RKE2 servers also run the supervisor on 9345. */
  rke2: boolean;
}

const origin = (docUrl: string = PORTS_DOC): Origin => ({ cni: 'kubernetes', backend: 'control-plane', docUrl });

const hasRole = (ctx: CniRuleContext, role: NodeRole): boolean => ctx.nodes.some((n) => n.roles?.includes(role) ?? false);

/**
 * The etcd members: nodes labelled etcd (RKE2, k3s, kops and others label them), else the
 * control-plane nodes, where kubeadm's stacked etcd runs. An external etcd outside the cluster
 * has no node, so its flows cannot be audited.
 */
function etcdRole(ctx: CniRuleContext): NodeRole {
  return hasRole(ctx, 'etcd') ? 'etcd' : 'control-plane';
}

/**
 * The flows use the node address the CNI's tunnel uses (`node-vtep`), since that is the address
 * each node is bound to its cloud interface by; the API server, kubelet and etcd listen on the
 * InternalIP, which is the same address unless the CNI was given another one (warnings say when).
 */
export const kubernetesControlPlane: CniRuleSet<ControlPlaneConfig> = {
  name: 'kubernetes',
  docUrl: PORTS_DOC,
  ids: [
    'kubernetes-api-server', 'kubernetes-api-server-v6', 'kubernetes-kubelet', 'kubernetes-kubelet-v6',
    'kubernetes-etcd', 'kubernetes-etcd-v6', 'kubernetes-rke2-supervisor', 'kubernetes-rke2-supervisor-v6',
  ],
  ports: [API_SERVER_PORT, KUBELET_PORT, ETCD_CLIENT_PORT, ETCD_PEER_PORT, RKE2_SUPERVISOR_PORT],

  requirements(config, ctx) {
    const { family } = config;
    const ends = { family, source: nodeAddress(family), destination: nodeAddress(family) } as const;
    const etcd = etcdRole(ctx);
    const out: Requirement[] = [
      cniFlow(origin(), {
        id: familyId('kubernetes-api-server', family),
        title: `Kubernetes API server TCP ${API_SERVER_PORT} to control-plane nodes`,
        description: `kubelet and kube-proxy on every node, and the CNI's agents, call the API server on TCP ${API_SERVER_PORT} (its default secure port) of the control-plane nodes.`,
        protocol: TCP, fromPort: API_SERVER_PORT, toPort: API_SERVER_PORT, ...ends, destinationRole: 'control-plane',
      }),
      cniFlow(origin(), {
        id: familyId('kubernetes-kubelet', family),
        title: `kubelet API TCP ${KUBELET_PORT} from control-plane nodes`,
        description: `The API server reaches every node's kubelet on TCP ${KUBELET_PORT} for logs, exec, port-forward and metrics.`,
        protocol: TCP, fromPort: KUBELET_PORT, toPort: KUBELET_PORT, ...ends, sourceRole: 'control-plane',
      }),
      cniFlow(origin(), {
        id: familyId('kubernetes-etcd', family),
        title: `etcd TCP ${ETCD_CLIENT_PORT}-${ETCD_PEER_PORT} between ${etcd} nodes`,
        description: `etcd members replicate on TCP ${ETCD_PEER_PORT} and serve clients on ${ETCD_CLIENT_PORT}. ${etcd === 'etcd' ? 'Members are the nodes with the etcd role.' : 'No node has the etcd role, so the control-plane nodes are taken as the members (stacked etcd, as kubeadm sets it up).'}`,
        protocol: TCP, fromPort: ETCD_CLIENT_PORT, toPort: ETCD_PEER_PORT, ...ends, sourceRole: etcd, destinationRole: etcd,
      }),
    ];
    if (config.rke2) {
      out.push(cniFlow(origin(RKE2_DOC), {
        id: familyId('kubernetes-rke2-supervisor', family),
        title: `RKE2 supervisor TCP ${RKE2_SUPERVISOR_PORT} to server nodes`,
        description: `RKE2 agents and joining servers register with the servers' supervisor API on TCP ${RKE2_SUPERVISOR_PORT}; the server nodes are the control-plane nodes.`,
        protocol: TCP, fromPort: RKE2_SUPERVISOR_PORT, toPort: RKE2_SUPERVISOR_PORT, ...ends, destinationRole: 'control-plane',
      }));
    }
    return out;
  },

  warnings(config, ctx): Warning[] {
    const out: Warning[] = [];
    if (!hasRole(ctx, 'control-plane')) {
      out.push({ code: 'control-plane-nodes-missing', message: 'control-plane requirements were asked for, but no node carries the node-role.kubernetes.io/control-plane (or master) label, so they apply to no pair; a managed control plane (EKS, GKE, AKS, …) is outside the nodes and its rules are the provider\'s' });
    }
    const which = config.family === 4 ? 'vtepIp' : 'vtepIpv6';
    const differ = ctx.nodes.filter((n) => n.internalIp !== undefined && n.internalIp.includes(':') === (config.family === 6) && n[which] !== undefined && n.internalIp !== n[which]);
    if (differ.length > 0) {
      const shown = differ.slice(0, 5).map((n) => `${n.name} (${n.internalIp} vs ${n[which]})`).join(', ');
      out.push({ code: 'control-plane-address', message: `control-plane flows are audited on each node's tunnel address, but the InternalIP differs on ${differ.length} node${differ.length === 1 ? '' : 's'}: ${shown}${differ.length > 5 ? ', …' : ''}; the API server and kubelet may use the InternalIP instead` });
    }
    return out;
  },
};
