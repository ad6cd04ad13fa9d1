import { collectOpenstack, type OpenstackCollection } from '../../providers/openstack/collect.js';
import type { HttpOptions } from '../../providers/openstack/http.js';
import { translateNodes } from '../../providers/kubernetes/translate-nodes.js';
import type { Unavailable } from '../model/cloud.js';
import type { CollectionDeadline } from '../model/deadline.js';
import type { Warning } from '../model/source.js';
import type { RawDocument } from '../model/documents.js';
import { candidateNodeAddresses } from './node-addresses.js';

/** Which cloud and endpoint to read; field names match the `--os-*` flags. */
export interface LiveOpenstackOptions {
  /** A clouds.yaml entry; without it OS_CLOUD, then the OS_* variables, decide. */
  osCloud?: string;
  osRegionName?: string;
  osInterface?: string;
  osPageSize?: number;
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
 * provider IDs, by server. Throws InputError (config, nodes) or KeystoneError (login refused,
 * catalog). A Keystone or Neutron that does not answer within `extra.deadline` (default
 * DEFAULT_CALL_LIMITS) does not throw: what was not read is in `unavailable` with the cause.
 */
export async function collectOpenstackInputs(
  nodeDocs: RawDocument[],
  opts: LiveOpenstackOptions,
  extra: { http?: HttpOptions; batchSize?: number; deadline?: CollectionDeadline } = {},
): Promise<OpenstackInputs> {
  const { nodes, warnings } = translateNodes(nodeDocs);
  const vtepIps = candidateNodeAddresses(nodes);
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
    ...(extra.deadline && { deadline: extra.deadline }),
  });
  return {
    openstack: collected.documents,
    unavailable: collected.unavailable,
    warnings,
    requests: collected.requests,
    cloud: collected.cloud,
  };
}
