import { writeFile } from 'node:fs/promises';
import type { AuditReport } from '../model/report.js';
import { renderMarkdown } from '../report/render-markdown.js';
import { renderTable } from '../report/render-table.js';

export const AUDIT_FORMATS = ['json', 'table', 'markdown'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

export function renderAudit(report: AuditReport, format: AuditFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return renderMarkdown(report);
    case 'table':
      return renderTable(report);
  }
}

export async function emit(text: string, out: string | undefined): Promise<void> {
  if (out) await writeFile(out, text);
  else process.stdout.write(text);
}
