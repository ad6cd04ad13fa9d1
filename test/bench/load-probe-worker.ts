/**
 * Runs a HealthProber on a worker thread of the bench. The bench's main thread writes an 8 MB
 * request, reads the answer and samples RSS; on the same event loop, that work would delay
 * the probes and count against the server. Stops on any message and posts the figures back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HealthProber } from './load-probe.js';

interface ProberData {
  url: string;
  intervalMs: number;
  timeoutMs: number;
}

if (parentPort) {
  const port = parentPort;
  const { url, intervalMs, timeoutMs } = workerData as ProberData;
  const prober = new HealthProber(url, intervalMs, timeoutMs);
  port.postMessage({ started: true });
  port.once('message', () => {
    void prober.stop().then((figures) => port.postMessage({ figures }));
  });
}
