import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULE_SETS, validateCatalog, validateRequirements } from './catalog.js';
import { SUPPORTED_BACKENDS } from '../providers/kubernetes/flannel-backends.js';
import type { Requirement } from '../src/model/requirement.js';

const rulesDir = fileURLToPath(new URL('.', import.meta.url));
const backendFiles = readdirSync(rulesDir).filter((f) => /^flannel-.*\.ts$/.test(f) && !f.endsWith('.test.ts'));

describe('requirement catalog registry', () => {
  it('finds the backend files', () => {
    expect(backendFiles.sort()).toEqual(['flannel-host-gw.ts', 'flannel-ipip.ts', 'flannel-ipsec.ts', 'flannel-udp.ts', 'flannel-vxlan.ts', 'flannel-wireguard.ts']);
  });

  it.each(backendFiles)('%s exports a rule set that is registered', async (file) => {
    const mod = (await import(`./${file}`)) as Record<string, unknown>;
    const sets = Object.values(mod).filter((v) => typeof v === 'object' && v !== null && 'requirements' in v && 'backend' in v);
    expect(sets).toHaveLength(1);
    expect(RULE_SETS).toContain(sets[0]);
    expect(`flannel-${(sets[0] as { backend: string }).backend}.ts`).toBe(file);
  });

  it('covers every backend the translator accepts, once', () => {
    expect(RULE_SETS.map((s) => s.backend).sort()).toEqual([...SUPPORTED_BACKENDS].sort());
  });

  it('has unique ids across all backends', () => {
    const ids = RULE_SETS.flatMap((s) => [...s.ids]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('catalog validation', () => {
  const good = { backend: 'udp', docUrl: 'https://example.invalid/backends.md#udp', ids: ['flannel-udp'], ports: [8285] };
  it.each<[string, object, string]>([
    ['duplicate id', { ...good, backend: 'vxlan', ids: ['flannel-udp'] }, 'requirement id flannel-udp used by both udp and vxlan'],
    ['port 0', { ...good, backend: 'ipip', ids: ['flannel-ipip'], ports: [0] }, 'ipip: port 0 is not in 1-65535'],
    ['port 65536', { ...good, backend: 'ipip', ids: ['flannel-ipip'], ports: [65536] }, 'ipip: port 65536 is not in 1-65535'],
    ['id not prefixed', { ...good, backend: 'ipip', ids: ['ipip'] }, 'ipip: id ipip must start with flannel-ipip'],
    ['http link', { ...good, backend: 'ipip', ids: ['flannel-ipip'], docUrl: 'http://x' }, 'ipip: docUrl must be an https link'],
  ])('rejects %s', (_name, bad, message) => {
    expect(() => validateCatalog([good, bad as typeof good])).toThrow(message);
  });

  it('accepts the good entry on its own (so the cases above fail for their stated reason)', () => {
    expect(() => validateCatalog([good])).not.toThrow();
  });

  const flowReq = (over: Partial<Requirement & { fromPort: number; toPort: number }>): Requirement => ({
    kind: 'flow', id: 'flannel-udp', cni: 'flannel', backend: 'udp', title: 't', description: 'd', docUrl: 'https://x',
    protocol: { name: 'udp', number: 17 }, fromPort: 8285, toPort: 8285, family: 4, source: 'node-vtep', destination: 'node-vtep',
    ...over,
  } as Requirement);
  it.each<[string, Requirement[], string | undefined]>([
    ['a valid single port', [flowReq({})], undefined],
    ['fromPort > toPort', [flowReq({ fromPort: 9000, toPort: 8000 })], 'port range 9000-8000'],
    ['port 0', [flowReq({ fromPort: 0, toPort: 0 })], 'port range 0-0'],
    ['undeclared id', [flowReq({ id: 'flannel-udp-extra' })], 'flannel-udp-extra is not declared'],
    ['same id twice', [flowReq({}), flowReq({})], 'flannel-udp produced twice'],
    ['ports on ESP', [flowReq({ protocol: { name: 'esp', number: 50 } })], 'ports given for protocol esp'],
  ])('produced requirements: %s', (_name, reqs, message) => {
    const run = () => validateRequirements({ backend: 'udp', ids: ['flannel-udp'] }, reqs);
    if (message) expect(run).toThrow(message);
    else expect(run).not.toThrow();
  });
});
