import type { Evaluation } from '../evaluate/types.js';
import type { FlannelConfig } from '../model/cluster.js';
import type { Requirement } from '../../rules/requirement.js';
import type { AuditReport, ReportNode, ReportRequirement } from './contract.js';
import { compareText } from './order.js';

export function reportRequirement(r: Requirement): ReportRequirement {
  const base = { id: r.id, kind: r.kind, backend: r.backend, title: r.title, description: r.description, docUrl: r.docUrl };
  if (r.kind !== 'flow') return base;
  return {
    ...base,
    protocol: r.protocol.name,
    ...(r.protocol.number !== undefined ? { protocolNumber: r.protocol.number } : {}),
    ...(r.fromPort !== undefined ? { fromPort: r.fromPort } : {}),
    ...(r.toPort !== undefined ? { toPort: r.toPort } : {}),
    family: r.family,
    source: r.source,
    destination: r.destination,
  };
}

/** The flow requirement that carries the overlay: the first VTEP-to-VTEP flow with a port. */
export function mainFlowPort(requirements: readonly Requirement[]): number | undefined {
  const flows = requirements.filter((r) => r.kind === 'flow');
  const overlay = flows.find((r) => r.source === 'node-vtep' && r.destination === 'node-vtep' && r.fromPort !== undefined)
    ?? flows.find((r) => r.fromPort !== undefined);
  return overlay?.kind === 'flow' ? overlay.fromPort : undefined;
}

export function flannelSection(flannel: FlannelConfig, requirements: readonly Requirement[]): AuditReport['flannel'] {
  const port = mainFlowPort(requirements);
  const backend = flannel.backend;
  const notes: string[] = [];
  const origin = flannel.origin;
  switch (origin.kind) {
    case 'configmap': {
      const name = origin.namespace && origin.name ? `${origin.namespace}/${origin.name}` : (origin.name ?? 'flannel ConfigMap');
      notes.push(`Configuration read from ConfigMap ${name} (${origin.source.document}).`);
      break;
    }
    case 'net-conf':
      notes.push(`Configuration read from net-conf.json (${origin.source.document}).`);
      break;
    case 'node-annotations':
      notes.push(origin.note);
      break;
  }
  if (backend.type === 'vxlan') {
    if (backend.port === undefined || backend.port === 0) {
      if (port !== undefined) notes.push(`VXLAN Port not set: using ${port}, the default flannel gets from the kernel.`);
    }
    if (backend.directRouting) notes.push('DirectRouting is on: peers in the same subnet exchange unencapsulated pod traffic.');
  }
  return {
    backend: backend.type,
    ...(port !== undefined ? { port } : {}),
    ...(flannel.network !== undefined ? { network: flannel.network } : {}),
    origin: origin.kind,
    notes,
  };
}

export function reportNodes(evaluation: Evaluation): ReportNode[] {
  const classOf = new Map<string, number>();
  for (const c of evaluation.classes) for (const m of c.members) classOf.set(m.node.name, c.id);
  return evaluation.nodes
    .map(({ node, binding }): ReportNode => {
      const bound = binding.kind === 'bound' ? binding : undefined;
      return {
        name: node.name,
        vtepIp: node.vtepIp ?? null,
        vtepSource: node.vtepSource,
        podCidrs: [...node.podCidrs],
        interfaceId: bound?.iface.id ?? null,
        subnetId: bound?.subnetId ?? null,
        securityGroupIds: bound ? [...bound.iface.securityGroupIds] : [],
        class: classOf.get(node.name) ?? null,
        ...(binding.kind === 'unbound' ? { unboundReason: binding.reason } : {}),
      };
    })
    .sort((a, b) => compareText(a.name, b.name));
}
