import type { InputProblem } from '../../model/source.js';

/** A cluster's `watch` section, in milliseconds: audit it every interval (plus up to `jitterMs`), probing when `probe` is set. */
export interface WatchSchedule {
  intervalMs: number;
  /** Each run starts at a random offset in [0, jitterMs) after its interval begins, so clusters and replicas do not all call out at once. */
  jitterMs: number;
  /** Confirm each run's findings with live probes; needs the cluster's `probe` section. */
  probe: boolean;
}

export interface RawWatch {
  interval: number;
  jitter?: number;
  probe?: boolean;
}

/** Shortest interval: a live audit reads every node and the cloud around them; more often would only load the APIs. */
export const MIN_WATCH_INTERVAL_SECONDS = 5;
/** Default jitter, as a share of the interval. */
export const DEFAULT_JITTER_SHARE = 0.1;

export const WATCH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['interval'],
  properties: {
    interval: { type: 'number', minimum: MIN_WATCH_INTERVAL_SECONDS, maximum: 7 * 24 * 3600, description: 'seconds between scheduled live audits of the cluster' },
    jitter: { type: 'number', minimum: 0, description: `seconds of random delay after each interval begins; default ${DEFAULT_JITTER_SHARE * 100}% of the interval` },
    probe: { type: 'boolean', description: "confirm each scheduled audit's findings with live probes (needs the cluster's probe section); default false" },
  },
} as const;

/**
 * The checks the schema cannot make: the jitter must leave room in the interval, and `probe`
 * needs the cluster's probe section.
 */
export function parseWatch(raw: RawWatch, hasProbeSection: boolean, path: string, pointer: string): WatchSchedule | InputProblem[] {
  const problems: InputProblem[] = [];
  const jitter = raw.jitter ?? raw.interval * DEFAULT_JITTER_SHARE;
  if (jitter >= raw.interval) {
    problems.push({ document: path, pointer: `${pointer}/jitter`, value: jitter, reason: `the jitter must be shorter than the interval (${raw.interval} s), or runs would spill into the next interval` });
  }
  if (raw.probe === true && !hasProbeSection) {
    problems.push({ document: path, pointer: `${pointer}/probe`, value: true, reason: 'probing scheduled audits needs the cluster\'s probe section (agentPort, secretEnv), which this cluster does not have' });
  }
  if (problems.length > 0) return problems;
  return { intervalMs: Math.round(raw.interval * 1000), jitterMs: Math.round(jitter * 1000), probe: raw.probe === true };
}
