/**
 * End-to-end tests of the sgaudit CLI: the real `main()` in-process with captured stdout/stderr,
 * plus spawned processes (`node --import tsx src/cli/bin.ts`, and the built `dist/src/cli/bin.js`)
 * to check what a shell sees: exit status, streams, and the bundled example found from the package root.
 * Bad inputs are derived from examples/incident by one focused edit each, so every message
 * below is traceable to exactly one broken field.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { AuditReport } from '../../src/model/report.js';
import { requireTier } from '../support/tier.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INCIDENT = join(REPO_ROOT, 'examples', 'incident');
const HEALTHY = join(REPO_ROOT, 'test', 'golden', 'healthy');

const FIX_COMMAND =
  'openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472 --remote-ip 172.16.10.0/24';
const INCIDENT_NODES = ['k8s-master-0', 'k8s-worker-0', 'k8s-worker-1', 'k8s-worker-2'];

/** Paths as a user would type them from the repository root, so report document names match the golden files. */
function arg(abs: string): string {
  return relative(process.cwd(), abs) || '.';
}

function incidentArgs(overrides: { nodes?: string; flannel?: string; ports?: string; groups?: string; extraOpenstack?: string[] } = {}): string[] {
  return [
    '--nodes',
    arg(overrides.nodes ?? join(INCIDENT, 'nodes.json')),
    '--flannel',
    arg(overrides.flannel ?? join(INCIDENT, 'kube-flannel-cfg.json')),
    '--openstack',
    arg(overrides.ports ?? join(INCIDENT, 'ports.json')),
    arg(overrides.groups ?? join(INCIDENT, 'security-groups.json')),
    arg(join(INCIDENT, 'subnets.json')),
    ...(overrides.extraOpenstack ?? []).map(arg),
  ];
}

