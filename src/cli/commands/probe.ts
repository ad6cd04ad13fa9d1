import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { readDocuments } from '../../inputs/read-files.js';
import { InputError } from '../../model/source.js';
import { loadSecret, SecretError } from '../../probe/auth.js';
import { probeNodesFromCluster } from '../../probe/inventory.js';
import { PROBE_DEFAULTS, runProbes } from '../../probe/orchestrator.js';
import { DEFAULT_AGENT_PORT } from '../../probe/protocol.js';
import { probeExitCode, renderProbeTable } from '../../probe/render.js';
import type { PairSpec, PeerPlanSummary } from '../../model/probe.js';
import { plannedSweep } from '../../probe/peer-selection.js';
import { probeCniOf } from '../../inputs/probe-cni.js';
import { CNI_CHOICES, type CniChoice, type CniConfig } from '../../model/cni.js';
import { translateNodes } from '../../../providers/kubernetes/translate-nodes.js';
import { EXIT_BAD_INPUT } from '../exit-codes.js';
import { parseNonNegativeInt, parsePositiveInt } from '../parse-options.js';
import { summaryOf } from '../command-table.js';

export const PROBE_FORMATS = ['json', 'table'] as const;
export type ProbeFormat = (typeof PROBE_FORMATS)[number];

