import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/http/settings.js';
import { packageRoot } from '../src/package-root.js';

/**
 * No Docker engine runs in CI, so the Dockerfile is checked against the repository instead:
 * every script it runs exists, every path it copies exists, the entry point is the package's
 * bin, the Node major satisfies `engines`, and the final stage runs production code as non-root.
 */
const root = packageRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
};

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      stages.push({ from: m?.[1] ?? rest, ...(m?.[2] ? { name: m[2] } : {}), instructions: [] });
    } else if (upper === 'ARG' && stages.length === 0) {
      const [k, v = ''] = rest.split('=');
      args[k!] = v;
    } else {
      stages[stages.length - 1]?.instructions.push({ op: upper, args: rest });
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const stages = dockerfile.stages;
const finalStage = stages[stages.length - 1]!;
const runs = (s: Stage) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
const stageNamed = (name: string) => stages.find((s) => s.name === name);

describe('Dockerfile', () => {
  it('is multi-stage, every stage on the Node major that package.json engines requires', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const engineMajor = Number(/(\d+)/.exec(pkg.engines.node)?.[1]);
    for (const s of stages) {
      const image = s.from.replace(/\$\{(\w+)\}/g, (_, k: string) => dockerfile.args[k] ?? '');
      const major = Number(/^node:(\d+)/.exec(image)?.[1]);
      expect(major, s.from).toBeGreaterThanOrEqual(engineMajor);
      expect(major, `${s.from}: dependencies are pinned for Node ${engineMajor}`).toBeLessThan(engineMajor + 2);
    }
  });

  it('runs only npm scripts that exist in package.json', () => {
    const used = stages.flatMap(runs).flatMap((r) => [...r.matchAll(/npm run (\S+)/g)].map((m) => m[1]!));
    expect(used.length).toBeGreaterThan(0);
    for (const script of used) expect(pkg.scripts, script).toHaveProperty(script);
  });

  it('installs with the lockfile, skips the prepare script (it needs dev dependencies) and builds better-sqlite3 explicitly', () => {
    const installs = stages.flatMap(runs).filter((r) => /npm (ci|install)/.test(r));
    for (const r of installs) {
      expect(r).toMatch(/npm ci\b/);
      expect(r).toContain('--ignore-scripts');
      expect(r).toContain('npm rebuild better-sqlite3');
    }
    expect(pkg.scripts.prepare).toBeDefined();
    expect(pkg.dependencies).toHaveProperty('better-sqlite3');
  });

  it('ships only production dependencies in the final stage', () => {
    const copies = finalStage.instructions.filter((i) => i.op === 'COPY' && i.args.includes('node_modules'));
    expect(copies).toHaveLength(1);
    const from = /--from=(\S+)/.exec(copies[0]!.args)?.[1];
    const source = stageNamed(from ?? '');
    expect(source, `node_modules comes from stage ${from}`).toBeDefined();
    expect(runs(source!).some((r) => /npm ci .*--omit=dev/.test(r))).toBe(true);
  });

  it('copies the sources the build compiles and files that exist', () => {
    const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    const buildStage = stages.find((s) => runs(s).some((r) => r.includes('npm run build')))!;
    const copied = buildStage.instructions.filter((i) => i.op === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    // The service's code lives in these; test/ roots of the build config hold only benchmarks.
    for (const dir of build.include.map((p) => p.split('/')[0]!).filter((d) => d !== 'test')) expect(copied, dir).toContain(dir);
    for (const s of stages) {
      for (const i of s.instructions.filter((x) => x.op === 'COPY' && !x.args.includes('--from'))) {
        for (const src of i.args.split(/\s+/).slice(0, -1)) expect(existsSync(join(root, src)), src).toBe(true);
      }
    }
  });

  it('starts the package bin with serve, as a non-root user, with a health check and the default port exposed', () => {
    const entry = finalStage.instructions.find((i) => i.op === 'ENTRYPOINT');
    const argv = JSON.parse(entry!.args) as string[];
    expect(argv[0]).toBe('node');
    expect(argv[1]).toBe(pkg.bin.sgaudit);
    expect(JSON.parse(finalStage.instructions.find((i) => i.op === 'CMD')!.args)).toEqual(['serve']);
    const user = finalStage.instructions.filter((i) => i.op === 'USER').pop()?.args;
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(finalStage.instructions.find((i) => i.op === 'EXPOSE')?.args).toBe(String(SETTINGS.port.default));
    const health = finalStage.instructions.find((i) => i.op === 'HEALTHCHECK')?.args ?? '';
    expect(health).toContain('/healthz');
    expect(health).not.toMatch(/curl|wget/);
    // The spec and the package manifest are read at run time (packageRoot, /openapi.yaml).
    expect(finalStage.instructions.some((i) => i.op === 'COPY' && /openapi\.yaml/.test(i.args) && /package\.json/.test(i.args))).toBe(true);
  });

  it('listens on all interfaces inside the container, where 127.0.0.1 would be unreachable', () => {
    const env = finalStage.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    expect(env).toContain(`${SETTINGS.host.env}=0.0.0.0`);
    expect(env).toContain(`${SETTINGS.dataDir.env}=/var/lib/sgaudit`);
  });
});
