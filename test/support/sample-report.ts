import { runAudit } from '../../src/pipeline/audit.js';
import { readFileInputs } from '../../src/cli/file-inputs.js';
import { demoInputFiles } from '../../src/cli/commands/demo.js';
import type { AuditReport } from '../../src/model/report.js';

/** A real report: the bundled incident (4 OpenStack nodes, UDP 8472 blocked), audited once. */
export async function incidentReport(): Promise<AuditReport> {
  return runAudit(await readFileInputs(demoInputFiles())).report;
}
