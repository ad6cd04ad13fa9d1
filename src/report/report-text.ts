import type { AuditReport, Finding, PairRef, Remediation } from '../model/report.js';

/** Small phrases shared by the table, markdown and ticket renderers. */

export function flowText(f: Pick<Finding, 'protocol' | 'fromPort' | 'toPort'>): string {
  if (f.protocol === undefined) return '';
  if (f.protocol === 'any') return 'all traffic';
  if (f.fromPort === undefined) return f.protocol;
  return f.toPort === undefined || f.toPort === f.fromPort ? `${f.protocol} ${f.fromPort}` : `${f.protocol} ${f.fromPort}-${f.toPort}`;
}

export function targetText(t: Finding['target'] | Remediation['target'] | undefined): string {
  if (!t) return '';
  if (t.kind === 'security-groups') return t.name ?? t.id;
  return t.name ? `${t.id} (${t.name})` : t.id;
}

export function pairText(p: PairRef, arrow = '->'): string {
  const s = p.sourceIp ? `${p.sourceNode} (${p.sourceIp})` : p.sourceNode;
  const d = p.destinationIp ? `${p.destinationNode} (${p.destinationIp})` : p.destinationNode;
  return `${s} ${arrow} ${d}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `add ingress udp 8472 from 172.16.10.0/24 to sg-0a1 (k8s-nodes)` */
export function remediationText(r: Remediation): string {
  const flow = flowText(r);
  const peer = r.direction === 'ingress' ? `from ${r.cidr}` : `to ${r.cidr}`;
  if (r.target.kind === 'network-acl') {
    return `allow entry #${r.ruleNumber} ${r.direction === 'ingress' ? 'inbound' : 'outbound'} ${flow} ${peer} in ${r.target.id}`;
  }
  return `${r.direction} rule ${flow} ${peer} in ${targetText(r.target)}`;
}

/**
 * What carries pod traffic: `flannel vxlan (port 8472)` for flannel itself (as before CNI
 * detection), else the CNI's one-line summary (`calico: BGP on (tcp 179), IPPool …`).
 */
export function overlayText(report: AuditReport): string {
  const f = report.flannel;
  if (f && (report.cni === undefined || report.cni.name === 'flannel')) {
    return `flannel ${f.backend}${f.port !== undefined ? ` (port ${f.port})` : ''}`;
  }
  return report.cni?.summary ?? 'CNI not recorded in this report';
}

export function summaryLine(report: AuditReport): string {
  const s = report.summary;
  return `${plural(s.nodes, 'node')} in ${plural(s.classes, 'class', 'classes')}, ${plural(s.directedPairs, 'directed pair')}: ${s.allowed} allowed, ${s.blocked} blocked, ${s.unknown} unknown`;
}

/** audit --probe: one line on what the live probes did; undefined for a config-only audit. */
export function probeSummaryText(report: AuditReport): string | undefined {
  const p = report.probe;
  if (!p) return undefined;
  return `live probes: ${plural(p.pairsProbed, 'pair')} probed (${p.allowedPairsSampled} config-allowed sampled); findings ${p.confirmed} confirmed, ${p.contradicted} contradicted, ${p.notProbed} not probed; ${plural(p.contradictionFindings, 'contradiction finding')}`;
}

/** audit --probe: what the probes said about one finding; undefined when it was not run through them. */
export function confirmationText(f: Finding): string | undefined {
  if (!f.confirmation) return undefined;
  const kind = f.contradiction ? ` (contradiction: ${f.contradiction})` : '';
  return `probe ${f.confirmation}${kind}${f.confirmationReason ? `: ${f.confirmationReason}` : ''}`;
}

export function remediationsFor(report: AuditReport, findingId: string): Remediation[] {
  return report.remediations.filter((r) => r.findingIds.includes(findingId));
}
