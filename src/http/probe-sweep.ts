import { probeCniOf } from '../inputs/probe-cni.js';
import { translateNodes } from '../../providers/kubernetes/translate-nodes.js';
import type { AuditInputs } from '../model/documents.js';
import type { PairSpec, ProbeReport } from '../model/probe.js';
import { formatProblem, InputError } from '../model/source.js';
import { probeNodesFromCluster, type ProbeNode } from '../probe/inventory.js';
import { runProbes } from '../probe/orchestrator.js';
import type { ProbeAccess } from './config-file.js';
import { HttpProblem } from './problems.js';

/**
 * The nodes a sweep probes, from what the cluster's Kubernetes API returned: names, pod CIDRs
 * (overlay addresses) and flannel public-ip / InternalIP, as `sgaudit probe --nodes` reads them.
 * Documents the translators refuse are the cluster's problem (502); a backend the probes do not
 * carry is 422, because no retry will change it.
 */
export function probeNodesOf(inputs: AuditInputs, cluster: string): ProbeNode[] {
  let nodes;
  let cni;
  try {
    nodes = translateNodes(inputs.nodes).nodes;
    const checked = probeCniOf([...inputs.flannel, ...(inputs.cni ?? [])], nodes, inputs.cniChoice ?? 'auto');
    if (!checked.ok) throw new HttpProblem('probe-unsupported', `cluster ${cluster}: ${checked.reason}`);
    cni = checked.cni;
  } catch (e) {
    if (e instanceof InputError) throw new HttpProblem('collection-failed', `cluster ${cluster} returned documents the probes cannot use: ${e.problems.map(formatProblem).join('; ')}`);
    throw e;
  }
  if (nodes.length < 2) throw new HttpProblem('probe-unsupported', `cluster ${cluster} has ${nodes.length} node(s); probing needs at least two`);
  return probeNodesFromCluster(nodes, cni);
}

/**
 * One sweep through the cluster's agents on this thread: the work is waiting on sockets, not
 * CPU. `signal` is the request's: a client that goes away, or a shutdown, closes the agents'
 * calls at once and the sweep rejects with the abort reason, so the cluster's slot is free for
 * the next sweep within moments instead of after the agents' own timeouts (seconds).
 */
export function runSweep(opts: { nodes: ProbeNode[]; access: ProbeAccess; pairs: 'all' | PairSpec[]; signal: AbortSignal }): Promise<ProbeReport> {
  const { access } = opts;
  return runProbes({
    nodes: opts.nodes,
    agentPort: access.agentPort,
    secret: access.secret.bytes(),
    pairs: opts.pairs,
    timeoutMs: access.timeoutMs,
    agentRatePerSecond: access.ratePerSecond,
    signal: opts.signal,
  });
}
