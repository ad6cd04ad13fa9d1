import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cniMarksOf, hasMarkPrefix, poolOf, rolesOf } from './cni-node-marks.js';

const PREFIXES = ['projectcalico.org/', 'io.cilium.', 'network.cilium.io/', 'cilium.io/', 'k3s.io/', 'rke2.io/'];

/** Keys near the prefixes: each prefix, its look-alikes (a dot for any character, a missing slash), and kubernetes' own. */
const key = fc
  .tuple(
    fc.constantFrom(...PREFIXES, 'projectcalicoXorg/', 'io.ciliumX', 'cilium.io', 'k3s.io', 'rke2Xio/', 'kubernetes.io/', 'flannel.alpha.coreos.com/', '', 'node.kubernetes.io/instance-type'),
    fc.string({ maxLength: 6 }),
  )
  .map(([p, rest]) => p + rest);

describe('hasMarkPrefix', () => {
  it('is true exactly when the key starts with one of the prefixes (as startsWith tells)', () => {
    fc.assert(
      fc.property(fc.oneof(key, fc.string()), (k) => {
        expect(hasMarkPrefix(k)).toBe(PREFIXES.some((p) => k.startsWith(p)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('cniMarksOf', () => {
  it('keeps every marked annotation and label, in order, with k3s/rke2 instance types', () => {
    const map = fc.dictionary(key, fc.constantFrom('k3s', 'rke2', 'k3s ', 'true', ''), { maxKeys: 8 });
    fc.assert(
      fc.property(map, map, (annotations, labels) => {
        const expected = [
          ...Object.keys(annotations).filter((k) => PREFIXES.some((p) => k.startsWith(p))).map((k) => ({ where: 'annotations', key: k, value: annotations[k] })),
          ...Object.keys(labels)
            .filter((k) => PREFIXES.some((p) => k.startsWith(p)) || (k === 'node.kubernetes.io/instance-type' && /^(k3s|rke2)$/.test(labels[k]!)))
            .map((k) => ({ where: 'labels', key: k, value: labels[k] })),
        ];
        expect(cniMarksOf(annotations, labels)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reads roles and the first pool label', () => {
    expect(rolesOf({ 'node-role.kubernetes.io/master': '', 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/etcd': 'true' })).toEqual(['control-plane', 'etcd']);
    expect(rolesOf({ 'kubernetes.io/os': 'linux' })).toEqual([]);
    expect(poolOf({ 'karpenter.sh/nodepool': 'spot', 'eks.amazonaws.com/nodegroup': 'ng-1' })).toBe('ng-1');
    expect(poolOf({ 'eks.amazonaws.com/nodegroup': '', 'kops.k8s.io/instancegroup': 'nodes' })).toBe('nodes');
    expect(poolOf({})).toBeUndefined();
  });
});
