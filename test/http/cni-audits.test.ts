/**
 * POST /v1/audits with CNI documents and the CNI options, through the real app and worker pool:
 * the calico-cross-subnet golden scenario's native files in `inputs.cni`, `options.cni`,
 * `options.controlPlane`, and a bad `options.cni`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import { bearer, testApp, type TestApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';
import { blockedPairs } from '../support/report-pairs.js';

const SCENARIO = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'golden', 'calico-cross-subnet');
const golden = (file: string): any => JSON.parse(readFileSync(join(SCENARIO, file), 'utf8'));

function calicoBody(options?: Record<string, unknown>, edit?: (nodes: any) => void): { inputs: Record<string, unknown>; options?: Record<string, unknown> } {
  const nodes = golden('nodes.json');
  edit?.(nodes);
  return {
    inputs: {
      nodes,
      cni: [golden('calico-config.json'), golden('ippools.json')],
      aws: ['describe-network-interfaces.json', 'describe-security-groups.json', 'describe-subnets.json', 'describe-network-acls.json'].map(golden),
    },
    ...(options && { options }),
  };
}

/** Document names differ by design (a file path in the golden, a request pointer here); nothing else may. */
function withoutDocumentNames(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v) => (key === 'document' && typeof v === 'string' ? '<document>' : v));
}

