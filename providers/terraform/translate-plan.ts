import type { RawDocument } from '../../src/model/documents.js';
import { IssueCollector } from '../../src/model/issues.js';
import type { ChangeAction, ProposalTranslation } from '../../src/model/changes.js';
import { parsePlanDocument, type PlanAction } from './plan-document.js';
import { classifyResource } from './resource-support.js';
import { ResourceContext } from './resource-context.js';

export interface TerraformTranslation extends ProposalTranslation {
  /** Resources the plan leaves unchanged (`no-op`); counted, not listed. */
  unchangedCount: number;
  formatVersion: string;
  terraformVersion?: string;
}

function changeAction(action: PlanAction): ChangeAction | undefined {
  return action === 'create' || action === 'update' || action === 'delete' || action === 'replace' ? action : undefined;
}

/**
 * `terraform show -json PLANFILE` -> model edits, per resource address. Translation only:
 * matching edits to snapshot objects happens when they are applied. Throws InputError
 * listing every malformed entry of the plan.
 */
export function translateTerraformPlan(doc: RawDocument): TerraformTranslation {
  const plan = parsePlanDocument(doc);
  const issues = new IssueCollector();
  const out: TerraformTranslation = {
    resources: [],
    ignored: [],
    unknownUntilApply: [],
    unsupported: [],
    warnings: issues.warnings,
    unchangedCount: 0,
    formatVersion: plan.formatVersion,
  };
  if (plan.terraformVersion) out.terraformVersion = plan.terraformVersion;
  for (const change of plan.changes) {
    const base = { address: change.address, resourceType: change.type };
    if (change.action === 'no-op') {
      out.unchangedCount++;
      continue;
    }
    const action = changeAction(change.action);
    if (change.mode === 'data' || action === undefined) {
      out.ignored.push({ ...base, action: action ?? (change.action as 'read' | 'forget'), reason: change.mode === 'data' ? 'data source: reads, changes nothing' : `${change.action}: the real object is not changed` });
      continue;
    }
    const ctx = new ResourceContext(plan, change, issues);
    const classification = classifyResource(ctx);
    if (classification.kind === 'ignored') {
      out.ignored.push({ ...base, action, reason: classification.reason });
      continue;
    }
    if (classification.kind === 'unsupported') {
      out.unsupported.push({ ...base, action, reason: classification.reason });
      continue;
    }
    const t = issues.absorb(() => classification.translate(ctx));
    if (!t) continue;
    out.resources.push({ ...base, action, changes: t.changes });
    for (const u of t.unknown) out.unknownUntilApply.push({ ...base, action, attribute: u.attribute, reason: u.reason });
    for (const reason of t.unsupported) out.unsupported.push({ ...base, action, reason });
  }
  issues.throwIfProblems();
  return out;
}
