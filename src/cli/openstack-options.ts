import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { collectOpenstack, type OpenstackCollection } from '../../providers/openstack/collect.js';
import type { HttpOptions } from '../../providers/openstack/http.js';
import { translateNodes } from '../../providers/kubernetes/translate-nodes.js';
import type { RawDocument } from '../inputs/types.js';
import type { Unavailable } from '../model/cloud.js';
import type { Warning } from '../model/source.js';
import { parsePositiveInt } from './parse-options.js';

/** The `--os-*` flags of `audit` and `collect`; only `osCloud` is needed in the common case. */
export interface OpenstackCliOptions {
  /** `--os-cloud NAME`; without it OS_CLOUD, then the OS_* variables, decide. */
  osCloud?: string;
  osRegionName?: string;
  osInterface?: string;
  osPageSize?: number;
}

/** True when the user asked for live OpenStack collection (`--os-cloud`, OS_CLOUD or OS_AUTH_URL). */
export function wantsOpenstack(opts: OpenstackCliOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  return opts.osCloud !== undefined || Boolean(env.OS_CLOUD) || Boolean(env.OS_AUTH_URL);
}

export function addOpenstackOptions(cmd: Command): Command {
  return cmd
    .option('--os-cloud <name>', 'read security groups live from this clouds.yaml cloud (else OS_CLOUD / OS_* variables)')
    .option('--os-region-name <region>', 'region of the network endpoint in the Keystone catalog (overrides region_name)')
    .addOption(new Option('--os-interface <interface>', 'catalog interface of the network endpoint (default public)').choices(['public', 'internal', 'admin']))
    .option('--os-page-size <n>', 'Neutron list page size (limit); default: the server\'s', parsePositiveInt('--os-page-size'));
}

export interface OpenstackInputs {
  /** Neutron bodies for AuditInputs.openstack (or `collect --out`). */
  openstack: RawDocument[];
  /** For AuditInputs.unavailable. */
  unavailable: Unavailable[];
  warnings: Warning[];
  requests: number;
  cloud: OpenstackCollection['cloud'];
}

/**
 * Live OpenStack inputs for the nodes in `nodeDocs` (the same documents `--nodes`/`--kubeconfig`
 * produce): ports are looked up by each node's VTEP addresses and, for `openstack:///<uuid>`
 * provider IDs, by server. Throws InputError (config, nodes) or KeystoneError (login, catalog).
 */
export async function collectOpenstackInputs(
  nodeDocs: RawDocument[],
  opts: OpenstackCliOptions,
  extra: { http?: HttpOptions; batchSize?: number } = {},
): Promise<OpenstackInputs> {
  const { nodes, warnings } = translateNodes(nodeDocs);
  const vtepIps = nodes.flatMap((n) => [n.vtepIp, n.vtepIpv6].filter((ip): ip is string => ip !== undefined));
  const serverIds = nodes.flatMap((n) => (n.providerId?.provider === 'openstack' ? [n.providerId.serverId] : []));
  const collected = await collectOpenstack({
    vtepIps,
    serverIds,
    ...(opts.osCloud !== undefined && { cloud: opts.osCloud }),
    ...(opts.osRegionName !== undefined && { regionName: opts.osRegionName }),
    ...(opts.osInterface !== undefined && { interface: opts.osInterface }),
    ...(opts.osPageSize !== undefined && { pageSize: opts.osPageSize }),
    ...(extra.http && { http: extra.http }),
    ...(extra.batchSize !== undefined && { batchSize: extra.batchSize }),
  });
  return {
    openstack: collected.documents,
    unavailable: collected.unavailable,
    warnings,
    requests: collected.requests,
    cloud: collected.cloud,
  };
}

/**
 * `sgaudit collect --os-cloud NAME --out DIR`: one file per Neutron collection
 * (`ports.json`, `security-groups.json`, …) that `audit --openstack DIR/*.json` reads back
 * unchanged, plus `unavailable.jsonl` (one entry per line) when something could not be read.
 */
export async function writeOpenstackDocuments(dir: string, collected: Pick<OpenstackInputs, 'openstack' | 'unavailable'>): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const doc of collected.openstack) {
    const file = join(dir, `${doc.name.replace(/^live:openstack\//, '').replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
    await writeFile(file, `${JSON.stringify(doc.body, null, 2)}\n`);
    written.push(file);
  }
  if (collected.unavailable.length > 0) {
    // .jsonl, so that `audit --openstack DIR/*.json` does not read it as a Neutron body
    const file = join(dir, 'unavailable.jsonl');
    await writeFile(file, collected.unavailable.map((u) => `${JSON.stringify(u)}\n`).join(''));
    written.push(file);
  }
  return written;
}
