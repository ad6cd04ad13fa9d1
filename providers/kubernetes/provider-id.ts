import type { ProviderId } from '../../src/model/cluster.js';

/**
 * Parses `spec.providerID` the way the cloud providers themselves do.
 * Returns `other` (plus a reason) for ids that name a known cloud but no instance we can
 * look up, e.g. Fargate's `aws:///zone/fargate-ip-…`; the node is then matched by address.
 */
export function parseProviderId(raw: string): { id: ProviderId; problem?: string } {
  if (raw.startsWith('aws://') || isInstanceId(raw)) return parseAws(raw);
  if (raw.startsWith('openstack://')) return parseOpenstack(raw);
  return { id: { provider: 'other', raw } };
}

/**
 * cloud-provider-aws: strip the scheme, trim slashes, then `zone/id` or `id`, the id starting with `i-`.
 * More segments would put a `/` in the id, which is refused.
 */
const AWS_PROVIDER_ID = /^(?:aws:\/\/)?\/*(?:([^/]+)\/)?(i-[^/]+)\/*$/;

function parseAws(raw: string): { id: ProviderId; problem?: string } {
  const match = AWS_PROVIDER_ID.exec(raw);
  const zone = match?.[1];
  const instanceId = match?.[2];
  if (instanceId === undefined) {
    return {
      id: { provider: 'other', raw },
      problem: `providerID ${JSON.stringify(raw)} is an AWS id without an EC2 instance id (expected aws:///<zone>/i-…, aws:////i-… or i-…)`,
    };
  }
  return { id: zone ? { provider: 'aws', instanceId, zone, raw } : { provider: 'aws', instanceId, raw } };
}

function isInstanceId(text: string): boolean {
  return /^i-[^/]+$/.test(text);
}

// cloud-provider-openstack: `openstack:///<server-uuid>` or `openstack://<region>/<server-uuid>`.
function parseOpenstack(raw: string): { id: ProviderId; problem?: string } {
  const rest = raw.slice('openstack://'.length);
  const slash = rest.indexOf('/');
  const region = slash > 0 ? rest.slice(0, slash) : undefined;
  const serverId = slash >= 0 ? rest.slice(slash + 1) : '';
  if (slash < 0 || serverId === '' || serverId.includes('/')) {
    return {
      id: { provider: 'other', raw },
      problem: `providerID ${JSON.stringify(raw)} is an OpenStack id without a server id (expected openstack:///<server-uuid> or openstack://<region>/<server-uuid>)`,
    };
  }
  return { id: region ? { provider: 'openstack', serverId, region, raw } : { provider: 'openstack', serverId, raw } };
}
