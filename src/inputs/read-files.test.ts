import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, type InputProblem } from '../model/source.js';
import { readDocuments } from './read-files.js';

const dir = mkdtempSync(join(tmpdir(), 'sgaudit-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function problemsOf(p: Promise<unknown>): Promise<InputProblem[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

const NODES_YAML = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata:
    name: ip-172-16-10-11
    annotations:
      flannel.alpha.coreos.com/backend-type: vxlan
      flannel.alpha.coreos.com/public-ip: 172.16.10.11
  spec:
    podCIDR: 10.244.1.0/24
    providerID: aws:///us-east-1a/i-0abc123def4567890
`;

describe('readDocuments', () => {
  it('reads JSON files', async () => {
    const p = file('nodes.json', '{"kind":"List","items":[]}');
    expect(await readDocuments([p], '--nodes')).toEqual([{ name: p, body: { kind: 'List', items: [] } }]);
  });

  it('reads kubectl -o yaml output with YAML 1.2 scalars (no "on"/"yes" booleans, strings stay strings)', async () => {
    const p = file('nodes.yaml', NODES_YAML);
    const [d] = await readDocuments([p], '--nodes');
    expect(d!.name).toBe(p);
    expect(d!.body).toMatchObject({ kind: 'List', items: [{ metadata: { name: 'ip-172-16-10-11', annotations: { 'flannel.alpha.coreos.com/public-ip': '172.16.10.11' } }, spec: { podCIDR: '10.244.1.0/24' } }] });
  });

  it('splits multi-document YAML and ignores a trailing ---', async () => {
    const p = file('two.yaml', 'kind: Node\nmetadata: {name: a}\n---\nkind: Node\nmetadata: {name: b}\n---\n');
    const docs = await readDocuments([p], '--nodes');
    expect(docs.map((d) => d.name)).toEqual([`${p}[0]`, `${p}[1]`]);
    expect(docs.map((d) => (d.body as { metadata: { name: string } }).metadata.name)).toEqual(['a', 'b']);
  });

  it('strips a UTF-8 byte-order mark', async () => {
    const p = file('bom.json', '\uFEFF{"kind":"Node"}');
    expect((await readDocuments([p], '--nodes'))[0]!.body).toEqual({ kind: 'Node' });
  });

  it('reads stdin for -', async () => {
    const docs = await readDocuments(['-'], '--flannel', async () => '{"Network":"10.244.0.0/16"}');
    expect(docs).toEqual([{ name: 'stdin', body: { Network: '10.244.0.0/16' } }]);
  });

  it('reads several files in order', async () => {
    const a = file('a.json', '{"n":1}');
    const b = file('b.yml', 'n: 2\n');
    expect((await readDocuments([a, b], '--aws')).map((d) => d.body)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('returns nothing for no paths', async () => {
    expect(await readDocuments([], '--openstack')).toEqual([]);
  });
});

describe('readDocuments: bad files', () => {
  mkdirSync(join(dir, 'a-directory'), { recursive: true });
  const cases: { name: string; make: () => string; reason: (p: string) => string }[] = [
    { name: 'missing file', make: () => join(dir, 'nope.json'), reason: (p) => `--nodes: cannot read ${p}: file not found` },
    { name: 'directory', make: () => join(dir, 'a-directory'), reason: (p) => `--nodes: cannot read ${p}: is a directory, not a file` },
    { name: 'empty file', make: () => file('empty.json', ''), reason: (p) => `--nodes: ${p} is empty` },
    { name: 'whitespace only', make: () => file('blank.yaml', '  \n\n'), reason: (p) => `--nodes: ${p} is empty` },
    { name: 'trailing comma', make: () => file('comma.json', '{\n  "kind": "List",\n  "items": [],\n}\n'), reason: () => '--nodes: malformed JSON at line 4 column 1: Expected double-quoted property name' },
    { name: 'truncated JSON', make: () => file('trunc.json', '{\n  "kind": "List"'), reason: () => "--nodes: malformed JSON at line 2 column 17: Expected ',' or '}' after property value" },
    { name: '.json that is not JSON', make: () => file('text.json', 'hello'), reason: () => "--nodes: malformed JSON: Unexpected token 'h'" },
    { name: 'bad YAML', make: () => file('bad.yaml', 'kind: Node\nmetadata:\n  name: [a\n'), reason: () => expect.stringMatching(/^--nodes: malformed YAML at line \d+ column \d+: /) as unknown as string },
    { name: 'YAML with only comments', make: () => file('comments.yaml', '# nothing here\n'), reason: (p) => `--nodes: ${p} holds no YAML document` },
  ];
  it.each(cases)('$name', async ({ make, reason }) => {
    const p = make();
    expect(await problemsOf(readDocuments([p], '--nodes'))).toEqual([{ document: p, pointer: '', reason: reason(p) }]);
  });

  it('reports every bad file at once and - twice', async () => {
    const problems = await problemsOf(readDocuments([join(dir, 'x.json'), file('e.json', ''), file('ok.json', '{}')], '--aws'));
    expect(problems.map((p) => p.reason)).toEqual([`--aws: cannot read ${join(dir, 'x.json')}: file not found`, `--aws: ${join(dir, 'e.json')} is empty`]);
    expect(await problemsOf(readDocuments(['-', '-'], '--aws', async () => '{}'))).toEqual([{ document: '--aws', pointer: '', reason: 'stdin (-) can be given only once' }]);
  });
});

describe('readDocuments: nesting depth', () => {
  const deepJson = (levels: number): string => `{"kind":"List","items":[${'['.repeat(levels)}${']'.repeat(levels)}]}`;

  it('refuses a JSON file nested 5,000 levels with the pointer where it stops, not a stack overflow', async () => {
    const p = file('deep.json', deepJson(5000));
    const problems = await problemsOf(readDocuments([p], '--nodes'));
    // Root object is level 1, items level 2, then 62 more arrays: the 65th level is items/0/0/…/0 (63 zeros).
    expect(problems).toEqual([{ document: p, pointer: `/items${'/0'.repeat(63)}`, reason: '--nodes: nests deeper than 64 levels of arrays and objects, the most sgaudit reads' }]);
  });

  it('reads a file at exactly 64 levels', async () => {
    const p = file('deep-ok.json', deepJson(62));
    expect(await readDocuments([p], '--nodes')).toHaveLength(1);
  });

  it('refuses deeply nested YAML (flow and block) with a problem, never a RangeError', async () => {
    const flow = file('deep-flow.yaml', `kind: List\nitems: ${'['.repeat(20000)}${']'.repeat(20000)}\n`);
    const flowProblems = await problemsOf(readDocuments([flow], '--nodes'));
    expect(flowProblems).toHaveLength(1);
    expect(flowProblems[0]!.document).toBe(flow);
    expect(flowProblems[0]!.reason).toBe('--nodes: the YAML nests too deeply to read (more than 64 levels of lists and maps are not read)');
    const block = file('deep-block.yaml', Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n');
    const blockProblems = await problemsOf(readDocuments([block], '--nodes'));
    expect(blockProblems).toEqual([{ document: block, pointer: Array.from({ length: 64 }, (_, i) => `/k${i}`).join(''), reason: '--nodes: nests deeper than 64 levels of arrays and objects, the most sgaudit reads' }]);
  });
});
