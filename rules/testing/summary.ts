import type { ClusterNode, NodeRole } from '../../src/model/cluster.js';
import type { Requirement } from '../../src/model/requirement.js';

/** Compact view of a requirement for tables in tests: id, kind, protocol/ports, endpoints, family, scope, roles. */
export function summary(r: Requirement): string {
  if (r.kind !== 'flow') return `${r.id} ${r.kind}`;
  const ports = r.fromPort === undefined ? '' : r.fromPort === r.toPort ? `/${r.fromPort}` : `/${r.fromPort}-${r.toPort}`;
  const roles = r.sourceRole || r.destinationRole ? ` ${r.sourceRole ?? '*'}=>${r.destinationRole ?? '*'}` : '';
  return `${r.id} ${r.protocol.name}${r.protocol.number === undefined ? '' : `(${r.protocol.number})`}${ports} ${r.source}->${r.destination} v${r.family} ${r.pairScope ?? 'all-pairs'}${roles}`;
}

/** A Linux node for rule tests; only name, roles and addresses matter to rule sets. */
export function ruleNode(name: string, over: Partial<ClusterNode> & { roles?: NodeRole[] } = {}): ClusterNode {
  return { name, os: 'linux', vtepIp: '10.0.0.1', vtepSource: 'internal-ip', podCidrs: ['10.244.1.0/24'], source: { document: 'nodes.json', pointer: `/items/${name}` }, ...over };
}
