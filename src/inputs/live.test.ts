import { describe, expect, it } from 'vitest';
import { InputError } from '../model/source.js';
import { collectLiveInputs, vtepIpsOf } from './live.js';
import { emptyInputs } from '../model/documents.js';

const nodeList = {
  name: 'nodes.json',
  body: {
    apiVersion: 'v1',
    kind: 'NodeList',
    items: [
      { metadata: { name: 'a', annotations: { 'flannel.alpha.coreos.com/public-ip': '172.16.0.1' } }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } },
      { metadata: { name: 'b' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } },
      { metadata: { name: 'c', annotations: { 'flannel.alpha.coreos.com/public-ip': '172.16.0.1' } } },
    ],
  },
};

describe('collectLiveInputs', () => {
  it('takes VTEP IPs the way the audit reads them: public-ip annotation, else InternalIP, de-duplicated', () => {
    expect(vtepIpsOf({ nodes: [nodeList] }).sort()).toEqual(['10.0.0.2', '172.16.0.1']);
  });

  it('refuses nodes from files and from a cluster at once', async () => {
    const files = emptyInputs();
    files.nodes = [nodeList];
    await expect(collectLiveInputs(files, { kubernetes: { context: 'x' } })).rejects.toThrow(InputError);
  });

  it('refuses live AWS without any nodes to start from', async () => {
    await expect(collectLiveInputs(emptyInputs(), { aws: { region: 'us-east-1' } })).rejects.toThrow(/starts from the nodes' VTEP IPs/);
  });

  it('with no live source the file inputs pass through unchanged', async () => {
    const files = emptyInputs();
    files.nodes = [nodeList];
    const { inputs, calls } = await collectLiveInputs(files, {});
    expect(inputs).toEqual(files);
    expect(inputs).not.toBe(files);
    expect(calls).toEqual({ kubernetes: 0, aws: 0 });
  });
});
