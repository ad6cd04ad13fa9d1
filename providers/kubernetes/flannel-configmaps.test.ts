import { describe, expect, it } from 'vitest';
import { parseConfigMapRef } from './flannel-configmaps.js';

describe('parseConfigMapRef', () => {
  it.each([
    ['kube-flannel/kube-flannel-cfg', { namespace: 'kube-flannel', name: 'kube-flannel-cfg' }],
    ['kube-system/canal-config', { namespace: 'kube-system', name: 'canal-config' }],
    ['ns/rke2.flannel', { namespace: 'ns', name: 'rke2.flannel' }],
  ])('%s', (text, ref) => {
    expect(parseConfigMapRef(text)).toEqual(ref);
  });

  it.each(['kube-flannel-cfg', 'a/b/c', '/x', 'x/', 'Kube/x', 'ns/-bad'])('rejects %s', (text) => {
    expect(() => parseConfigMapRef(text)).toThrow(/namespace\/name/);
  });
});