function healthyArgs(): string[] {
  return [
    '--nodes',
    arg(join(HEALTHY, 'nodes.json')),
    '--flannel',
    arg(join(HEALTHY, 'kube-flannel-cfg.json')),
    '--aws',
    ...['describe-network-interfaces.json', 'describe-security-groups.json', 'describe-subnets.json', 'describe-network-acls.json'].map((f) =>
      arg(join(HEALTHY, f)),
    ),
  ];
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs main() in this process with stdout/stderr captured; process.exitCode is left as it was found. */
async function cli(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const capture = (sink: (s: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture((s) => (stdout += s)));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture((s) => (stderr += s)));
  const saved = process.exitCode;
  try {
    const code = await main(['node', 'sgaudit', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = saved;
  }
}

function spawnCli(command: string[], args: string[]): Run {
  const [bin, ...pre] = command;
  const r = spawnSync(bin!, [...pre, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function allOrderedPairs(names: string[]): string[] {
  return names.flatMap((s) => names.filter((d) => d !== s).map((d) => `${s} -> ${d}`));
}

let work: string;
const bad = (name: string) => join(work, name);

/** Copies an incident file with one edit applied. */
function derive(source: string, target: string, edit: (doc: any) => void): void {
  const doc = JSON.parse(readFileSync(join(INCIDENT, source), 'utf8'));
  edit(doc);
  writeFileSync(bad(target), JSON.stringify(doc, null, 2));
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sgaudit-cli-'));
  // A trailing comma on line 5: JSON.parse rejects it at column 21.
  writeFileSync(bad('malformed-nodes.json'), '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [\n    {"kind": "Node",}\n  ]\n}\n');
  writeFileSync(bad('networks.json'), JSON.stringify({ networks: [], routers: [] }));
  derive('nodes.json', 'configmap-as-nodes.json', (d) => {
    d.kind = 'ConfigMap';
    d.items = undefined;
    d.data = { 'net-conf.json': '{}' };
  });
  derive('security-groups.json', 'bad-cidr.json', (d) => {
    d.security_groups[0].security_group_rules[3].remote_ip_prefix = '172.16.10.0/33';
  });
  derive('security-groups.json', 'bad-protocol.json', (d) => {
    d.security_groups[0].security_group_rules[5].protocol = 'udpp';
  });
  derive('ports.json', 'ports-missing-fixed-ips.json', (d) => {
    delete d.ports[1].fixed_ips;
  });
  derive('nodes.json', 'nodes-missing-name.json', (d) => {
    delete d.items[2].metadata.name;
  });
  // k8s-worker-2's port (172.16.10.201) is not in the export.
  derive('ports.json', 'ports-without-worker-2.json', (d) => {
    d.ports = d.ports.filter((p: { fixed_ips: { ip_address: string }[] }) => p.fixed_ips[0]!.ip_address !== '172.16.10.201');
  });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('sgaudit demo', () => {
  it('exits 0 and shows the blocked pairs and the rule to add', async () => {
    const r = await cli('demo');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('12 directed pairs: 0 allowed, 12 blocked, 0 unknown');
    expect(r.stdout).toContain('tcp 8472 is allowed from 172.16.10.0/24, udp is not');
    expect(r.stdout).toContain(FIX_COMMAND);
  });

  it('--format json lists all 12 blocked pairs', async () => {
    const r = await cli('demo', '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.summary).toMatchObject({ nodes: 4, directedPairs: 12, allowed: 0, blocked: 12, unknown: 0 });
    expect(report.findings).toHaveLength(1);
    const pairs = report.findings[0]!.pairs.map((p) => `${p.sourceNode} -> ${p.destinationNode}`);
    expect(pairs).toEqual(allOrderedPairs(INCIDENT_NODES));
    expect(report.remediations.map((x) => x.commands.cli)).toEqual([expect.stringContaining(FIX_COMMAND)]);
  });
});

describe('sgaudit audit on the incident', () => {
  it('--format json: exit 1, the same report as the golden file', async () => {
    const r = await cli('audit', ...incidentArgs(), '--format', 'json');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'test/golden/incident/expected.json'), 'utf8')));
  });

  it('--format markdown: exit 1, the same ticket as the golden file', async () => {
    const r = await cli('audit', ...incidentArgs(), '--format', 'markdown');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(readFileSync(join(REPO_ROOT, 'test/golden/incident/expected.md'), 'utf8'));
  });

  it('--format table (the default): exit 1, the finding, its layer and the command', async () => {
    for (const format of [[], ['--format', 'table']]) {
      const r = await cli('audit', ...incidentArgs(), ...format);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/F1\s+BLOCKED\s+flannel-vxlan\s+udp 8472\s+security-group ingress/);
      expect(r.stdout).toContain('12 blocked');
      expect(r.stdout).toContain(FIX_COMMAND);
    }
  });

  it('--max-pairs 1 truncates the pair list but keeps pairCount exact', async () => {
    const r = await cli('audit', ...incidentArgs(), '--format', 'json', '--max-pairs', '1');
    expect(r.code).toBe(1);
    const finding = (JSON.parse(r.stdout) as AuditReport).findings[0]!;
    expect(finding.pairs).toHaveLength(1);
    expect(finding.pairCount).toBe(12);
    expect(finding.pairsTruncated).toBe(true);
  });

  it('--out writes the report to the file and nothing to stdout', async () => {
    const out = bad('report.json');
    const r = await cli('audit', ...incidentArgs(), '--format', 'json', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect((JSON.parse(readFileSync(out, 'utf8')) as AuditReport).summary.blocked).toBe(12);
  });
});

describe('several runs in one process', () => {
  it('do not leak one run\'s exit status into the next', async () => {
    const leaked = process.exitCode;
    try {
      process.exitCode = undefined;
      // Unlike cli(), nothing resets process.exitCode between these calls.
      const silence = vi.spyOn(process.stdout, 'write').mockImplementation((() => true) as typeof process.stdout.write);
      try {
        expect(await main(['node', 'sgaudit', 'audit', ...incidentArgs()])).toBe(1);
        expect(await main(['node', 'sgaudit', 'demo'])).toBe(0);
        expect(await main(['node', 'sgaudit', 'audit', ...healthyArgs()])).toBe(0);
      } finally {
        silence.mockRestore();
      }
    } finally {
      process.exitCode = leaked;
    }
  });
});

describe('sgaudit audit on a healthy cluster', () => {
  it('exits 0 with zero findings', async () => {
    const r = await cli('audit', ...healthyArgs(), '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.summary).toMatchObject({ directedPairs: 6, allowed: 6, blocked: 0, unknown: 0 });
    expect(report.findings).toEqual([]);
    expect(report.remediations).toEqual([]);
  });
});

describe('sgaudit audit with a node that has no cloud port', () => {
  it('exits 1 and reports its pairs unknown, with the reason', async () => {
    const r = await cli('audit', ...incidentArgs({ ports: bad('ports-without-worker-2.json') }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('6 blocked, 6 unknown');
    expect(r.stdout).toMatch(/UNKNOWN\s+flannel-vxlan\s+udp 8472\s+node-mapping k8s-worker-2\s+6 pairs/);
    expect(r.stdout).toContain('no network interface in the inputs has address 172.16.10.201 (VTEP of node k8s-worker-2)');
  });
});

describe('bad input and usage: exit 2 with a message naming the problem', () => {
  const cases: { name: string; args: () => string[]; messages: (string | RegExp)[] }[] = [
    {
      name: 'malformed JSON (line and column)',
      args: () => incidentArgs({ nodes: bad('malformed-nodes.json') }),
      messages: ['malformed-nodes.json: --nodes: malformed JSON at line 5 column 21'],
    },
    {
      name: 'unknown OpenStack document (keys listed)',
      args: () => incidentArgs({ extraOpenstack: [bad('networks.json')] }),
      messages: ['not a recognized Neutron v2.0 body', 'networks, routers', 'security_groups'],
    },
    {
      name: 'unknown AWS document (keys listed)',
      args: () => [...incidentArgs(), '--aws', arg(bad('networks.json'))],
      messages: ['not a recognized EC2 export: found top-level keys [networks, routers]', 'SecurityGroups'],
    },
    {
      name: 'a ConfigMap given as --nodes',
      args: () => incidentArgs({ nodes: bad('configmap-as-nodes.json') }),
      messages: ['configmap-as-nodes.json', 'ConfigMap'],
    },
    {
      name: 'invalid CIDR (pointer and value)',
      args: () => incidentArgs({ groups: bad('bad-cidr.json') }),
      messages: ['bad-cidr.json at /security_groups/0/security_group_rules/3/remote_ip_prefix', '"172.16.10.0/33"'],
    },
    {
      name: 'invalid protocol (pointer and value)',
      args: () => incidentArgs({ groups: bad('bad-protocol.json') }),
      messages: ['bad-protocol.json at /security_groups/0/security_group_rules/5/protocol', 'unknown protocol name', '"udpp"'],
    },
    {
      name: 'missing field in a port',
      args: () => incidentArgs({ ports: bad('ports-missing-fixed-ips.json') }),
      messages: ['ports-missing-fixed-ips.json at /ports/1/fixed_ips', 'missing "fixed_ips"'],
    },
    {
      name: 'missing field in a node',
      args: () => incidentArgs({ nodes: bad('nodes-missing-name.json') }),
      messages: ['nodes-missing-name.json at /items/2/metadata/name', 'missing metadata.name'],
    },
    {
      name: 'missing file',
      args: () => incidentArgs({ flannel: bad('does-not-exist.json') }),
      messages: ['--flannel: cannot read', 'does-not-exist.json: file not found'],
    },
    {
      name: 'unknown --format value',
      args: () => [...incidentArgs(), '--format', 'yaml'],
      messages: ["argument 'yaml' is invalid", 'json, table, markdown'],
    },
    {
      name: '--max-pairs 0',
      args: () => [...incidentArgs(), '--max-pairs', '0'],
      messages: ['--max-pairs must be a positive integer, got "0"'],
    },
    {
      name: '--max-pairs not a number',
      args: () => [...incidentArgs(), '--max-pairs', '10x'],
      messages: ['--max-pairs must be a positive integer, got "10x"'],
    },
    {
      name: '--deadline 0',
      args: () => [...incidentArgs(), '--deadline', '0'],
      messages: ['--deadline must be a positive number of seconds (e.g. 20 or 0.5), got "0"'],
    },
    {
      name: '--request-timeout over a day',
      args: () => [...incidentArgs(), '--request-timeout', '90000'],
      messages: ['--request-timeout must be at most 86400 seconds (one day), got "90000"'],
    },
    {
      name: 'an unknown option',
      args: () => [...incidentArgs(), '--azure', 'x.json'],
      messages: ["unknown option '--azure'"],
    },
  ];

  it.each(cases)('$name', async ({ args, messages }) => {
    const r = await cli('audit', ...args());
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('directed pairs');
    for (const m of messages) {
      if (typeof m === 'string') expect(r.stderr).toContain(m);
      else expect(r.stderr).toMatch(m);
    }
  });

  it('reports every unusable document of one run together', async () => {
    const r = await cli(
      'audit',
      ...incidentArgs({ nodes: bad('nodes-missing-name.json'), ports: bad('ports-missing-fixed-ips.json'), groups: bad('bad-cidr.json') }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/items/2/metadata/name');
    expect(r.stderr).toContain('/ports/1/fixed_ips');
    expect(r.stderr).toContain('/security_groups/0/security_group_rules/3/remote_ip_prefix');
  });
});

describe('spawned CLI (tsx, no build needed)', () => {
  const tsx = [process.execPath, '--import', 'tsx', 'src/cli/bin.ts'];

  it('demo exits 0 and prints the fix', () => {
    const r = spawnCli(tsx, ['demo']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('12 blocked');
    expect(r.stdout).toContain(FIX_COMMAND);
  });

  it('audit on the incident exits 1; bad input exits 2 with the message on stderr', () => {
    const blocked = spawnCli(tsx, ['audit', ...incidentArgsFromRoot(), '--format', 'json']);
    expect(blocked.code).toBe(1);
    expect((JSON.parse(blocked.stdout) as AuditReport).summary.blocked).toBe(12);

    const broken = spawnCli(tsx, ['audit', ...incidentArgsFromRoot(), '--max-pairs', '0']);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain('--max-pairs must be a positive integer');
  });
});

const BUILT_BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'bin.js');
const builtAvailable = requireTier('built-bin', existsSync(BUILT_BIN), `${relative(REPO_ROOT, BUILT_BIN)} is missing; run npm run build`);

describe.skipIf(!builtAvailable)('built bin (dist/src/cli/bin.js, as npx sgaudit runs it)', () => {
  it('demo finds the bundled example from the package root and exits 0', () => {
    const r = spawnCli([process.execPath, BUILT_BIN], ['demo', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.summary.blocked).toBe(12);
    expect(report.remediations[0]!.commands.cli).toContain(FIX_COMMAND);
  });

  it('is executable itself through its shebang, as the npx/npm bin shim runs it', () => {
    const r = spawnCli([BUILT_BIN], ['demo', '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as AuditReport).summary.blocked).toBe(12);
  });

  it('audit exits 1 on the incident and 0 on the healthy cluster', () => {
    expect(spawnCli([process.execPath, BUILT_BIN], ['audit', ...incidentArgsFromRoot()]).code).toBe(1);
    const healthy = spawnCli([process.execPath, BUILT_BIN], ['audit', ...healthyArgsFromRoot()]);
    expect(healthy.stderr).toBe('');
    expect(healthy.code).toBe(0);
  });
});

/** Spawned processes run in REPO_ROOT, so their paths are relative to it. */
function incidentArgsFromRoot(): string[] {
  return incidentArgs().map((a) => (a.startsWith('-') ? a : relative(REPO_ROOT, resolve(process.cwd(), a))));
}

function healthyArgsFromRoot(): string[] {
  return healthyArgs().map((a) => (a.startsWith('-') ? a : relative(REPO_ROOT, resolve(process.cwd(), a))));
}