describe('POST /v1/audits with CNI documents and options', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  const post = (body: unknown) => request(t.app).post('/v1/audits').set('Authorization', bearer('audit')).send(body as object);

  it('the golden Calico CrossSubnet inputs in inputs.cni give the golden report', async () => {
    const res = await post(calicoBody({ maxPairs: 1000 }));
    expect(res.status).toBe(201);
    expectConformsToSpec(res, 'createAudit');
    const expected = golden('expected.json') as AuditReport;
    const report = res.body as AuditReport;
    expect(report.cni?.evidence.map((e) => e.source?.document)).toEqual(['/inputs/cni/0', '/inputs/cni/1', '/inputs/nodes']);
    for (const key of ['summary', 'cni', 'requirements', 'findings', 'remediations', 'nodes', 'warnings'] as const) {
      expect(withoutDocumentNames(report[key]), key).toEqual(withoutDocumentNames(expected[key]));
    }
    // Hand-checked: only the 8 pairs between the two subnets need IP-in-IP, and no rule admits protocol 4.
    expect(report.findings.map((f) => `${f.verdict}:${f.requirement}:${f.pairCount}`)).toEqual(['blocked:calico-ipip:8']);
  });

  it('options.cni "cilium" on Calico documents: given, Cilium requirements, every Calico fact a conflict', async () => {
    const res = await post(calicoBody({ cni: 'cilium' }));
    expect(res.status).toBe(201);
    expectConformsToSpec(res, 'createAudit');
    const report = res.body as AuditReport;
    expect(report.cni).toMatchObject({ name: 'cilium', how: 'given', evidence: [] });
    expect(report.cni?.conflicts).toHaveLength(3);
    expect(report.cni?.conflicts.join('\n')).toContain('ConfigMap kube-system/calico-config is Calico\'s configuration (calico_backend: bird), which points at calico, not cilium (/inputs/cni/0#)');
    expect(report.cni?.conflicts.join('\n')).toContain('IPPool default-ipv4-ippool is a Calico resource, which points at calico, not cilium (/inputs/cni/1#/items/0)');
    expect(report.warnings.filter((w) => w.code === 'cni-evidence-conflict')).toHaveLength(3);
    expect(report.requirements.map((r) => r.id).every((id) => id.startsWith('cilium-'))).toBe(true);
    expect(report.requirements.map((r) => r.id)).not.toContain('calico-ipip');
  });

  it('a bad options.cni: 422 problem+json naming /options/cni, the value and the accepted names; nothing audited', async () => {
    const before = (await request(t.app).get('/v1/audits').set('Authorization', bearer('read'))).body.items.length;
    const res = await post(calicoBody({ cni: 'weave' }));
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expectConformsToSpec(res, 'createAudit');
    expect(res.body.errors).toEqual([
      { pointer: '/options/cni', value: 'weave', reason: 'must be one of "auto", "flannel", "canal", "k3s", "rke2", "calico", "cilium"' },
    ]);
    expect(res.body.detail).toContain('/options/cni must be one of');
    const after = (await request(t.app).get('/v1/audits').set('Authorization', bearer('read'))).body.items.length;
    expect(after).toBe(before);
  });

  it('options.controlPlane adds the control-plane requirements, with the pairs the node roles give', async () => {
    const plain = (await post(calicoBody({ maxPairs: 1000 }))).body as AuditReport;
    expect(plain.requirements.map((r) => r.id).filter((id) => id.startsWith('kubernetes-'))).toEqual([]);

    // ip-10-0-1-21 is labelled control-plane in the golden nodes; the group admits neither 6443 nor 10250.
    const cp = 'ip-10-0-1-21.ec2.internal';
    const others = ['ip-10-0-1-22.ec2.internal', 'ip-10-0-2-21.ec2.internal', 'ip-10-0-2-22.ec2.internal'];
    const one = (await post(calicoBody({ maxPairs: 1000, controlPlane: true }))).body as AuditReport;
    expect(one.requirements.map((r) => r.id).filter((id) => id.startsWith('kubernetes-'))).toEqual(['kubernetes-api-server', 'kubernetes-kubelet', 'kubernetes-etcd']);
    expect(blockedPairs(one, 'kubernetes-api-server')).toEqual(others.map((o) => `${o}->${cp}`).sort());
    expect(blockedPairs(one, 'kubernetes-kubelet')).toEqual(others.map((o) => `${cp}->${o}`).sort());
    // One control-plane node: stacked etcd has no pair.
    expect(blockedPairs(one, 'kubernetes-etcd')).toEqual([]);
    // The Calico findings are untouched.
    expect(blockedPairs(one, 'calico-ipip')).toEqual(blockedPairs(plain, 'calico-ipip'));

    // A second control-plane node in the other subnet: 2 x 2 API server pairs, 2 x 2 kubelet pairs, 2 etcd pairs.
    const second = 'ip-10-0-2-21.ec2.internal';
    const two = (await post(calicoBody({ maxPairs: 1000, controlPlane: true }, (nodes) => {
      nodes.items.find((n: any) => n.metadata.name === second).metadata.labels['node-role.kubernetes.io/control-plane'] = '';
    }))).body as AuditReport;
    expect(blockedPairs(two, 'kubernetes-api-server')).toHaveLength(2 * 2 + 2);
    expect(blockedPairs(two, 'kubernetes-kubelet')).toHaveLength(2 * 2 + 2);
    expect(blockedPairs(two, 'kubernetes-etcd')).toEqual([`${cp}->${second}`, `${second}->${cp}`]);
  });

  it('no CNI evidence at all: 422 naming what was looked for and options.cni, never flannel by default', async () => {
    const body = calicoBody(undefined, (nodes) => {
      for (const n of nodes.items) for (const k of Object.keys(n.metadata.annotations)) if (k.startsWith('projectcalico.org/')) delete n.metadata.annotations[k];
    });
    delete body.inputs.cni;
    const res = await post(body);
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createAudit');
    expect(res.body.type).toBe('/docs#problem-invalid-input');
    expect(res.body.errors).toHaveLength(1);
    const [error] = res.body.errors;
    // The request's own field, not the CLI flag.
    expect(error).toMatchObject({ pointer: '/options/cni', value: 'auto' });
    expect(error.reason).toMatch(/^cannot tell which CNI the cluster runs: no evidence found \(looked for ConfigMaps kube-flannel-cfg, canal-config, calico-config, cilium-config;.* node annotations flannel\.alpha\.coreos\.com\/\*, projectcalico\.org\/\*/);
    expect(error.reason).toContain('pass options.cni <flannel|canal|k3s|rke2|calico|cilium>');
    expect(error.reason).not.toContain('--cni');
  });

  it('options.controlPlane with no node labelled control-plane: no pair, and a warning that says why', async () => {
    const res = await post(calicoBody({ controlPlane: true }, (nodes) => {
      for (const n of nodes.items) delete n.metadata.labels['node-role.kubernetes.io/control-plane'];
    }));
    expect(res.status).toBe(201);
    const report = res.body as AuditReport;
    expect(report.findings.filter((f) => f.requirement.startsWith('kubernetes-'))).toEqual([]);
    expect(report.warnings.map((w) => w.code)).toContain('control-plane-nodes-missing');
  });
});
