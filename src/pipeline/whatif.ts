/**
 * What-if, start to finish: the inputs become the "before" snapshot, the plan or after-state
 * exports become model edits, and the core compares the two snapshots' verdicts.
 */
import type { AuditInputs } from '../model/documents.js';
import { IssueCollector } from '../model/issues.js';
import { buildSnapshot } from '../inputs/build-snapshot.js';
import { translateProposal, type WhatifProposal } from '../inputs/proposal.js';
import { runWhatif, type WhatifOptions } from '../whatif/run-whatif.js';
import type { WhatifReport } from '../whatif/report.js';

/** Throws InputError listing every problem of both the inputs and the proposal. */
export function whatifFromInputs(inputs: AuditInputs, proposal: WhatifProposal, options: Partial<WhatifOptions> = {}): WhatifReport {
  // Both halves run before either error is thrown, so one run reports every input problem.
  const issues = new IssueCollector();
  const built = issues.absorb(() => buildSnapshot(inputs));
  const translated = issues.absorb(() => translateProposal(proposal));
  issues.throwIfProblems();
  return runWhatif(built!.snapshot, built!.requirements, translated!, options);
}
