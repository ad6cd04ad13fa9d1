import { Command } from 'commander';
import { addLiveOptions, liveOptionsFrom, type LiveCliOptions } from '../live-options.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { collectLiveInputs, type LiveCollection, type LiveOptions } from '../../inputs/live.js';
import { collectOpenstackInputs } from '../../inputs/live-openstack.js';
import { addOpenstackOptions, type OpenstackCliOptions } from '../openstack-options.js';
import { readDocuments } from '../../inputs/read-files.js';
import { emptyInputs, type AuditInputs, type RawDocument } from '../../model/documents.js';
import { CollectionDeadline, DEFAULT_CALL_LIMITS } from '../../model/deadline.js';
import { addCallLimitOptions, callLimitsFrom, type CallLimitCliOptions } from '../call-limit-options.js';
import { InputError, type Warning } from '../../model/source.js';
import type { Unavailable } from '../../model/cloud.js';
import { summaryOf } from '../command-table.js';

export interface CollectOptions {
  /** Directory for the raw documents; created if missing. */
  out: string;
  /** File inputs to carry along (e.g. nodes from a file while AWS is read live). */
  nodes?: string[];
  flannel?: string[];
  /** CNI documents from files instead of the cluster. */
  cniConfig?: string[];
  live: LiveOptions;
  /** Live Neutron, when `--os-cloud` or `--os-live` was given. */
  openstack?: OpenstackCliOptions;
  /** One clock for every live source (the caller disposes it); default: a new one with DEFAULT_CALL_LIMITS. */
  deadline?: CollectionDeadline;
}

export interface CollectSummary {
  files: string[];
  unavailable: Unavailable[];
  warnings: Warning[];
  calls: { kubernetes: number; aws: number; openstack: number };
}

/**
 * `sgaudit collect … --out DIR`: saves every raw document an audit would read, so the same
 * audit can run offline (`sgaudit audit --nodes DIR/nodes.json --flannel DIR/flannel.json
 * --cni-config DIR/cni*.json --aws DIR/aws-*.json --unavailable DIR/unavailable.json`) or be
 * attached to a bug report. The CNI documents read live (calico-config, IPPools, DaemonSets, …)
 * are saved as `cni.json`, `cni-2.json`, … so detection sees offline what it saw live.
 * `unavailable.json` is always written (`[]` when everything was read).
 */
export async function runCollect(opts: CollectOptions): Promise<CollectSummary> {
  if (opts.deadline) return collectWithin(opts, opts.deadline);
  const deadline = new CollectionDeadline(DEFAULT_CALL_LIMITS);
  try {
    return await collectWithin(opts, deadline);
  } finally {
    deadline.dispose();
  }
}

async function collectWithin(opts: CollectOptions, deadline: CollectionDeadline): Promise<CollectSummary> {
  if (!opts.live.kubernetes && !opts.live.aws && !opts.openstack) {
    throw new InputError([
      {
        document: 'collect',
        pointer: '',
        reason: 'nothing to collect: give --kubeconfig/--context/--in-cluster, --aws-region/--aws-profile/--aws-live and/or --os-cloud/--os-live',
      },
    ]);
  }
  const files: AuditInputs = emptyInputs();
  files.nodes = await readDocuments(opts.nodes ?? [], '--nodes');
  files.flannel = await readDocuments(opts.flannel ?? [], '--flannel');
  const cniFiles = await readDocuments(opts.cniConfig ?? [], '--cni-config');
  if (cniFiles.length > 0) files.cni = cniFiles;
  const collected: LiveCollection =
    opts.live.kubernetes || opts.live.aws
      ? await collectLiveInputs(files, { ...opts.live, deadline })
      : { inputs: files, warnings: [], flannelLookups: [], calls: { kubernetes: 0, aws: 0 } };
  let openstackRequests = 0;
  if (opts.openstack) {
    if (collected.inputs.nodes.length === 0) {
      throw new InputError([
        { document: '--os-cloud', pointer: '', reason: "live Neutron collection starts from the nodes' VTEP IPs: give --nodes or --kubeconfig/--in-cluster too" },
      ]);
    }
    const os = await collectOpenstackInputs(collected.inputs.nodes, opts.openstack, { deadline });
    collected.inputs.openstack.push(...os.openstack);
    collected.inputs.unavailable.push(...os.unavailable);
    collected.warnings.push(...os.warnings);
    openstackRequests = os.requests;
  }

  await mkdir(opts.out, { recursive: true });
  const written: string[] = [];
  const write = async (file: string, body: unknown) => {
    const path = join(opts.out, file);
    await writeFile(path, `${JSON.stringify(body, null, 2)}\n`);
    written.push(path);
  };
  const { inputs } = collected;
  for (const [i, doc] of inputs.nodes.entries()) await write(numbered('nodes', i), doc.body);
  for (const [i, doc] of inputs.flannel.entries()) await write(numbered('flannel', i), doc.body);
  for (const [i, doc] of (inputs.cni ?? []).entries()) await write(numbered('cni', i), doc.body);
  for (const [i, doc] of inputs.aws.entries()) await write(awsFileName(doc, i), doc.body);
  for (const [i, doc] of inputs.openstack.entries()) await write(openstackFileName(doc, i), doc.body);
  await write('unavailable.json', inputs.unavailable);
  return {
    files: written,
    unavailable: inputs.unavailable,
    warnings: collected.warnings,
    calls: { ...collected.calls, openstack: openstackRequests },
  };
}

