import type { Got } from 'got';
import { describeHttpFailure, httpStatus } from './http.js';
import type { KeystoneSession } from './keystone.js';

/** The Neutron v2.0 list APIs sgaudit reads: URL path segment and JSON body key. */
export const NEUTRON_COLLECTIONS = {
  ports: { path: 'ports', key: 'ports' },
  securityGroups: { path: 'security-groups', key: 'security_groups' },
  securityGroupRules: { path: 'security-group-rules', key: 'security_group_rules' },
  subnets: { path: 'subnets', key: 'subnets' },
  addressGroups: { path: 'address-groups', key: 'address_groups' },
} as const;

export type NeutronCollection = (typeof NEUTRON_COLLECTIONS)[keyof typeof NEUTRON_COLLECTIONS];

/** Filters as ordered pairs: Neutron ORs repeated keys (`fixed_ips=…&fixed_ips=…`). */
export type NeutronFilters = [string, string][];

/** A list call that failed after retries (and after one re-login on 401). */
export class NeutronError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'NeutronError';
    this.status = status;
  }
}

/**
 * Read-only Neutron client on a Keystone session. Lists follow pagination: `limit` + the
 * `marker` of the `*_links` `next` link, until an empty page or no `next` link, because
 * Neutron still sends a `next` link after a full last page.
 */
export class NeutronClient {
  private requestCount = 0;

  constructor(
    private readonly session: KeystoneSession,
    private readonly http: Got,
    private readonly pageSize: number | undefined,
  ) {
    if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)) {
      throw new RangeError(`page size must be a positive integer, got ${pageSize}`);
    }
  }

  /** HTTP requests sent to Neutron so far (a retried request counts once). */
  get requests(): number {
    return this.requestCount;
  }

  async list(collection: NeutronCollection, filters: NeutronFilters): Promise<Record<string, unknown>[]> {
    const base = await this.session.endpoint('network');
    const url = `${base.replace(/\/+$/, '').replace(/\/v2\.0$/, '')}/v2.0/${collection.path}`;
    let query = new URLSearchParams(filters);
    if (this.pageSize !== undefined) query.set('limit', String(this.pageSize));
    const items: Record<string, unknown>[] = [];
    const markers = new Set<string>();
    for (;;) {
      const body = await this.get(url, query);
      const page = body[collection.key];
      if (!Array.isArray(page)) {
        throw new NeutronError(`GET ${url}: the response has no "${collection.key}" array (keys: ${Object.keys(body).join(', ') || 'none'})`);
      }
      items.push(...(page as Record<string, unknown>[]));
      if (page.length === 0) break;
      const next = nextLink(body[`${collection.key}_links`]);
      if (next === undefined) break;
      // Only the query of the link is used: its host is whatever Neutron thinks it is
      // called (often an internal name behind a proxy), not necessarily the catalog URL.
      query = new URL(next, url).searchParams;
      const marker = query.get('marker');
      if (marker === null || markers.has(marker)) {
        throw new NeutronError(`GET ${url}: pagination does not advance (next link ${next})`);
      }
      markers.add(marker);
    }
    return items;
  }

  private async get(url: string, query: URLSearchParams): Promise<Record<string, unknown>> {
    this.requestCount += 1;
    let token = await this.session.token();
    try {
      return await this.getJson(url, query, token.value);
    } catch (first) {
      if (httpStatus(first) !== 401) throw this.failure(first, url, query);
      token = await this.session.renew(token.value);
      this.requestCount += 1;
      try {
        return await this.getJson(url, query, token.value);
      } catch (second) {
        throw this.failure(second, url, query, ' after a fresh Keystone login');
      }
    }
  }

  private async getJson(url: string, query: URLSearchParams, token: string): Promise<Record<string, unknown>> {
    const body: unknown = await this.http.get(url, { searchParams: query, headers: { 'x-auth-token': token } }).json();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new NeutronError(`GET ${url}: expected a JSON object`);
    }
    return body as Record<string, unknown>;
  }

  private failure(error: unknown, url: string, query: URLSearchParams, suffix = ''): NeutronError {
    if (error instanceof NeutronError) return error;
    const status = httpStatus(error);
    const hint = status === 403 ? ' (the reader role on the project is enough for everything sgaudit reads)' : '';
    return new NeutronError(`GET ${url}?${query} failed${suffix}: ${describeHttpFailure(error)}${hint}`, status);
  }
}

function nextLink(links: unknown): string | undefined {
  if (!Array.isArray(links)) return undefined;
  for (const link of links) {
    if (typeof link === 'object' && link !== null && (link as { rel?: unknown }).rel === 'next') {
      const href = (link as { href?: unknown }).href;
      if (typeof href === 'string') return href;
    }
  }
  return undefined;
}
