/**
 * Validation of control-API bodies. Every problem names the JSON pointer of the field,
 * so a bad orchestrator request is as easy to fix as a bad input file.
 */
import { isPlainObject, describeType } from '../model/issues.js';
import { isIpv4 } from './inventory.js';
import type { ReceivedRequest, SendRequest, SendTarget } from './protocol.js';

export const LIMITS = {
  maxCount: 20,
  maxMtuCount: 5,
  maxSizesPerTarget: 32,
  maxTargets: 5_000,
  /** Upper bound on datagrams one request may ask for; with the rate limit this bounds its duration. */
  maxDatagramsPerRequest: 100_000,
  maxNoncesPerQuery: 200_000,
  maxProbeSize: 9_000,
  maxRatePerSecond: 100_000,
} as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

function intIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

export function parseSendRequest(body: unknown, minSize: number): Parsed<SendRequest> {
  const problems: string[] = [];
  if (!isPlainObject(body)) return { ok: false, problems: [`/: expected an object, got ${describeType(body)}`] };
  if (!intIn(body.count, 0, LIMITS.maxCount)) problems.push(`/count: must be an integer from 0 to ${LIMITS.maxCount}`);
  const mtuCount = body.mtuCount ?? 1;
  if (!intIn(mtuCount, 1, LIMITS.maxMtuCount)) problems.push(`/mtuCount: must be an integer from 1 to ${LIMITS.maxMtuCount}`);
  if (body.ratePerSecond !== undefined && !intIn(body.ratePerSecond, 1, LIMITS.maxRatePerSecond)) {
    problems.push(`/ratePerSecond: must be an integer from 1 to ${LIMITS.maxRatePerSecond}, got ${JSON.stringify(body.ratePerSecond)}`);
  }
  const targets: SendTarget[] = [];
  if (!Array.isArray(body.targets) || body.targets.length === 0 || body.targets.length > LIMITS.maxTargets) {
    problems.push(`/targets: must be a non-empty array of at most ${LIMITS.maxTargets} targets`);
  } else {
    body.targets.forEach((t: unknown, i: number) => {
      const at = `/targets/${i}`;
      if (!isPlainObject(t)) {
        problems.push(`${at}: expected an object, got ${describeType(t)}`);
        return;
      }
      if (typeof t.node !== 'string' || t.node === '') problems.push(`${at}/node: must be a node name`);
      for (const key of ['overlayIp', 'underlayIp'] as const) {
        if (t[key] !== undefined && !isIpv4(t[key])) problems.push(`${at}/${key}: must be an IPv4 address, got ${JSON.stringify(t[key])}`);
      }
      if (t.overlayIp === undefined && t.underlayIp === undefined) problems.push(`${at}: needs overlayIp, underlayIp or both`);
      if (t.sizes !== undefined) {
        if (t.overlayIp === undefined) problems.push(`${at}/sizes: mtu probes go over the overlay, so overlayIp is required`);
        if (!Array.isArray(t.sizes) || t.sizes.length > LIMITS.maxSizesPerTarget) {
          problems.push(`${at}/sizes: must be an array of at most ${LIMITS.maxSizesPerTarget} sizes`);
        } else {
          t.sizes.forEach((s: unknown, j: number) => {
            if (!intIn(s, minSize, LIMITS.maxProbeSize)) problems.push(`${at}/sizes/${j}: must be an integer from ${minSize} to ${LIMITS.maxProbeSize}`);
          });
        }
      }
      const target: SendTarget = { node: String(t.node) };
      if (typeof t.overlayIp === 'string') target.overlayIp = t.overlayIp;
      if (typeof t.underlayIp === 'string') target.underlayIp = t.underlayIp;
      if (Array.isArray(t.sizes)) target.sizes = t.sizes as number[];
      targets.push(target);
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  const count = body.count as number;
  const datagrams = targets.reduce(
    (sum, t) => sum + (t.overlayIp ? count : 0) + (t.underlayIp ? count : 0) + (t.sizes?.length ?? 0) * (mtuCount as number),
    0,
  );
  if (datagrams === 0) return { ok: false, problems: ['/: the request asks for no datagrams (count 0 and no sizes)'] };
  if (datagrams > LIMITS.maxDatagramsPerRequest) {
    return { ok: false, problems: [`/: the request asks for ${datagrams} datagrams; the limit is ${LIMITS.maxDatagramsPerRequest}`] };
  }
  const value: SendRequest = { targets, count, mtuCount: mtuCount as number };
  if (body.ratePerSecond !== undefined) value.ratePerSecond = body.ratePerSecond as number;
  return { ok: true, value };
}

export function parseReceivedRequest(body: unknown): Parsed<ReceivedRequest> {
  if (!isPlainObject(body)) return { ok: false, problems: [`/: expected an object, got ${describeType(body)}`] };
  if (body.nonces !== undefined) {
    const n = body.nonces;
    if (!Array.isArray(n) || n.length > LIMITS.maxNoncesPerQuery || !n.every((x) => typeof x === 'string' && /^[0-9a-f]{32}$/.test(x))) {
      return { ok: false, problems: [`/nonces: must be an array of at most ${LIMITS.maxNoncesPerQuery} 32-hex-digit nonces`] };
    }
    return { ok: true, value: { nonces: n as string[] } };
  }
  if (body.since !== undefined) {
    if (!intIn(body.since, 0, Number.MAX_SAFE_INTEGER)) return { ok: false, problems: ['/since: must be epoch milliseconds'] };
    return { ok: true, value: { since: body.since } };
  }
  return { ok: false, problems: ['/: give either nonces or since'] };
}
