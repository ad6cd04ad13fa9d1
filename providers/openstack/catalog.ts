import type { EndpointInterface } from './cloud-config.js';

export interface CatalogEndpoint {
  interface: string;
  region?: string;
  url: string;
}

export interface CatalogService {
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

/** Reads `token.catalog` leniently: malformed entries are skipped here and reported by selectEndpoint. */
export function parseCatalog(raw: unknown): CatalogService[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((service): CatalogService[] => {
    if (typeof service !== 'object' || service === null) return [];
    const s = service as Record<string, unknown>;
    if (typeof s.type !== 'string' || !Array.isArray(s.endpoints)) return [];
    const endpoints = s.endpoints.flatMap((e): CatalogEndpoint[] => {
      if (typeof e !== 'object' || e === null) return [];
      const ep = e as Record<string, unknown>;
      if (typeof ep.interface !== 'string' || typeof ep.url !== 'string') return [];
      // Keystone v3 sends region_id, and `region` with the same value for old clients
      const region = typeof ep.region_id === 'string' ? ep.region_id : typeof ep.region === 'string' ? ep.region : undefined;
      return [region === undefined ? { interface: ep.interface, url: ep.url } : { interface: ep.interface, region, url: ep.url }];
    });
    return [{ type: s.type, ...(typeof s.name === 'string' && { name: s.name }), endpoints }];
  });
}

/**
 * The endpoint URL of `type` for `iface` (and `region` when given). Without a region the choice
 * must be unambiguous: picking one of several regions silently would audit the wrong cloud.
 */
export function selectEndpoint(
  catalog: CatalogService[],
  type: string,
  iface: EndpointInterface,
  region: string | undefined,
): string {
  const services = catalog.filter((s) => s.type === type);
  const all = services.flatMap((s) => s.endpoints);
  const available = all.map((e) => `${e.interface}${e.region ? `@${e.region}` : ''}`).join(', ') || 'none';
  if (services.length === 0) {
    const types = [...new Set(catalog.map((s) => s.type))].join(', ') || 'none (the token is unscoped or the user has no role on the project)';
    throw new CatalogError(`the Keystone catalog has no "${type}" service; service types in it: ${types}`);
  }
  const matching = all.filter((e) => e.interface === iface && (region === undefined || e.region === region));
  const urls = [...new Set(matching.map((e) => e.url))];
  if (urls.length === 0) {
    const wanted = region === undefined ? `interface ${iface}` : `interface ${iface} in region ${region}`;
    throw new CatalogError(`the Keystone catalog has no "${type}" endpoint for ${wanted}; it has: ${available} (set region_name / interface, or --os-region-name / --os-interface)`);
  }
  if (urls.length > 1) {
    const regions = [...new Set(matching.map((e) => e.region ?? '(no region)'))].join(', ');
    throw new CatalogError(`the Keystone catalog has several "${type}" endpoints for interface ${iface} (regions: ${regions}); choose one with region_name or --os-region-name`);
  }
  return urls[0]!;
}
