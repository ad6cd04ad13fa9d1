/**
 * What an audit worker is asked and what it answers, as plain JSON-able data: tasks cross a
 * thread boundary by structured clone, which keeps no class (an InputError arrives as a bare
 * Error without its problems), so every outcome is a tagged record and the main thread
 * rebuilds errors from it.
 */
import type { AuditInputs } from '../model/documents.js';
import type { PairSpec, PeerPlanSummary } from '../model/probe.js';
import type { InputProblem, Warning } from '../model/source.js';
import type { AuditCounts } from '../store/types.js';
import type { ProblemError, ProblemKind } from './problems.js';

/**
 * A posted audit or what-if: the request body as the bytes read off the socket. The ArrayBuffer
 * is transferred, not cloned (audit-pool.ts), and the worker parses and validates it, so a large
 * body costs the event loop neither a parse nor a copy of the parsed object graph.
 */
export interface PostedTask {
  kind: 'posted-audit' | 'posted-whatif';
  body: ArrayBuffer;
  reportLimitBytes: number;
  /** A what-if whose client asked for text/html: the worker renders the page too (tens of ms at 5,000 nodes), with this version in its footer. */
  renderHtml?: { version: string };
}

/** A live audit: its documents were collected on the main thread, so they travel as data. */
export interface LiveAuditTask {
  kind: 'live-audit';
  inputs: AuditInputs;
  options: RequestOptions;
  /** Collection warnings, appended to the report's own. */
  extraWarnings: Warning[];
  reportLimitBytes: number;
  /** Set when the audit is to confirm its findings with live probes, as `audit --probe` does. */
  probe?: ProbeTaskSettings;
}

/**
 * The cluster's probe settings as data. The secret crosses to the worker as bytes: the worker
 * must sign the agent calls itself, because confirmFindings runs the probes between evaluating
 * and assembling the confirmed report.
 */
export interface ProbeTaskSettings {
  agentPort: number;
  secret: Uint8Array;
  timeoutMs: number;
  ratePerSecond: number;
}

export type EvaluationTask = PostedTask | LiveAuditTask;

/**
 * The rendezvous peer plan of a probe sweep. It hashes every pair (0.2-0.5 s of CPU at 5,000
 * nodes), so it is computed on a worker like an evaluation, not on the event loop.
 */
export interface PeerPlanTask {
  nodes: string[];
  perNodePeers: number;
  sweep: number;
}

export interface PeerPlanOutcome {
  pairs: PairSpec[];
  summary: PeerPlanSummary;
}

/** What the main thread needs from a request's options after the evaluation (metrics, store, problems). */
export interface RequestOptions {
  maxPairs: number;
  /** `options.cluster` of a posted audit, the configured name of a live one; null for a what-if. */
  cluster: string | null;
}

/** What an audit listing shows of a report, counted in the worker so the store never parses it. */
export type ReportCounts = AuditCounts;

export type TaskOutcome =
  /**
   * The report as JSON text, serialized once in the worker: the main thread sends and stores
   * this text and never parses or stringifies a large report. `counts` only for audits.
   */
  | { kind: 'report'; json: string; bytes: number; counts: ReportCounts | null; options: RequestOptions; probeMs?: number; html?: string }
  /** The body could not be read as the operation's request (malformed, too deep, off-schema). */
  | { kind: 'bad-request'; problem: ProblemData }
  | { kind: 'invalid-input'; problems: InputProblem[]; options: RequestOptions }
  /** Over the report bound: its UTF-8 size, or null when it was too long to serialize at all. */
  | { kind: 'too-large'; bytes: number | null; options: RequestOptions };

/** An HttpProblem as data; its `errors` already bounded as a problem document sends them. */
export interface ProblemData {
  kind: ProblemKind;
  detail: string;
  errors?: ProblemError[];
}
