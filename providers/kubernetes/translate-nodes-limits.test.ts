import { describe, expect, it } from 'vitest';
import { InputError, type InputProblem } from '../../src/model/source.js';
import { translateNodes } from './translate-nodes.js';
import { awsNode, nodeList } from './testdata/nodes.js';

function problemsOf(fn: () => unknown): InputProblem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

const nodes = (...items: Record<string, unknown>[]) => [{ name: 'nodes.json', body: nodeList(...items) }];

describe('translateNodes: names and metadata the apiserver would refuse', () => {
  it.each([
    ['a NUL byte', 'node\u0000a', 'metadata.name contains the control character U+0000 at position 4; Kubernetes names are DNS subdomains'],
    ['a newline', 'node-a\n', 'metadata.name contains the control character U+000A at position 6; Kubernetes names are DNS subdomains'],
    ['DEL', '\u007fnode', 'metadata.name contains the control character U+007F at position 0; Kubernetes names are DNS subdomains'],
  ])('refuses a node name with %s, naming the field and the character', (_what, name, reason) => {
    const problems = problemsOf(() => translateNodes(nodes(awsNode(name, '172.16.10.11', '10.244.1.0/24'))));
    expect(problems).toContainEqual({ document: 'nodes.json', pointer: '/items/0/metadata/name', reason, value: name });
  });

  it('refuses a name longer than 253 characters with its length and the limit, and shows only its start', () => {
    const name = 'n'.repeat(200_000);
    const problems = problemsOf(() => translateNodes(nodes(awsNode(name, '172.16.10.11', '10.244.1.0/24'))));
    expect(problems).toContainEqual({
      document: 'nodes.json',
      pointer: '/items/0/metadata/name',
      reason: 'metadata.name is 200000 characters long; Kubernetes allows at most 253 (a DNS subdomain)',
      value: `${'n'.repeat(64)}...`,
    });
    expect(new InputError(problems).message.length).toBeLessThan(2000);
  });

  it('accepts a name of exactly 253 characters', () => {
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(name).toHaveLength(253);
    const node = awsNode(name, '172.16.10.11', '10.244.1.0/24');
    (node['metadata'] as { labels: Record<string, string> }).labels['kubernetes.io/hostname'] = 'short';
    expect(translateNodes(nodes(node)).nodes[0]!.name).toBe(name);
  });

  it('refuses annotations larger than the apiserver allows (256 KiB together)', () => {
    const node = awsNode('node-a', '172.16.10.11', '10.244.1.0/24', { annotations: { 'example.com/blob': 'x'.repeat(300_000) } });
    const problems = problemsOf(() => translateNodes(nodes(node)));
    expect(problems).toContainEqual({ document: 'nodes.json', pointer: '/items/0/metadata/annotations', reason: expect.stringMatching(/^the annotations hold \d+ characters of keys and values; Kubernetes allows at most 262144$/) as unknown as string });
  });
});
