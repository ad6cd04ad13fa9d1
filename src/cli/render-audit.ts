import { writeFile } from 'node:fs/promises';
import type { AuditReport } from '../model/report.js';
import { renderMarkdown } from '../report/render-markdown.js';
import { renderTable } from '../report/render-table.js';
import { renderAuditHtml } from '../report/render-html.js';
import { TOOL_VERSION } from './version.js';
import { renderAuditSarif } from '../report/render-sarif.js';
import { renderAuditJunit } from '../report/render-junit.js';
import { renderReportMatrixSvg } from '../report/render-svg.js';
import type { SarifEdgeOptions } from './sarif-options.js';

export const AUDIT_FORMATS = ['json', 'table', 'markdown', 'html', 'sarif', 'junit', 'svg'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** `sarif` takes where the input files are from the edge (sarifEdgeOptions); without it, names are written as given. */
export function renderAudit(report: AuditReport, format: AuditFormat, sarif: SarifEdgeOptions = {}): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return renderMarkdown(report);
    case 'table':
      return renderTable(report);
    case 'html':
      return renderAuditHtml(report, { version: TOOL_VERSION });
    case 'sarif':
      return renderAuditSarif(report, { ...sarif, version: TOOL_VERSION });
    case 'junit':
      return renderAuditJunit(report);
    case 'svg':
      return renderReportMatrixSvg(report, { title: `sgaudit: ${report.summary.nodes} nodes, ${report.summary.blocked} blocked and ${report.summary.unknown} unknown of ${report.summary.directedPairs} directed pairs` });
  }
}

export async function emit(text: string, out: string | undefined): Promise<void> {
  if (out) await writeFile(out, text);
  else process.stdout.write(text);
}
