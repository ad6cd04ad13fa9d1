import { collectionIncomplete } from './collection-warnings.js';
import type { Direction } from '../model/cloud.js';
import type { AuditReport, Finding, Remediation } from '../model/report.js';
import { flowText, plural, targetText } from './report-text.js';

/** critical: some overlay pair is blocked; warning: nothing blocked but something unverified; ok: clean. */
export type TicketSeverity = 'critical' | 'warning' | 'ok';

export interface TicketEvidence {
  findingId: string;
  verdict: Finding['verdict'];
  requirement: string;
  flow: string;
  layer: Finding['layer'];
  direction?: Direction;
  /** The group set, ACL, node or interface concerned. */
  object: string;
  /** The rule that decided, as the evaluator cited it. */
  rule?: string;
  /** The closest rules and why each one does not match. */
  nearest: string[];
  reason: string;
  pairCount: number;
  /** With live probes: whether the data plane agrees with this finding, and why. */
  confirmation?: NonNullable<Finding['confirmation']>;
  confirmationReason?: string;
  /** The probed pairs behind the confirmation, as `source -> destination: verdict`. */
  probed?: string[];
}

export interface TicketRule {
  remediationId: string;
  provider: Remediation['provider'];
  target: string;
  direction: Direction;
  flow: string;
  cidr: string;
  ruleNumber?: number;
  findingIds: string[];
  pairCount: number;
  notes: string[];
}

export interface TicketCommand {
  remediationId: string;
  cli: string;
  terraform: string;
  alternative?: { groupId: string; cli: string; terraform: string };
}

/** The structured part of a ticket; ticket.ts adds the Markdown rendering. */
export interface TicketData {
  title: string;
  severity: TicketSeverity;
  summary: string;
  evidence: TicketEvidence[];
  rules: TicketRule[];
  commands: TicketCommand[];
}

export function ticketSeverity(report: AuditReport): TicketSeverity {
  if (report.summary.blocked > 0) return 'critical';
  if (report.summary.unknown > 0 || collectionIncomplete(report)) return 'warning';
  return 'ok';
}

export function ticketTitle(report: AuditReport): string {
  const s = report.summary;
  const overlay = ticketOverlay(report);
  if (s.blocked > 0) return `sgaudit: ${overlay} traffic blocked for ${s.blocked} of ${s.directedPairs} node pairs`;
  if (s.unknown > 0) return `sgaudit: ${overlay} traffic unverified for ${s.unknown} of ${s.directedPairs} node pairs`;
  return `sgaudit: ${overlay} traffic allowed for all ${plural(s.directedPairs, 'node pair')}`;
}

/** `flannel vxlan (port 8472)`, `canal flannel vxlan (port 8472)`, or `calico` / `cilium` (their summary is long for a title). */
function ticketOverlay(report: AuditReport): string {
  const f = report.flannel;
  const flannel = f ? `flannel ${f.backend}${f.port !== undefined ? ` (port ${f.port})` : ''}` : undefined;
  const name = report.cni?.name ?? 'flannel';
  if (name === 'flannel') return flannel ?? 'flannel';
  return flannel ? `${name} ${flannel}` : name;
}

export function ticketSummary(report: AuditReport): string {
  const s = report.summary;
  const findings = plural(report.findings.length, 'finding');
  const rules = plural(report.remediations.length, 'rule');
  return `${plural(s.nodes, 'node')} (${plural(s.classes, 'class', 'classes')}), ${plural(s.directedPairs, 'directed pair')}: ${s.allowed} allowed, ${s.blocked} blocked, ${s.unknown} unknown. ${findings}; ${rules} to add.`;
}

export function ticketData(report: AuditReport): TicketData {
  return {
    title: ticketTitle(report),
    severity: ticketSeverity(report),
    summary: ticketSummary(report),
    evidence: report.findings.map(toEvidence),
    rules: report.remediations.map(toRule),
    commands: report.remediations.map(toCommand),
  };
}

function toEvidence(f: Finding): TicketEvidence {
  const e = f.evidence[0];
  return {
    findingId: f.id,
    verdict: f.verdict,
    requirement: f.requirement,
    flow: flowText(f),
    layer: f.layer,
    ...(f.direction ? { direction: f.direction } : {}),
    object: targetText(f.target),
    ...(e?.decidingRule ? { rule: `${e.decidingRule.ruleId}: ${e.decidingRule.text}` } : {}),
    nearest: (e?.nearest ?? []).map((n) => `${n.rule.ruleId} (${n.rule.text}): ${n.mismatch}`),
    reason: f.reason,
    pairCount: f.pairCount,
    ...(f.confirmation !== undefined ? { confirmation: f.confirmation } : {}),
    ...(f.confirmationReason !== undefined ? { confirmationReason: f.confirmationReason } : {}),
    ...(f.probes && f.probes.length > 0 ? { probed: f.probes.map((p) => `${p.sourceNode} -> ${p.destinationNode}: ${p.verdict}`) } : {}),
  };
}

function toRule(r: Remediation): TicketRule {
  return {
    remediationId: r.id,
    provider: r.provider,
    target: targetText(r.target),
    direction: r.direction,
    flow: flowText(r),
    cidr: r.cidr,
    ...(r.ruleNumber !== undefined ? { ruleNumber: r.ruleNumber } : {}),
    findingIds: r.findingIds,
    pairCount: r.pairCount,
    notes: r.notes,
  };
}

function toCommand(r: Remediation): TicketCommand {
  return {
    remediationId: r.id,
    cli: r.commands.cli,
    terraform: r.commands.terraform,
    ...(r.alternative
      ? { alternative: { groupId: r.alternative.groupId, cli: r.alternative.commands.cli, terraform: r.alternative.commands.terraform } }
      : {}),
  };
}
