/**
 * A flannel-like VXLAN lab built from Linux network namespaces, for tests that need
 * the real kernel data path. Everything lives in namespaces this module creates
 * (named with a per-run prefix), so no packet ever touches the host's own network.
 *
 *   <prefix>-lab : bridge br0 (the "underlay switch"), address .254 for the orchestrator
 *   <prefix>-nN  : eth0 (veth into br0) with the underlay address, and flannel.1 set up
 *                  exactly as flannel's vxlan backend does it (DOMAIN.md §1.6):
 *                  vxlan VNI 1 dstport 8472 nolearning, 10.244.N.0/32, and per peer an
 *                  onlink route, a PERMANENT neighbour and a permanent fdb entry.
 *
 * With `layout: 'calico-vxlan'` each node gets Calico's VXLAN layout instead, as Felix programs
 * it: vxlan.calico (VNI 4096, dstport 4789, nolearning) with the tunnel address 10.200.N.1/32
 * from the node's block 10.200.N.0/26, and per peer `<block> via <tunnel addr> dev vxlan.calico
 * onlink` plus the neighbour and fdb entries. The node list then carries Calico's annotations
 * (projectcalico.org/IPv4Address, IPv4VXLANTunnelAddr) and no flannel ones.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface LabNode {
  name: string;
  /** Network namespace name. */
  ns: string;
  index: number;
  underlayIp: string;
  /** The tunnel device's address: flannel.1's (first address of the pod CIDR) or vxlan.calico's. */
  overlayIp: string;
  /** The pod address range routed through the tunnel: flannel's pod CIDR or the Calico block. */
  podCidr: string;
  vtepMac: string;
  /** The bridge-side end of this node's veth, inside the lab namespace. */
  bridgePort: string;
}

export interface Lab {
  prefix: string;
  labNs: string;
  /** Address of br0 in the lab namespace (where the orchestrator runs). */
  bridgeIp: string;
  nodes: LabNode[];
  /** Runs a command inside a namespace and returns stdout; throws with stderr on failure. */
  exec(ns: string, argv: string[], input?: string): string;
  /** Loads an nftables ruleset into a node namespace. */
  nft(ns: string, ruleset: string): void;
  /** Sets the MTU of both ends of a node's underlay link. */
  setLinkMtu(node: LabNode, mtu: number): void;
  /** A kubectl-get-nodes-style NodeList describing the lab nodes, as flannel would annotate them. */
  nodeList(): unknown;
  destroy(): void;
}

/**
 * An nftables ruleset for Lab.nft that stands in for one missing security-group rule: UDP to
 * `port` dropped as it arrives `from` a peer (a missing ingress rule) or as it leaves `to` one
 * (a missing egress rule).
 */
export function udpDropRuleset(peer: { from: string } | { to: string }, port: number): string {
  const [chain, match] = 'from' in peer ? ['input', `ip saddr ${peer.from}`] : ['output', `ip daddr ${peer.to}`];
  return `table inet sg {
      chain ${chain} { type filter hook ${chain} priority 0;
        ${match} udp dport ${port} drop
      }
    }`;
}

const DEFAULT_UNDERLAY_PREFIX = '192.168.77';
const VXLAN_PORT = 8472;

export type LabLayout = 'flannel' | 'calico-vxlan';
const LAYOUTS = {
  flannel: { device: 'flannel.1', vni: 1, port: VXLAN_PORT },
  'calico-vxlan': { device: 'vxlan.calico', vni: 4096, port: 4789 },
} as const;

