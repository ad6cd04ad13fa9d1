/**
 * `sgaudit collect` against a Calico cluster (fake API server, the real @kubernetes/client-node)
 * saves the CNI documents it read, and `sgaudit audit` on the saved files gives the report the
 * live audit gives: a live response and a saved export take the same path. The cloud side is the
 * calico-cross-subnet golden scenario's EC2 exports, whose instances the fake cluster's nodes are.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer } from '../support/fake-apiserver.js';
import { runCli } from '../support/run-cli.js';

const SCENARIO = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'golden', 'calico-cross-subnet');
const AWS = ['describe-network-interfaces.json', 'describe-security-groups.json', 'describe-subnets.json', 'describe-network-acls.json'].map((f) => join(SCENARIO, f));
const TOKEN = 'cni-collect-audit-token';

const golden = (file: string): any => JSON.parse(readFileSync(join(SCENARIO, file), 'utf8'));
/** List items as the API server stores them: without kind/apiVersion. */
const stored = (item: Record<string, unknown>): Record<string, unknown> => {
  const { kind: _k, apiVersion: _a, ...rest } = item;
  return rest;
};

/**
 * The report with every document name replaced by a neutral token: live names
 * (`live:kubernetes/…`) and saved file paths differ by design, everything else must not.
 */
function withoutDocumentNames(report: AuditReport): unknown {
  return JSON.parse(JSON.stringify(report), (key, value) => (key === 'document' && typeof value === 'string' ? '<document>' : value));
}

let api: FakeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  api = await startFakeApiServer({
    token: TOKEN,
    nodes: golden('nodes.json').items.map(stored),
    configMaps: { 'kube-system/calico-config': golden('calico-config.json').data },
    customObjects: { 'crd.projectcalico.org/v1/ippools': golden('ippools.json').items },
  });
  kubeconfig = await writeKubeconfig(api.server, TOKEN);
});

afterAll(async () => {
  await api?.close();
});

describe('collect a Calico cluster, then audit the saved files', () => {
  it('saves the CNI documents as cni*.json and the offline audit equals the live one', async () => {
    const live = await runCli(['audit', '--kubeconfig', kubeconfig, '--context', 'fake', '--aws', ...AWS, '--format', 'json']);
    expect(live.code).toBe(1);
    const liveReport = JSON.parse(live.out) as AuditReport;

    const dir = await mkdtemp(join(tmpdir(), 'sgaudit-cni-collect-'));
    const { main } = await import('../../src/cli/main.js');
    const saved = process.exitCode;
    try {
      expect(await main(['node', 'sgaudit', 'collect', '--kubeconfig', kubeconfig, '--context', 'fake', '--out', dir])).toBe(0);
    } finally {
      process.exitCode = saved;
    }
    const files = readdirSync(dir).sort();
    const cniFiles = files.filter((f) => /^cni(-\d+)?\.json$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['nodes.json', 'unavailable.json', 'cni.json']));
    // calico-config and the IPPool list (the empty DaemonSet/Deployment lists of this cluster hold nothing).
    const kinds = cniFiles.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { kind: string; metadata?: { name?: string }; items?: unknown[] });
    expect(kinds.map((d) => d.kind)).toEqual(expect.arrayContaining(['ConfigMap', 'IPPoolList']));
    expect(kinds.find((d) => d.kind === 'ConfigMap')?.metadata?.name).toBe('calico-config');
    expect(kinds.find((d) => d.kind === 'IPPoolList')?.items).toHaveLength(1);

    // In the order a shell glob lists them (cni-2.json before cni.json), not the order they were read.
    const offline = await runCli([
      'audit', '--nodes', join(dir, 'nodes.json'), '--cni-config', ...cniFiles.map((f) => join(dir, f)),
      '--aws', ...AWS, '--unavailable', join(dir, 'unavailable.json'), '--format', 'json',
    ]);
    expect(offline.code).toBe(1);
    const offlineReport = JSON.parse(offline.out) as AuditReport;

    // The facts first, so a difference reads as one.
    expect(liveReport.cni).toMatchObject({ name: 'calico', how: 'detected', conflicts: [] });
    expect(liveReport.cni?.summary).toBe('calico: BGP on (tcp 179), IPPool default-ipv4-ippool 192.168.0.0/16 IP-in-IP CrossSubnet');
    expect(liveReport.flannel).toBeUndefined();
    expect(liveReport.requirements.map((r) => r.id)).toEqual(['calico-ipip', 'calico-native-pod-traffic', 'calico-native-foreign-address', 'calico-bgp']);
    expect(liveReport.summary).toMatchObject({ nodes: 4, directedPairs: 12, allowed: 4, blocked: 8, unknown: 0 });
    expect(liveReport.findings.map((f) => `${f.verdict}:${f.requirement}:${f.pairCount}`)).toEqual(['blocked:calico-ipip:8']);
    // Live evidence names where it was read; offline, the saved file.
    expect(liveReport.cni?.evidence.map((e) => e.source?.document)).toEqual(
      expect.arrayContaining(['live:kubernetes/configmaps/kube-system/calico-config', 'live:kubernetes/ippools.crd.projectcalico.org']),
    );
    expect(offlineReport.cni?.evidence.map((e) => e.source?.document)).toEqual(expect.arrayContaining([join(dir, 'cni.json')]));

    expect(withoutDocumentNames(offlineReport)).toEqual(withoutDocumentNames(liveReport));
  });
});