/** Only the `--os-*` fields: the whole options object would carry the CLI's other flags along. */
function openstackOptionsOf(opts: CollectCliOptions): OpenstackCliOptions {
  return {
    ...(opts.osCloud !== undefined && { osCloud: opts.osCloud }),
    ...(opts.osRegionName !== undefined && { osRegionName: opts.osRegionName }),
    ...(opts.osInterface !== undefined && { osInterface: opts.osInterface }),
    ...(opts.osPageSize !== undefined && { osPageSize: opts.osPageSize }),
  };
}

function numbered(stem: string, index: number): string {
  return index === 0 ? `${stem}.json` : `${stem}-${index + 1}.json`;
}

/** `live:aws/describe-subnets` -> `aws-describe-subnets.json`; documents that came from files keep their base name. */
export function awsFileName(doc: RawDocument, index: number): string {
  if (doc.name.startsWith('live:')) return `${doc.name.slice('live:'.length).replace(/[^A-Za-z0-9_.-]+/g, '-')}.json`;
  return `aws-file-${index + 1}-${basename(doc.name).replace(/\.json$/, '').replace(/[^A-Za-z0-9_.-]+/g, '-')}.json`;
}

/** `live:openstack/ports` -> `openstack-ports.json`, readable back with `--openstack DIR/openstack-*.json`. */
export function openstackFileName(doc: RawDocument, index: number): string {
  if (doc.name.startsWith('live:openstack/')) return `openstack-${doc.name.slice('live:openstack/'.length).replace(/[^A-Za-z0-9_.-]+/g, '-')}.json`;
  return `openstack-file-${index + 1}-${basename(doc.name).replace(/\.json$/, '').replace(/[^A-Za-z0-9_.-]+/g, '-')}.json`;
}

interface CollectCliOptions extends LiveCliOptions, OpenstackCliOptions, CallLimitCliOptions {
  out: string;
  nodes?: string[];
  flannel?: string[];
  cniConfig?: string[];
  osLive?: boolean;
}

export function collectCommand(): Command {
  const cmd = new Command('collect')
    .description(summaryOf('collect'))
    .requiredOption('--out <dir>', 'directory for the documents (created if missing)')
    .option('--nodes <files...>', 'nodes from files instead of the cluster')
    .option('--flannel <files...>', 'flannel config from a file instead of the cluster')
    .option('--cni-config <files...>', 'CNI documents from files instead of the cluster (see docs/cni.md)');
  addLiveOptions(cmd);
  addOpenstackOptions(cmd).option('--os-live', 'read Neutron live with the cloud named by OS_CLOUD or the OS_* variables');
  addCallLimitOptions(cmd);
  return cmd.action(async (opts: CollectCliOptions) => {
    const deadline = new CollectionDeadline(callLimitsFrom(opts));
    let summary: CollectSummary;
    try {
      summary = await runCollect({
        out: opts.out,
        ...(opts.nodes && { nodes: opts.nodes }),
        ...(opts.flannel && { flannel: opts.flannel }),
        ...(opts.cniConfig && { cniConfig: opts.cniConfig }),
        live: liveOptionsFrom(opts),
        ...((opts.osCloud !== undefined || opts.osLive) && { openstack: openstackOptionsOf(opts) }),
        deadline,
      });
    } finally {
      deadline.dispose();
    }
    process.stderr.write(
      `sgaudit collect: wrote ${summary.files.length} files to ${opts.out} ` +
        `(API requests: kubernetes ${summary.calls.kubernetes}, aws ${summary.calls.aws}, openstack ${summary.calls.openstack}); ` +
        `${summary.unavailable.length} object(s) could not be read (see unavailable.json)\n`,
    );
    for (const w of summary.warnings) process.stderr.write(`  note: ${w.message}\n`);
  });
}
