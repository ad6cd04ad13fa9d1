import { Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { auditExitCode, runAudit } from '../pipeline/audit.js';
import { DEFAULT_MAX_PAIRS } from '../model/report.js';
import type { AuditReport } from '../model/report.js';
import { renderMarkdown } from '../report/render-markdown.js';
import { renderTable } from '../report/render-table.js';
import { parsePositiveInt } from './parse-options.js';
import { addInputOptions, gatherInputs, type InputCliOptions } from './gather-inputs.js';
import { loadSecret } from '../probe/auth.js';
import { confirmFindings, orchestratorProbe } from '../probe/confirm.js';
import { probeNodesFromCluster } from '../probe/inventory.js';
import { DEFAULT_AGENT_PORT } from '../probe/protocol.js';

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
  probe?: boolean;
  agentPort: number;
  probeTimeoutMs: number;
  secretFile?: string;
}

export function auditCommand(): Command {
  const cmd = new Command('audit').description(
    'Audit every directed node pair against the overlay requirements of the cluster\'s CNI',
  );
  addInputOptions(cmd)
    .addOption(new Option('--format <format>', 'output format').choices(AUDIT_FORMATS).default('table'))
    .option('--max-pairs <n>', 'pairs listed per finding (pairCount stays exact)', parsePositiveInt('--max-pairs'), DEFAULT_MAX_PAIRS)
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--probe', 'confirm findings with live VXLAN probes through the sgaudit agents (see docs/probes.md)')
    .option('--agent-port <port>', 'agent TCP/UDP port for --probe', parsePositiveInt('--agent-port'), DEFAULT_AGENT_PORT)
    .option('--probe-timeout-ms <ms>', 'how long --probe waits for datagrams', parsePositiveInt('--probe-timeout-ms'), 2000)
    .option('--secret-file <file>', 'shared probe secret for --probe (else SGAUDIT_PROBE_SECRET)')
    .action(async (opts: AuditCommandOptions) => {
      const { inputs } = await gatherInputs(opts);
      const result = runAudit(inputs, { maxPairs: opts.maxPairs });
      let report = result.report;
      if (opts.probe) {
        const secret = await loadSecret(opts.secretFile === undefined ? {} : { secretFile: opts.secretFile });
        const probe = orchestratorProbe({
          nodes: probeNodesFromCluster(result.snapshot.cluster.nodes),
          agentPort: opts.agentPort,
          secret,
          timeoutMs: opts.probeTimeoutMs,
        });
        report = await confirmFindings(report, result.evaluation, probe);
      }
      await emit(renderAudit(report, opts.format), opts.out);
      process.exitCode = auditExitCode(report);
    });
  return cmd;
}