export interface ProbeCommandOptions {
  nodes: string[];
  flannel?: string[];
  /** `--cni-config`: CNI documents, read with --flannel. */
  cniConfig?: string[];
  /** `--cni`; default auto. */
  cni?: CniChoice;
  agentPort: number;
  count: number;
  timeoutMs: number;
  pairs?: PairSpec[];
  /** At most this many peers per node, chosen by rendezvous hashing for sweep number `sweep`. */
  peersPerNode?: number;
  sweep?: number;
  format: ProbeFormat;
  /** Undefined: probe at the device MTU and search only where that was lost; true: search every pair; false: none. */
  mtu?: boolean;
  secretFile?: string;
  concurrency: number;
  out?: string;
}

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const processIo: CommandIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/** Probes every directed pair (or --pairs) and prints the verdicts. Returns 0 all ok, 1 any problem, 2 bad input. */
export async function runProbeCommand(opts: ProbeCommandOptions, io: CommandIo = processIo): Promise<number> {
  let secret: Buffer;
  try {
    secret = await loadSecret(opts.secretFile === undefined ? {} : { secretFile: opts.secretFile });
  } catch (err) {
    if (err instanceof SecretError) {
      io.stderr(`sgaudit probe: ${err.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw err;
  }
  try {
    const { nodes } = translateNodes(await readDocuments(opts.nodes, '--nodes'));
    const cniDocuments = [...(await readDocuments(opts.flannel ?? [], '--flannel')), ...(await readDocuments(opts.cniConfig ?? [], '--cni-config'))];
    // Without CNI documents or --cni the probes go ahead as before (flannel's addresses): the agents find out on the wire.
    let cni: CniConfig | undefined;
    if (cniDocuments.length > 0 || (opts.cni !== undefined && opts.cni !== 'auto')) {
      const checked = probeCniOf(cniDocuments, nodes, opts.cni ?? 'auto');
      if (!checked.ok) {
        const flag = opts.cni !== undefined && opts.cni !== 'auto' ? '--cni' : cniDocuments.length > 0 && opts.flannel?.length ? '--flannel' : '--cni-config';
        throw new InputError([{ document: flag, pointer: '', value: flag === '--cni' ? opts.cni : checked.cni.name, reason: checked.reason }]);
      }
      cni = checked.cni;
    } else {
      // Flannel's addresses on a Calico or Cilium cluster would probe a path pod traffic does not take.
      const marked = nodes.find((n) => n.cniMarks?.some((m) => /^(projectcalico\.org\/|io\.cilium\.|network\.cilium\.io\/|cilium\.io\/)/.test(m.key)));
      if (marked) {
        const mark = marked.cniMarks!.find((m) => /calico|cilium/.test(m.key))!;
        throw new InputError([{ document: '--cni', pointer: '', value: mark.key, reason: `node ${marked.name} carries ${mark.key}, so the cluster may not run flannel; name the CNI with --cni and give its documents (Calico IPPools, FelixConfiguration) with --cni-config, so the probes target its tunnel addresses` }]);
      }
    }
    const probeNodes = probeNodesFromCluster(nodes, cni);
    const plan = peerPlanOf(opts, probeNodes.map((n) => n.name));
    const report = await runProbes({
      nodes: probeNodes,
      agentPort: opts.agentPort,
      secret,
      pairs: plan?.pairs ?? opts.pairs ?? 'all',
      count: opts.count,
      timeoutMs: opts.timeoutMs,
      concurrency: opts.concurrency,
      ...(opts.mtu === undefined ? {} : { mtu: opts.mtu }),
    });
    if (plan) report.plan = plan.summary;
    const text = opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderProbeTable(report);
    if (opts.out) await writeFile(opts.out, text);
    else io.stdout(text);
    return probeExitCode(report);
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr(`sgaudit probe: invalid input:\n${err.problems.map((p) => `  - ${p.document}${p.pointer ? ` at ${p.pointer}` : ''}: ${p.reason}${p.value === undefined ? '' : ` (got ${JSON.stringify(p.value)})`}`).join('\n')}\n`);
      return EXIT_BAD_INPUT;
    }
    throw err;
  }
}

/** The bounded-peer plan of --peers-per-node, or undefined for --pairs or the full mesh. */
function peerPlanOf(opts: ProbeCommandOptions, names: string[]): { pairs: PairSpec[]; summary: PeerPlanSummary } | undefined {
  if (opts.peersPerNode === undefined) {
    if (opts.sweep !== undefined) throw new InputError([{ document: '--sweep', pointer: '', value: opts.sweep, reason: 'only means something with --peers-per-node' }]);
    return undefined;
  }
  if (opts.pairs !== undefined) {
    throw new InputError([{ document: '--peers-per-node', pointer: '', value: opts.peersPerNode, reason: 'choose the pairs either with --pairs or with --peers-per-node, not both' }]);
  }
  return plannedSweep({ nodes: names, perNodePeers: opts.peersPerNode, sweep: opts.sweep ?? 0 });
}

/** `a:b,c:d` → pairs; node names cannot contain `:` or `,` (Kubernetes names are DNS subdomains). */
export function parsePairs(value: string): PairSpec[] {
  return value.split(',').map((item) => {
    const parts = item.split(':');
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw new InvalidArgumentError(`--pairs takes source:destination[,source:destination…], got "${item}"`);
    }
    return { source: parts[0], destination: parts[1] };
  });
}

export function probeCommand(): Command {
  return new Command('probe')
    .description(summaryOf('probe'))
    .requiredOption('--nodes <files...>', 'kubectl get nodes -o json (a NodeList, List or single Node)')
    .option('--flannel <files...>', 'the kube-flannel-cfg ConfigMap or net-conf.json (checked to be the vxlan backend)')
    .option('--cni-config <files...>', 'CNI documents (see docs/cni.md), checked to be flannel-networked on the vxlan backend or Calico with a VXLAN pool')
    .addOption(new Option('--cni <name>', 'the CNI, or auto to detect it from --flannel/--cni-config and the node annotations').choices(CNI_CHOICES))
    .option('--agent-port <port>', 'the agents\' port', parsePositiveInt('--agent-port'), DEFAULT_AGENT_PORT)
    .option('--count <n>', 'overlay and underlay datagrams per pair', parsePositiveInt('--count'), PROBE_DEFAULTS.count)
    .option('--timeout-ms <ms>', 'how long to wait for datagrams to arrive', parsePositiveInt('--timeout-ms'), PROBE_DEFAULTS.timeoutMs)
    .option('--pairs <list>', 'only these directed pairs: source:destination,...', parsePairs)
    .option('--peers-per-node <k>', 'large clusters: each node probes at most k peers, chosen by rendezvous hashing; any ceil((N-1)/k) consecutive --sweep numbers cover every pair', parsePositiveInt('--peers-per-node'))
    .option('--sweep <n>', 'with --peers-per-node: the sweep number, counted from 0 (default 0)', parseNonNegativeInt('--sweep'))
    .option('--mtu', 'search the MTU of every pair (default: only of pairs whose probe at the device MTU was lost)')
    .option('--no-mtu', 'no MTU probe at all')
    .option('--secret-file <file>', 'file holding the shared secret (default: env SGAUDIT_PROBE_SECRET)')
    .option('--concurrency <n>', 'control requests in flight at once', parsePositiveInt('--concurrency'), PROBE_DEFAULTS.concurrency)
    .addOption(new Option('--format <format>', 'output format').choices(PROBE_FORMATS).default('table'))
    .option('--out <file>', 'write the result to a file instead of stdout')
    .action(async (opts: ProbeCommandOptions) => {
      process.exitCode = await runProbeCommand(opts);
    });
}
