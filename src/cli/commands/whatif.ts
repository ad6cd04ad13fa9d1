import { Command, Option } from 'commander';
import { DEFAULT_MAX_PAIRS } from '../../model/report.js';
import { readDocuments } from '../../inputs/read-files.js';
import { InputError } from '../../model/source.js';
import { splitProposedDocuments, type ProposedProvider, type WhatifProposal } from '../../inputs/proposal.js';
import { whatifExitCode, type WhatifReport } from '../../whatif/report.js';
import { renderWhatifJunit } from '../../whatif/render-junit.js';
import { renderWhatifMarkdown } from '../../whatif/render-markdown.js';
import { renderWhatifSarif } from '../../whatif/render-sarif.js';
import { renderWhatifHtml } from '../../whatif/render-html.js';
import { whatifFromInputs } from '../../pipeline/whatif.js';
import { addInputOptions, gatherInputs, type InputCliOptions } from '../gather-inputs.js';
import { emit } from '../render-audit.js';
import { parsePositiveInt } from '../parse-options.js';
import { summaryOf } from '../command-table.js';
import { sarifEdgeOptions, type SarifEdgeOptions } from '../sarif-options.js';
import { TOOL_VERSION } from '../version.js';

export const WHATIF_FORMATS = ['json', 'markdown', 'sarif', 'junit', 'html'] as const;
export type WhatifFormat = (typeof WHATIF_FORMATS)[number];

/** Version reported in SARIF; kept with the program's own --version. */

interface WhatifCommandOptions extends InputCliOptions {
  terraformPlan?: string;
  proposed?: string[];
  proposedProvider?: ProposedProvider;
  format: WhatifFormat;
  maxPairs: number;
  out?: string;
}

export function renderWhatif(report: WhatifReport, format: WhatifFormat, sarif: SarifEdgeOptions = {}): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return renderWhatifMarkdown(report);
    case 'sarif':
      return renderWhatifSarif(report, TOOL_VERSION, sarif);
    case 'junit':
      return renderWhatifJunit(report);
    case 'html':
      return renderWhatifHtml(report, { version: TOOL_VERSION });
  }
}

async function readProposal(opts: WhatifCommandOptions): Promise<WhatifProposal> {
  const hasPlan = opts.terraformPlan !== undefined;
  const hasProposed = (opts.proposed?.length ?? 0) > 0;
  if (hasPlan === hasProposed) {
    throw new InputError([{ document: 'whatif', pointer: '', reason: hasPlan ? 'give --terraform-plan or --proposed, not both' : 'give --terraform-plan plan.json or --proposed FILE...' }]);
  }
  if (opts.proposedProvider && !hasProposed) {
    throw new InputError([{ document: '--proposed-provider', pointer: '', reason: '--proposed-provider applies only with --proposed' }]);
  }
  if (hasPlan) {
    const [plan] = await readDocuments([opts.terraformPlan!], '--terraform-plan');
    return { terraformPlan: plan! };
  }
  const docs = await readDocuments(opts.proposed!, '--proposed');
  return { proposed: splitProposedDocuments(docs, opts.proposedProvider) };
}

/** `sgaudit whatif`: a thin shell over whatifFromInputs, which the REST API calls too. */
export function whatifCommand(): Command {
  const cmd = new Command('whatif').description(summaryOf('whatif'));
  // The current state may be read live (--kubeconfig, --aws-region, --os-cloud) like `audit` does.
  addInputOptions(cmd)
    .option('--terraform-plan <file>', 'output of `terraform show -json PLANFILE`')
    .option('--proposed <files...>', 'after-state exports of the changed groups, NACLs or ports, in the same formats as --aws / --openstack')
    .addOption(new Option('--proposed-provider <provider>', 'provider of the --proposed files (default: inferred from their top-level keys)').choices(['aws', 'openstack']))
    .addOption(new Option('--format <format>', 'output format').choices(WHATIF_FORMATS).default('json'))
    .option('--max-pairs <n>', 'pairs listed per list (counts stay exact)', parsePositiveInt('--max-pairs'), DEFAULT_MAX_PAIRS)
    .option('--out <file>', 'write the report to a file instead of stdout')
    .action(async (opts: WhatifCommandOptions) => {
      // The proposal is read first: a bad plan should fail before any live API is called.
      const proposal = await readProposal(opts);
      const { inputs } = await gatherInputs(opts);
      const report = whatifFromInputs(inputs, proposal, { maxPairs: opts.maxPairs });
      const proposalDocs = report.proposal.kind === 'terraform-plan' ? [report.proposal.document] : report.proposal.documents;
      const sarif = opts.format === 'sarif' ? await sarifEdgeOptions(proposalDocs) : {};
      await emit(renderWhatif(report, opts.format, sarif), opts.out);
      process.exitCode = whatifExitCode(report);
    });
  return cmd;
}
