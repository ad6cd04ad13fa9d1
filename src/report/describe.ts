import type { Evaluation, NodeClass } from '../evaluate/types.js';
import type { FlannelConfig } from '../model/cluster.js';
import type { Requirement } from '../model/requirement.js';
import type { AuditReport, ReportNode, ReportRequirement } from '../model/report.js';
import { compareText } from '../findings/order.js';

export function reportRequirement(r: Requirement): ReportRequirement {
  const base = { id: r.id, kind: r.kind, backend: r.backend, title: r.title, description: r.description, docUrl: r.docUrl };
  if (r.kind !== 'flow') return base;
  return {
    ...base,
    protocol: r.protocol.name,
    ...(r.protocol.number !== undefined ? { protocolNumber: r.protocol.number } : {}),
    ...(r.fromPort !== undefined ? { fromPort: r.fromPort } : {}),
    ...(r.toPort !== undefined ? { toPort: r.toPort } : {}),
    ...(r.icmp !== undefined ? { icmp: { type: r.icmp.type, code: r.icmp.code } } : {}),
    family: r.family,
    source: r.source,
    destination: r.destination,
    ...(r.pairScope !== undefined && r.pairScope !== 'all-pairs' ? { pairScope: r.pairScope } : {}),
    ...(r.sourceRole !== undefined ? { sourceRole: r.sourceRole } : {}),
    ...(r.destinationRole !== undefined ? { destinationRole: r.destinationRole } : {}),
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
    case 'configmap':
    case 'secret': {
      const kind = origin.kind === 'secret' ? 'Secret' : 'ConfigMap';
      const name = origin.namespace && origin.name ? `${origin.namespace}/${origin.name}` : (origin.name ?? `flannel ${kind}`);
      notes.push(`Configuration read from ${kind} ${name} (${origin.source.document}).`);
      break;
    }
    case 'net-conf':
      notes.push(`Configuration read from net-conf.json (${origin.source.document}).`);
      break;
    case 'node-annotations':
      notes.push(/[.!?]$/.test(origin.note) ? origin.note : `${origin.note}.`);
      break;
  }
  if (backend.type === 'vxlan') {
    // The parser keeps Port 0 as unset: both hand the choice to the kernel.
    if (port !== undefined && backend.port === undefined) notes.push(`VXLAN Port not set: using ${port}, the default flannel gets from the kernel.`);
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

/** Which class each classified node is in, by name (a later class wins for a name listed twice). */
export interface NodeClassIndex {
  classOf: Map<string, number>;
  /** No name occurs twice among the classes' members. */
  namesDistinct: boolean;
}

export function indexNodeClasses(classes: readonly NodeClass[]): NodeClassIndex {
  const classOf = new Map<string, number>();
  let members = 0;
  for (const c of classes) {
    for (const m of c.members) classOf.set(m.node.name, c.id);
    members += c.members.length;
  }
  return { classOf, namesDistinct: classOf.size === members };
}

export function reportNodes(evaluation: Evaluation, classes: NodeClassIndex = indexNodeClasses(evaluation.classes)): ReportNode[] {
  const classOf = classes.classOf;
  const out: ReportNode[] = [];
  for (const { node, binding } of evaluation.nodes) {
    const bound = binding.kind === 'bound';
    const entry: ReportNode = {
      name: node.name,
      vtepIp: node.vtepIp ?? null,
      vtepSource: node.vtepSource,
      podCidrs: node.podCidrs.slice(),
      interfaceId: bound ? binding.iface.id : null,
      subnetId: bound ? (binding.subnetId ?? null) : null,
      securityGroupIds: bound ? binding.iface.securityGroupIds.slice() : [],
      class: classOf.get(node.name) ?? null,
    };
    if (binding.kind === 'unbound') entry.unboundReason = binding.reason;
    else if (binding.note !== undefined) entry.bindingNote = binding.note;
    out.push(entry);
  }
  return out.sort(byName);
}

const byName = (a: ReportNode, b: ReportNode): number => compareText(a.name, b.name);
