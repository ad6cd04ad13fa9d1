import { Command, Option } from 'commander';
import { auditExitCode, runAudit, type AuditResult } from '../../pipeline/audit.js';
import { DEFAULT_MAX_PAIRS, type AuditReport } from '../../model/report.js';
import { DEFAULT_AGENT_PORT } from '../../probe/protocol.js';
import { parsePositiveInt } from '../parse-options.js';
import { addInputOptions, gatherInputs, type InputCliOptions } from '../gather-inputs.js';
import { AUDIT_FORMATS, emit, renderAudit, type AuditFormat } from '../render-audit.js';
import { summaryOf } from '../command-table.js';
import { inputDocumentNames, sarifEdgeOptions } from '../sarif-options.js';


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
  const cmd = new Command('audit').description(summaryOf('audit'));
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
      const report = opts.probe ? await confirmByProbes(result, opts) : result.report;
      const sarif = opts.format === 'sarif' ? await sarifEdgeOptions(inputDocumentNames(inputs)) : {};
      await emit(renderAudit(report, opts.format, sarif), opts.out);
      process.exitCode = auditExitCode(report);
    });
  return cmd;
}

/** --probe: the probe code (sockets, HMAC) loads only when asked for. */
async function confirmByProbes(result: AuditResult, opts: AuditCommandOptions): Promise<AuditReport> {
  const [{ loadSecret }, { confirmFindings, orchestratorProbe }, { probeNodesFromCluster }] = await Promise.all([
    import('../../probe/auth.js'),
    import('../../probe/confirm.js'),
    import('../../probe/inventory.js'),
  ]);
  const secret = await loadSecret(opts.secretFile === undefined ? {} : { secretFile: opts.secretFile });
  const probe = orchestratorProbe({
    nodes: probeNodesFromCluster(result.snapshot.cluster.nodes, result.snapshot.cluster.cni),
    agentPort: opts.agentPort,
    secret,
    timeoutMs: opts.probeTimeoutMs,
  });
  return confirmFindings(result.report, result.evaluation, probe);
}
