/**
 * What an audit worker is asked and what it answers, as plain JSON-able data: tasks cross a
 * thread boundary by structured clone, which keeps no class (an InputError arrives as a bare
 * Error without its problems), so every outcome is a tagged record and the main thread
 * rebuilds errors from it.
 */
import type { AuditInputs } from '../model/documents.js';
import type { ReportSummary } from '../model/report.js';
import type { InputProblem, Warning } from '../model/source.js';
import type { WhatifProposal } from '../inputs/proposal.js';

export interface AuditTask {
  kind: 'audit';
  inputs: AuditInputs;
  maxPairs: number;
  /** Collection warnings of a live audit, appended to the report's own. */
  extraWarnings: Warning[];
  reportLimitBytes: number;
}

export interface WhatifTask {
  kind: 'whatif';
  inputs: AuditInputs;
  proposal: WhatifProposal;
  maxPairs: number;
  reportLimitBytes: number;
}

export type EvaluationTask = AuditTask | WhatifTask;

export type TaskOutcome =
  /**
   * The report as JSON text, serialized once in the worker: the main thread sends this text and
   * never stringifies a large report again. `summary` is there for metrics (audits only).
   */
  | { kind: 'report'; json: string; bytes: number; summary: ReportSummary | null }
  | { kind: 'invalid-input'; problems: InputProblem[] }
  /** Over the report bound: its UTF-8 size, or null when it was too long to serialize at all. */
  | { kind: 'too-large'; bytes: number | null };
