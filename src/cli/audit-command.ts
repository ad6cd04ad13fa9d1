import { Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { auditExitCode, DEFAULT_MAX_PAIRS, runAudit } from '../audit.js';
import type { AuditReport } from '../report/contract.js';
import { renderMarkdown } from '../report/render-markdown.js';
import { renderTable } from '../report/render-table.js';
import { parsePositiveInt } from './parse-options.js';
import { addInputOptions, gatherInputs, type InputCliOptions } from './gather-inputs.js';

export { addFileInputOptions, readFileInputs, type FileInputOptions } from './file-inputs.js';

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

interface AuditCommandOptions extends InputCliOptions {
  format: AuditFormat;
  maxPairs: number;
  out?: string;
}

export function auditCommand(): Command {
  const cmd = new Command('audit').description(
    'Audit every directed node pair against the overlay requirements of the cluster\'s CNI',
  );
  addInputOptions(cmd)
    .addOption(new Option('--format <format>', 'output format').choices(AUDIT_FORMATS).default('table'))
    .option('--max-pairs <n>', 'pairs listed per finding (pairCount stays exact)', parsePositiveInt('--max-pairs'), DEFAULT_MAX_PAIRS)
    .option('--out <file>', 'write the report to a file instead of stdout')
    .action(async (opts: AuditCommandOptions) => {
      const { inputs } = await gatherInputs(opts);
      const { report } = runAudit(inputs, { maxPairs: opts.maxPairs });
      await emit(renderAudit(report, opts.format), opts.out);
      process.exitCode = auditExitCode(report);
    });
  return cmd;
}
