import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CNI_TARGETS } from './collect-cni.js';
import { DEFAULT_FLANNEL_CONFIGMAPS } from './flannel-configmaps.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace: string }[];
}

const manifest = parseAllDocuments(readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8')).map(
  (d) => d.toJS() as Obj,
);

function boundToServiceAccount(roleKind: string, roleName: string, namespace?: string): boolean {
  const bindingKind = roleKind === 'ClusterRole' ? 'ClusterRoleBinding' : 'RoleBinding';
  return manifest.some(
    (o) =>
      o.kind === bindingKind &&
      o.metadata.namespace === namespace &&
      o.roleRef?.kind === roleKind &&
      o.roleRef.name === roleName &&
      o.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === 'sgaudit' && s.namespace === 'sgaudit'),
  );
}

/** Every (scope, group, resource, verb, name) a rule grants, one string each. */
function grantsOf(o: Obj): string[] {
  const scope = o.kind === 'ClusterRole' ? '(cluster)' : o.metadata.namespace!;
  return (o.rules ?? []).flatMap((rule) =>
    rule.apiGroups.flatMap((group) =>
      rule.resources.flatMap((resource) =>
        rule.verbs.flatMap((verb) => (rule.resourceNames ?? ['*']).map((name) => `${scope} ${group || 'core'} ${resource} ${verb} ${name}`)),
      ),
    ),
  );
}

describe('deploy/rbac.yaml grants exactly what the collector reads', () => {
  it('nodes get+list through a bound ClusterRole of its own', () => {
    const role = manifest.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'sgaudit-read-nodes')!;
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }]);
    expect(boundToServiceAccount('ClusterRole', role.metadata.name)).toBe(true);
  });

  it.each(DEFAULT_FLANNEL_CONFIGMAPS)('configmap $namespace/$name is gettable by name only', ({ namespace, name }) => {
    const roles = manifest.filter((o) => o.kind === 'Role' && o.metadata.namespace === namespace);
    const granting = roles.filter((r) =>
      r.rules?.some((rule) => rule.resources.includes('configmaps') && rule.verbs.includes('get') && rule.resourceNames?.includes(name)),
    );
    expect(granting).toHaveLength(1);
    expect(boundToServiceAccount('Role', granting[0]!.metadata.name, namespace)).toBe(true);
  });

  it.each(CNI_TARGETS.map((t) => [t.what, t] as const))('CNI read %s is granted by a bound role, and its 403 hint names it', (_what, target) => {
    const g = target.grant;
    const kind = g.namespace === undefined ? 'ClusterRole' : 'Role';
    const want = `${g.namespace ?? '(cluster)'} ${g.apiGroup || 'core'} ${g.resource} ${g.verb} ${g.resourceName ?? '*'}`;
    const granting = manifest.filter((o) => o.kind === kind && o.metadata.namespace === g.namespace && grantsOf(o).includes(want));
    expect(granting).toHaveLength(1);
    expect(boundToServiceAccount(kind, granting[0]!.metadata.name, g.namespace)).toBe(true);
    expect(target.permission).toContain(`\`${g.resource}\` verb \`${g.verb}\``);
    if (g.resourceName) expect(target.permission).toContain(`resourceNames [${g.resourceName}]`);
  });

  it('nothing beyond those reads: no write or watch verb, no unnamed get, no secret or ConfigMap by wildcard', () => {
    const granted = manifest.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').flatMap(grantsOf).sort();
    const needed = [
      '(cluster) core nodes get *',
      '(cluster) core nodes list *',
      ...DEFAULT_FLANNEL_CONFIGMAPS.map((c) => `${c.namespace} core configmaps get ${c.name}`),
      ...CNI_TARGETS.map(({ grant: g }) => `${g.namespace ?? '(cluster)'} ${g.apiGroup || 'core'} ${g.resource} ${g.verb} ${g.resourceName ?? '*'}`),
    ].sort();
    expect(granted).toEqual(needed);
  });
});
