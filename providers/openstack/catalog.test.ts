import { describe, expect, it } from 'vitest';
import { CatalogError, parseCatalog, selectEndpoint } from './catalog.js';

const catalog = parseCatalog([
  { type: 'identity', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: 'https://k/v3' }] },
  {
    type: 'network',
    name: 'neutron',
    endpoints: [
      { interface: 'public', region_id: 'RegionOne', url: 'https://net-one' },
      { interface: 'internal', region_id: 'RegionOne', url: 'http://net-one.internal:9696' },
      { interface: 'public', region: 'RegionTwo', url: 'https://net-two' },
      { interface: 'public' }, // no url: skipped
    ],
  },
]);

describe('selectEndpoint', () => {
  it.each([
    ['public', 'RegionOne', 'https://net-one'],
    ['internal', 'RegionOne', 'http://net-one.internal:9696'],
    ['public', 'RegionTwo', 'https://net-two'],
    ['internal', undefined, 'http://net-one.internal:9696'],
  ] as const)('%s in %s -> %s', (iface, region, url) => {
    expect(selectEndpoint(catalog, 'network', iface, region)).toBe(url);
  });

  it.each([
    ['public', undefined, /several "network" endpoints .*regions: RegionOne, RegionTwo/],
    ['admin', 'RegionOne', /no "network" endpoint for interface admin in region RegionOne; it has: public@RegionOne, internal@RegionOne, public@RegionTwo/],
  ] as const)('%s in %s is refused', (iface, region, message) => {
    expect(() => selectEndpoint(catalog, 'network', iface, region)).toThrow(message);
  });

  it('a catalog without the service names the types it has', () => {
    expect(() => selectEndpoint(catalog, 'compute', 'public', undefined)).toThrow(new CatalogError('the Keystone catalog has no "compute" service; service types in it: identity, network'));
  });
});
