/**
 * Probes GET /healthz on a new connection every `everyMs` until told to stop, then posts back
 * every probe's duration in ms. It runs on a worker thread of the bench, so the bench's own work
 * on its main thread (encoding an 8 MB request, decoding a 10 MB answer) does not delay the
 * probes and count against the server, as it did when both shared one event loop.
 */
import { request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

interface ProberData {
  url: string;
  everyMs: number;
}

const { url, everyMs } = workerData as ProberData;

/** GET /healthz on a connection of its own (agent: false), as a kubelet or Docker probe does. */
function probeHealth(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${url} answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

let probing = true;
parentPort!.once('message', () => {
  probing = false;
});
const probes: number[] = [];
parentPort!.postMessage('ready');
while (probing) {
  const wait = new Promise((resolve) => setTimeout(resolve, everyMs));
  probes.push(await probeHealth());
  await wait;
}
parentPort!.postMessage(probes);
