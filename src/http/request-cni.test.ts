import { describe, expect, it } from 'vitest';
import { auditRequest, whatifRequest } from './posted-request.js';

describe('CNI documents and options in request bodies', () => {
  it('names inputs.cni documents by their pointers and carries options.cni / controlPlane', () => {
    const { inputs } = auditRequest({
      inputs: { nodes: { kind: 'List', items: [] }, cni: [{ kind: 'ConfigMap' }, { kind: 'IPPoolList' }] },
      options: { cni: 'calico', controlPlane: true },
    });
    expect(inputs.cni?.map((d) => d.name)).toEqual(['/inputs/cni/0', '/inputs/cni/1']);
    expect(inputs.cniChoice).toBe('calico');
    expect(inputs.requirementOptions).toEqual({ controlPlane: true });
  });

  it('leaves the defaults (auto, no control plane) when the options are absent', () => {
    const { inputs } = whatifRequest({ inputs: { nodes: { kind: 'List', items: [] }, cni: { kind: 'ConfigMap' } }, proposed: { aws: [] } });
    expect(inputs.cni?.map((d) => d.name)).toEqual(['/inputs/cni']);
    expect(inputs.cniChoice).toBeUndefined();
    expect(inputs.requirementOptions).toBeUndefined();
  });
});
