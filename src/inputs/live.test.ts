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
  it('looks up every IPv4 address a CNI may tunnel from: public-ip, InternalIP and Calico IPv4Address, de-duplicated', () => {
    expect(vtepIpsOf({ nodes: [nodeList] }).sort()).toEqual(['10.0.0.1', '10.0.0.2', '172.16.0.1']);
    const calico = {
      name: 'calico-nodes.json',
      body: {
        apiVersion: 'v1',
        kind: 'NodeList',
        items: [
          {
            metadata: { name: 'k', annotations: { 'projectcalico.org/IPv4Address': '10.1.0.7/24', 'projectcalico.org/IPv6Address': 'fd00::7/64' } },
            status: { addresses: [{ type: 'InternalIP', address: '10.0.0.7' }] },
          },
        ],
      },
    };
    expect(vtepIpsOf({ nodes: [calico] }).sort()).toEqual(['10.0.0.7', '10.1.0.7']);
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
