import { Command, InvalidArgumentError } from 'commander';
import { readDocuments } from '../../inputs/read-files.js';
import type { RawDocument } from '../../model/documents.js';
import { InputError } from '../../model/source.js';
import { loadSecret, SecretError } from '../../probe/auth.js';
import { DEFAULT_OVERLAY_DEVICE, DEFAULT_RATE_PER_SECOND, startAgent, type RunningAgent } from '../../probe/agent.js';
import { probeNodesFromCluster, type ProbeNode } from '../../probe/inventory.js';
import { DEFAULT_AGENT_PORT } from '../../probe/protocol.js';
import { translateNodes } from '../../../providers/kubernetes/translate-nodes.js';
import { EXIT_BAD_INPUT, EXIT_CLEAN } from '../exit-codes.js';
import { parsePositiveInt } from '../parse-options.js';
import { summaryOf } from '../command-table.js';

export interface AgentCommandOptions {
  nodeName: string;
  port: number;
  secretFile?: string;
  /** kubectl get nodes exports; without them the agent lists nodes through the Kubernetes API (in-cluster). */
  nodes?: string[];
  bind: string;
  rate: number;
  overlayDevice: string;
  /** Seconds between inventory reloads from the API (in-cluster mode only). */
  refresh: number;
}

/** Runs the agent until SIGTERM/SIGINT. Resolves with the process exit code. */
export async function runAgentCommand(opts: AgentCommandOptions, io: { stderr: (s: string) => void } = { stderr: (s) => process.stderr.write(s) }): Promise<number> {
  const log = (entry: Record<string, unknown>) => io.stderr(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  let secret: Buffer;
  try {
    secret = await loadSecret(opts.secretFile === undefined ? {} : { secretFile: opts.secretFile });
  } catch (err) {
    if (err instanceof SecretError) {
      io.stderr(`sgaudit agent: refusing to start: ${err.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw err;
  }

  const loadInventory = async (): Promise<ProbeNode[]> => {
    const docs: RawDocument[] = opts.nodes?.length ? await readDocuments(opts.nodes, '--nodes') : await listNodesInCluster();
    return probeNodesFromCluster(translateNodes(docs).nodes);
  };
  let inventory: ProbeNode[];
  try {
    inventory = await loadInventory();
  } catch (err) {
    const reason = err instanceof InputError ? err.message : `cannot list nodes: ${(err as Error).message}`;
    io.stderr(`sgaudit agent: refusing to start: ${reason}\n`);
    return EXIT_BAD_INPUT;
  }
  if (!inventory.some((n) => n.name === opts.nodeName)) {
    log({ level: 'warn', msg: `node ${opts.nodeName} is not in the inventory; check --node-name` });
  }

  let agent: RunningAgent;
  try {
    agent = await startAgent({
      nodeName: opts.nodeName,
      port: opts.port,
      secret,
      inventory,
      bindAddress: opts.bind,
      rateLimitPerSecond: opts.rate,
      overlayDevice: opts.overlayDevice,
      log,
    });
  } catch (err) {
    io.stderr(`sgaudit agent: cannot listen on ${opts.bind}:${opts.port}: ${(err as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }

  // Only the API-backed inventory can change under a running agent; files are read once.
  const timer = opts.nodes?.length
    ? undefined
    : setInterval(() => {
        loadInventory().then(
          (nodes) => agent.setInventory(nodes),
          (err: Error) => log({ level: 'warn', msg: 'inventory refresh failed; keeping the previous one', error: err.message }),
        );
      }, opts.refresh * 1000);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  if (timer) clearInterval(timer);
  await agent.close();
  log({ level: 'info', msg: 'agent stopped' });
  return EXIT_CLEAN;
}

async function listNodesInCluster(): Promise<RawDocument[]> {
  // Loaded lazily: the Kubernetes client is only needed when no --nodes file is given.
  const { collectKubernetes } = await import('../../../providers/kubernetes/collect.js');
  // No flannel ConfigMaps, no CNI documents: the agent needs only the node list, and its RBAC grants nothing else.
  return (await collectKubernetes({ inCluster: true, flannelConfigMaps: [], cniDocuments: false })).nodes;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError(`must be a port from 1 to 65535, got "${value}"`);
  return n;
}

export function agentCommand(): Command {
  return new Command('agent')
    .description(summaryOf('agent'))
    .requiredOption('--node-name <name>', 'this node\'s Kubernetes name (the DaemonSet passes spec.nodeName)')
    .option('--port <port>', 'TCP control port and UDP probe port', parsePort, DEFAULT_AGENT_PORT)
    .option('--secret-file <file>', 'file holding the shared secret (default: env SGAUDIT_PROBE_SECRET)')
    .option('--nodes <files...>', 'kubectl get nodes -o json; default: list nodes through the API (in-cluster)')
    .option('--bind <address>', 'address to listen on', '0.0.0.0')
    .option('--rate <n>', 'datagrams per second this agent sends at most', parsePositiveInt('--rate'), DEFAULT_RATE_PER_SECOND)
    .option('--overlay-device <name>', 'the CNI\'s VXLAN device, whose MTU bounds the mtu probe: flannel.<VNI>, or vxlan.calico on Calico', DEFAULT_OVERLAY_DEVICE)
    .option('--refresh <seconds>', 'inventory reload interval when listing nodes through the API', parsePositiveInt('--refresh'), 60)
    .action(async (opts: AgentCommandOptions) => {
      process.exitCode = await runAgentCommand(opts);
    });
}
