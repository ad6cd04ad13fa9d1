import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { collectLiveInputs, type LiveOptions } from '../inputs/live.js';
import { readDocuments } from '../inputs/read-files.js';
import { emptyInputs, type AuditInputs, type RawDocument } from '../inputs/types.js';
import { InputError, type Warning } from '../model/source.js';
import type { Unavailable } from '../model/cloud.js';

export interface CollectOptions {
  /** Directory for the raw documents; created if missing. */
  out: string;
  /** File inputs to carry along (e.g. nodes from a file while AWS is read live). */
  nodes?: string[];
  flannel?: string[];
  live: LiveOptions;
}

export interface CollectSummary {
  files: string[];
  unavailable: Unavailable[];
  warnings: Warning[];
  calls: { kubernetes: number; aws: number };
}

/**
 * `sgaudit collect … --out DIR`: saves every raw document an audit would read, so the same
 * audit can run offline (`sgaudit audit --nodes DIR/nodes.json --flannel DIR/flannel.json
 * --aws DIR/aws-*.json --unavailable DIR/unavailable.json`) or be attached to a bug report.
 * `unavailable.json` is always written (`[]` when everything was read).
 */
export async function runCollect(opts: CollectOptions): Promise<CollectSummary> {
  if (!opts.live.kubernetes && !opts.live.aws) {
    throw new InputError([
      { document: 'collect', pointer: '', reason: 'nothing to collect: give --kubeconfig/--context/--in-cluster and/or --aws-region/--aws-profile/--aws-live' },
    ]);
  }
  const files: AuditInputs = emptyInputs();
  files.nodes = await readDocuments(opts.nodes ?? [], '--nodes');
  files.flannel = await readDocuments(opts.flannel ?? [], '--flannel');
  const collected = await collectLiveInputs(files, opts.live);

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
  for (const [i, doc] of inputs.aws.entries()) await write(awsFileName(doc, i), doc.body);
  await write('unavailable.json', inputs.unavailable);
  return { files: written, unavailable: inputs.unavailable, warnings: collected.warnings, calls: collected.calls };
}

function numbered(stem: string, index: number): string {
  return index === 0 ? `${stem}.json` : `${stem}-${index + 1}.json`;
}

/** `live:aws/describe-subnets` -> `aws-describe-subnets.json`; documents that came from files keep their base name. */
export function awsFileName(doc: RawDocument, index: number): string {
  if (doc.name.startsWith('live:')) return `${doc.name.slice('live:'.length).replace(/[^A-Za-z0-9_.-]+/g, '-')}.json`;
  return `aws-file-${index + 1}-${basename(doc.name).replace(/\.json$/, '').replace(/[^A-Za-z0-9_.-]+/g, '-')}.json`;
}
