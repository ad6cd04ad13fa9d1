import { expect } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';

/** The blocked directed pairs (`a->b`) of one requirement, from the findings; every finding must list all its pairs. */
export function blockedPairs(report: AuditReport, requirement: string): string[] {
  return report.findings
    .filter((f) => f.requirement === requirement && f.verdict === 'blocked')
    .flatMap((f) => {
      expect(f.pairsTruncated).toBe(false);
      return f.pairs.map((p) => `${p.sourceNode}->${p.destinationNode}`);
    })
    .sort();
}
