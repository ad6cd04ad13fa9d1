import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { CollectionDeadline } from '../../model/deadline.js';
import type { ClusterTarget } from '../config-file.js';

/** The names of a cluster's nodes now; rejects when the API cannot be read. */
export type NodeLister = (target: ClusterTarget, signal: AbortSignal) => Promise<string[]>;

export interface NodeWatchOptions {
  /** How often the node list is read while the API answers. */
  pollMs: number;
  /** How long the node set must stay unchanged before a run is asked for, so a node pool scaling by ten asks once. */
  debounceMs: number;
  logger: Logger;
}

/** Longest pause between reads while the API fails. */
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Notices nodes added to or removed from a cluster and asks for a run once the set has settled.
 * NOTE: a list-and-compare poll of node names rather than a Kubernetes watch stream: a watch
 * needs reconnect, resourceVersion-expiry (410) and bookmark handling for a signal whose only
 * use is "the set changed", and it holds one long-lived connection per cluster per replica.
 * A poll every `pollMs` bounds the delay to pollMs + debounceMs. A failing API is read again
 * with exponential backoff; it never stops the schedule, which keeps its own interval.
 */
export class NodeWatch {
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;
  private known: string[] | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  /** The set before the first change of the current burst, so the key names the whole burst. */
  private burstFrom: string[] | undefined;

  constructor(
    private readonly target: ClusterTarget,
    private readonly list: NodeLister,
    private readonly options: NodeWatchOptions,
    private readonly onChange: (key: string) => void,
  ) {}

  start(): void {
    this.loop ??= this.poll();
  }

  async stop(): Promise<void> {
    this.stopper.abort(new Error('the node watch is stopping'));
    clearTimeout(this.debounce);
    await this.loop;
  }

  private async poll(): Promise<void> {
    const log = this.options.logger.child({ cluster: this.target.name, nodeWatch: true });
    const signal = this.stopper.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const names = [...new Set(await this.list(this.target, signal))].sort();
        if (failures > 0) log.info({ failures }, 'node watch: reading nodes works again');
        failures = 0;
        this.compare(names, log);
      } catch (e) {
        if (signal.aborted) break;
        failures += 1;
        // The first failure, then every tenth: a long outage must not flood the log.
        if (failures === 1 || failures % 10 === 0) log.warn({ err: e, failures }, 'node watch: reading nodes failed; retrying with backoff');
      }
      const pause = failures === 0 ? this.options.pollMs : Math.min(MAX_BACKOFF_MS, this.options.pollMs * 2 ** Math.min(failures, 16));
      await sleep(pause * (failures === 0 ? 1 : 0.5 + Math.random() / 2), signal);
    }
  }

  private compare(names: string[], log: Logger): void {
    const before = this.known;
    this.known = names;
    // The first read only learns the set: the schedule's own first run covers start-up.
    if (before === undefined || sameList(before, names)) return;
    this.burstFrom ??= before;
    const added = names.filter((n) => !before.includes(n));
    const removed = before.filter((n) => !names.includes(n));
    log.info({ added: added.slice(0, 20), removed: removed.slice(0, 20), nodes: names.length }, 'node watch: nodes changed; a run follows once they settle');
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      const from = this.burstFrom ?? [];
      this.burstFrom = undefined;
      this.onChange(changeKey(from, this.known ?? []));
    }, this.options.debounceMs);
  }
}

/** Names one change of the node set the same on every replica that sees it, so only one of them runs it. */
export function changeKey(from: string[], to: string[]): string {
  return createHash('sha256').update(JSON.stringify([from, to])).digest('hex').slice(0, 16);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/**
 * Node names from the cluster's Kubernetes API with the service's own access, 500 per page,
 * under the cluster's limits (request timeout, retries, collection deadline) like a live audit's
 * reads. The client loads on first use.
 */
export const listNodeNames: NodeLister = async (target, signal) => {
  const [{ CoreV1Api }, { loadKubeConfig }, { boundedCall }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../../../providers/kubernetes/kubeconfig.js'),
    import('../../../providers/kubernetes/bounded-call.js'),
  ]);
  const k = target.kubernetes;
  const kc = loadKubeConfig(k.kind === 'in-cluster' ? { inCluster: true } : { ...(k.kubeconfig !== undefined ? { kubeconfig: k.kubeconfig } : {}), ...(k.context !== undefined ? { context: k.context } : {}) });
  const api = kc.makeApiClient(CoreV1Api);
  const deadline = new CollectionDeadline(target.limits, signal);
  try {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const params = token === undefined ? { limit: 500 } : { limit: 500, _continue: token };
      const page = await boundedCall(deadline, (options) => api.listNode(params, options));
      for (const n of page.items) if (n.metadata?.name) names.push(n.metadata.name);
      token = page.metadata?._continue || undefined;
    } while (token !== undefined);
    return names;
  } finally {
    deadline.dispose();
  }
};
