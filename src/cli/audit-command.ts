import { Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { auditExitCode, DEFAULT_MAX_PAIRS, runAudit } from '../audit.js';
import { readDocuments } from '../inputs/read-files.js';
import { emptyInputs, type AuditInputs } from '../inputs/types.js';
import type { AuditReport } from '../report/contract.js';
import { renderMarkdown } from '../report/render-markdown.js';
import { renderTable } from '../report/render-table.js';
import { parsePositiveInt } from './parse-options.js';

export const AUDIT_FORMATS = ['json', 'table', 'markdown'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

export interface FileInputOptions {
  nodes?: string[];
  flannel?: string[];
  aws?: string[];
  openstack?: string[];
}

/** Adds the native-export file flags shared by audit, whatif and probe. */
export function addFileInputOptions(cmd: Command): Command {
  return cmd
    .option('--nodes <files...>', 'kubectl get nodes -o json (a NodeList, List or single Node)')
    .option('--flannel <files...>', 'the kube-flannel-cfg ConfigMap or a raw net-conf.json')
    .option('--aws <files...>', 'aws ec2 describe-* / get-managed-prefix-list-entries exports')
    .option('--openstack <files...>', 'Neutron v2.0 bodies: ports, security_groups, security_group_rules, subnets, address_groups');
}

export async function readFileInputs(opts: FileInputOptions): Promise<AuditInputs> {
  const inputs = emptyInputs();
  inputs.nodes = await readDocuments(opts.nodes ?? [], '--nodes');
  inputs.flannel = await readDocuments(opts.flannel ?? [], '--flannel');
  inputs.aws = await readDocuments(opts.aws ?? [], '--aws');
  inputs.openstack = await readDocuments(opts.openstack ?? [], '--openstack');
  return inputs;
}

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

interface AuditCommandOptions extends FileInputOptions {
  format: AuditFormat;
  maxPairs: number;
  out?: string;
}

export function auditCommand(): Command {
  const cmd = new Command('audit').description(
    'Audit every directed node pair against the overlay requirements of the cluster\'s CNI',
  );
  addFileInputOptions(cmd)
    .addOption(new Option('--format <format>', 'output format').choices(AUDIT_FORMATS).default('table'))
    .option('--max-pairs <n>', 'pairs listed per finding (pairCount stays exact)', parsePositiveInt('--max-pairs'), DEFAULT_MAX_PAIRS)
    .option('--out <file>', 'write the report to a file instead of stdout')
    .action(async (opts: AuditCommandOptions) => {
      const inputs = await readFileInputs(opts);
      const { report } = runAudit(inputs, { maxPairs: opts.maxPairs });
      await emit(renderAudit(report, opts.format), opts.out);
      process.exitCode = auditExitCode(report);
    });
  return cmd;
}
