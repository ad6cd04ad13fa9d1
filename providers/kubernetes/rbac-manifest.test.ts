import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
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

describe('deploy/rbac.yaml grants exactly what the collector reads', () => {
  it('nodes get+list through a bound ClusterRole, nothing writable', () => {
    const roles = manifest.filter((o) => o.kind === 'ClusterRole');
    expect(roles).toHaveLength(1);
    const role = roles[0]!;
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

  it('every Role rule is get-only and names its resources', () => {
    for (const role of manifest.filter((o) => o.kind === 'Role')) {
      for (const rule of role.rules ?? []) {
        expect(rule.verbs).toEqual(['get']);
        expect(rule.resourceNames?.length).toBeGreaterThan(0);
      }
    }
  });
});
