import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CNI_RULE_SETS, RULE_SETS, catalogEntries, requirementsFor, requirementsForCni, validateCatalog, validateRequirements } from './catalog.js';
import type { FlannelConfig } from '../src/model/cluster.js';
import { ruleNode } from './testing/summary.js';
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

/** Every rule module: rules/*.ts except tests and the two shared modules. */
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'catalog.ts' && f !== 'rule-set.ts');

describe('requirement catalog registry: every CNI', () => {
  it('finds the CNI rule files', () => {
    expect(ruleFiles.filter((f) => !f.startsWith('flannel-')).sort()).toEqual(['calico.ts', 'cilium.ts', 'kubernetes-control-plane.ts']);
  });

  it.each(ruleFiles)('%s exports exactly one rule set, and it is registered', async (file) => {
    const mod = (await import(`./${file}`)) as Record<string, unknown>;
    const sets = Object.values(mod).filter((v) => typeof v === 'object' && v !== null && 'requirements' in v && 'ids' in v);
    expect(sets).toHaveLength(1);
    expect([...RULE_SETS, ...CNI_RULE_SETS]).toContain(sets[0]);
  });

  it('validates all sets together at load: ids unique and prefixed by their CNI, ports in range', () => {
    const entries = catalogEntries();
    expect(entries.map((e) => e.backend)).toEqual(expect.arrayContaining(['vxlan', 'calico', 'cilium', 'kubernetes']));
    expect(() => validateCatalog(entries)).not.toThrow();
    const ids = entries.flatMap((e) => [...e.ids]);
    expect(new Set(ids).size).toBe(ids.length);
    const calico = entries.find((e) => e.backend === 'calico')!;
    expect(() => validateCatalog([...entries.filter((e) => e !== calico), { ...calico, ids: [...calico.ids, 'cilium-bgp'] }])).toThrow('calico: id cilium-bgp must start with calico-');
    expect(() => validateCatalog([...entries.filter((e) => e !== calico), { ...calico, ids: [...calico.ids, 'cilium-vxlan'] }])).toThrow('requirement id cilium-vxlan used by both');
    expect(() => validateCatalog([...entries.filter((e) => e !== calico), { ...calico, ports: [70000] }])).toThrow('calico: port 70000 is not in 1-65535');
  });
});

describe('requirementsForCni: flannel-family CNIs', () => {
  const flannel: FlannelConfig = {
    network: '10.244.0.0/16', enableIPv4: true, enableIPv6: false,
    backend: { type: 'vxlan', port: 4789, vni: 4096, directRouting: false, gbp: false },
    origin: { kind: 'node-annotations', note: 'test' },
  };
  const nodes = [ruleNode('a'), ruleNode('b')];
  it.each(['flannel', 'canal', 'k3s', 'rke2'] as const)('%s goes through the flannel rule sets with its resolved config', (name) => {
    const got = requirementsForCni({ name, flannel }, nodes, { controlPlane: false });
    expect(got).toEqual(requirementsFor(flannel, nodes));
    expect(got.requirements.map((r) => `${r.id} ${r.kind === 'flow' ? r.fromPort : ''}`)).toEqual(['flannel-vxlan 4789']);
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
