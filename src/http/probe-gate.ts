import { HttpProblem } from './problems.js';

/**
 * One probe sweep per cluster at a time. Two sweeps through the same agents would share each
 * agent's send rate and receive buffers, so each would see losses caused by the other: a
 * second request is refused with 409 and a Retry-After of the running sweep's expected rest,
 * rather than queued, because a queued sweep could outlive its caller's patience unseen.
 */
export class ProbeGate {
  private readonly running = new Map<string, { until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Takes the cluster's slot for a sweep expected to take `expectedMs`, or throws 409
   * `probe-in-progress`. The returned release must be called once the sweep has really ended.
   */
  enter(cluster: string, expectedMs: number): () => void {
    const current = this.running.get(cluster);
    if (current) {
      const seconds = Math.min(60, Math.max(1, Math.ceil((current.until - this.now()) / 1000)));
      throw new HttpProblem('probe-in-progress', `a probe sweep of cluster ${cluster} is running; one sweep per cluster at a time`, { headers: { 'Retry-After': String(seconds) } });
    }
    const slot = { until: this.now() + expectedMs };
    this.running.set(cluster, slot);
    return () => {
      if (this.running.get(cluster) === slot) this.running.delete(cluster);
    };
  }
}