/** Why the lab cannot be built here, or undefined when it can. */
export function netnsLabUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (platform is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root';
  for (const tool of ['ip', 'bridge', 'nft']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    if (found.status !== 0) return `${tool} is not installed (apt-get install iproute2 nftables)`;
  }
  const probeNs = `sgaprobe${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', probeNs], { encoding: 'utf8' });
  if (add.status !== 0) return `cannot create a network namespace: ${add.stderr.trim()}`;
  try {
    const vx = spawnSync('ip', ['-n', probeNs, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '1', 'dstport', String(VXLAN_PORT)], {
      encoding: 'utf8',
    });
    if (vx.status !== 0) return `cannot create a vxlan device (kernel module vxlan missing?): ${vx.stderr.trim()}`;
    const nft = spawnSync('ip', ['netns', 'exec', probeNs, 'nft', 'add', 'table', 'inet', 'sgaprobe'], { encoding: 'utf8' });
    if (nft.status !== 0) return `nftables does not work in a namespace: ${nft.stderr.trim()}`;
  } finally {
    spawnSync('ip', ['netns', 'del', probeNs]);
  }
  return undefined;
}

function run(argv: string[], input?: string): string {
  try {
    return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${argv.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Builds the lab. On any failure it removes what it already created before rethrowing. */
export function createFlannelLab(opts: { nodeCount: number; prefix?: string; underlayPrefix?: string; layout?: LabLayout }): Lab {
  const layout = opts.layout ?? 'flannel';
  const tunnel = LAYOUTS[layout];
  if (opts.nodeCount < 2 || opts.nodeCount > 200) throw new Error('nodeCount must be between 2 and 200');
  const UNDERLAY_PREFIX = opts.underlayPrefix ?? DEFAULT_UNDERLAY_PREFIX;
  if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(UNDERLAY_PREFIX)) throw new Error(`underlayPrefix must be three octets, got ${UNDERLAY_PREFIX}`);
  const prefix = opts.prefix ?? `sga-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const labNs = `${prefix}-lab`;
  const created: string[] = [];
  const nodes: LabNode[] = [];
  for (let i = 1; i <= opts.nodeCount; i++) {
    const hex = i.toString(16).padStart(2, '0');
    nodes.push({
      name: `node-${i}`,
      ns: `${prefix}-n${i}`,
      index: i,
      underlayIp: `${UNDERLAY_PREFIX}.${i}`,
      overlayIp: layout === 'flannel' ? `10.244.${i}.0` : `10.200.${i}.1`,
      podCidr: layout === 'flannel' ? `10.244.${i}.0/24` : `10.200.${i}.0/26`,
      vtepMac: `0e:2a:5a:00:00:${hex}`,
      bridgePort: `vp${i}`,
    });
  }

  const destroy = (): void => {
    for (const ns of [...created].reverse()) spawnSync('ip', ['netns', 'del', ns]);
    created.length = 0;
  };

  try {
    run(['ip', 'netns', 'add', labNs]);
    created.push(labNs);
    const lab = (...args: string[]) => run(['ip', '-n', labNs, ...args]);
    lab('link', 'set', 'lo', 'up');
    lab('link', 'add', 'br0', 'type', 'bridge');
    lab('addr', 'add', `${UNDERLAY_PREFIX}.254/24`, 'dev', 'br0');
    lab('link', 'set', 'br0', 'up');
    // The host may have br_netfilter on (Docker does), which makes a bridge refragment
    // oversized non-DF frames like a router. A real switch or hypervisor drops them, and
    // that silent drop is the MTU black hole the lab must reproduce.
    run(['ip', 'netns', 'exec', labNs, 'sh', '-c',
      'for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ -e "$f" ] && echo 0 > "$f"; done; true']);

    for (const n of nodes) {
      run(['ip', 'netns', 'add', n.ns]);
      created.push(n.ns);
      const ip = (...args: string[]) => run(['ip', '-n', n.ns, ...args]);
      lab('link', 'add', n.bridgePort, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.ns);
      lab('link', 'set', n.bridgePort, 'master', 'br0', 'up');
      ip('link', 'set', 'lo', 'up');
      ip('addr', 'add', `${n.underlayIp}/24`, 'dev', 'eth0');
      ip('link', 'set', 'eth0', 'up');
      ip('link', 'add', tunnel.device, 'address', n.vtepMac, 'type', 'vxlan', 'id', String(tunnel.vni), 'local', n.underlayIp, 'dev', 'eth0',
        'dstport', String(tunnel.port), 'nolearning');
      // flannel and Felix: device MTU = external MTU - 50
      ip('link', 'set', tunnel.device, 'mtu', '1450', 'up');
      ip('addr', 'add', `${n.overlayIp}/32`, 'dev', tunnel.device);
    }
    for (const n of nodes) {
      const batch: string[] = [];
      for (const peer of nodes) {
        if (peer === n) continue;
        batch.push(`route add ${peer.podCidr} via ${peer.overlayIp} dev ${tunnel.device} onlink`);
        batch.push(`neigh add ${peer.overlayIp} dev ${tunnel.device} lladdr ${peer.vtepMac} nud permanent`);
      }
      run(['ip', '-n', n.ns, '-batch', '-'], `${batch.join('\n')}\n`);
      const fdb = nodes
        .filter((p) => p !== n)
        .map((p) => `fdb append ${p.vtepMac} dev ${tunnel.device} dst ${p.underlayIp} self permanent`);
      run(['bridge', '-n', n.ns, '-batch', '-'], `${fdb.join('\n')}\n`);
    }
  } catch (err) {
    destroy();
    throw err;
  }

  return {
    prefix,
    labNs,
    bridgeIp: `${UNDERLAY_PREFIX}.254`,
    nodes,
    exec: (ns, argv, input) => run(['ip', 'netns', 'exec', ns, ...argv], input),
    nft: (ns, ruleset) => {
      run(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], ruleset);
    },
    setLinkMtu: (node, mtu) => {
      run(['ip', '-n', labNs, 'link', 'set', node.bridgePort, 'mtu', String(mtu)]);
      run(['ip', '-n', node.ns, 'link', 'set', 'eth0', 'mtu', String(mtu)]);
    },
    nodeList: () => ({
      apiVersion: 'v1',
      kind: 'NodeList',
      items: nodes.map((n) => ({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: n.name,
          labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': n.name },
          annotations: layout === 'flannel'
            ? {
                'flannel.alpha.coreos.com/backend-type': 'vxlan',
                'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: n.vtepMac }),
                'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
                'flannel.alpha.coreos.com/public-ip': n.underlayIp,
              }
            : {
                'projectcalico.org/IPv4Address': `${n.underlayIp}/24`,
                'projectcalico.org/IPv4VXLANTunnelAddr': n.overlayIp,
              },
        },
        // Calico's IPAM does not use the kubelet's podCIDR: give one that differs from the block, as kubeadm does.
        spec: layout === 'flannel' ? { podCIDR: n.podCidr, podCIDRs: [n.podCidr] } : { podCIDR: `10.244.${n.index}.0/24`, podCIDRs: [`10.244.${n.index}.0/24`] },
        status: {
          addresses: [
            { type: 'InternalIP', address: n.underlayIp },
            { type: 'Hostname', address: n.name },
          ],
        },
      })),
    }),
    destroy,
  };
}

/** Removes namespaces left behind by an earlier run that was killed before its cleanup ran. */
export function removeStaleLabs(): void {
  if (!existsSync('/run/netns')) return;
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of list.stdout.split('\n')) {
    const match = /^sga-(\d+)-[0-9a-z]+-(lab|n\d+)$/.exec(line.split(' ')[0] ?? '');
    if (!match) continue;
    // Only namespaces whose creating process is gone: a parallel run's lab stays untouched.
    if (!processAlive(Number(match[1]))) spawnSync('ip', ['netns', 'del', match[0]]);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const ROOT = resolve(import.meta.dirname, '../..');
/** The agent and probe commands without the rest of the CLI (test/support/probe-cli.ts). */
export const PROBE_ENTRY = join(ROOT, 'test/support/probe-cli.ts');

/** argv that runs a TypeScript entry point inside a namespace. */
export function nodeInNamespace(ns: string, entry: string, args: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, process.execPath, '--import', 'tsx', entry, ...args];
}

export interface LabAgents {
  children: ChildProcess[];
  stop(): void;
}

/**
 * Starts `sgaudit agent` in every lab node's namespace (except `without`) and resolves once
 * each has logged that it listens. Agents start a few at a time: two cores starting 24 tsx
 * processes at once take longer than starting them in small groups.
 */
export async function startLabAgents(
  lab: Lab,
  opts: { inventory: string; secret: string; port?: number; without?: readonly string[]; extraArgs?: readonly string[]; parallel?: number },
): Promise<LabAgents> {
  const children: ChildProcess[] = [];
  const stop = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const env = { ...process.env, SGAUDIT_PROBE_SECRET: opts.secret };
  const start = (node: LabNode): Promise<void> => {
    const args = ['agent', '--node-name', node.name, '--nodes', opts.inventory, ...(opts.port ? ['--port', String(opts.port)] : []), ...(opts.extraArgs ?? [])];
    const argv = nodeInNamespace(node.ns, PROBE_ENTRY, args);
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    return new Promise<void>((resolveReady, reject) => {
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('"agent listening"')) resolveReady();
      });
      child.once('exit', (code) => reject(new Error(`agent on ${node.name} exited with ${code}: ${stderr}`)));
    });
  };
  const queue = lab.nodes.filter((n) => !opts.without?.includes(n.name));
  try {
    const parallel = opts.parallel ?? 4;
    const workers = Array.from({ length: parallel }, async () => {
      for (let node = queue.shift(); node; node = queue.shift()) await start(node);
    });
    await Promise.all(workers);
  } catch (err) {
    stop();
    throw err;
  }
  return { children, stop };
}

/** The kernel's UDP counters of one namespace (/proc/net/snmp "Udp:" lines), e.g. RcvbufErrors. */
export function udpCounters(lab: Lab, ns: string): Record<string, number> {
  const lines = lab.exec(ns, ['cat', '/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
  const out: Record<string, number> = {};
  names?.forEach((name, i) => (out[name] = Number(values?.[i])));
  return out;
}
