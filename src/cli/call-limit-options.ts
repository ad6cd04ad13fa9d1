import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_CALL_LIMITS, MAX_CALL_LIMIT_MS, type CallLimits } from '../model/deadline.js';

/** `--request-timeout` and `--deadline`, in seconds as typed; parsed to milliseconds. */
export interface CallLimitCliOptions {
  requestTimeout: number;
  deadline: number;
}

const MAX_SECONDS = MAX_CALL_LIMIT_MS / 1000;

/** Adds the two time limits of live collection to `audit`, `collect` and `whatif`. */
export function addCallLimitOptions(cmd: Command): Command {
  return cmd
    .option(
      '--request-timeout <seconds>',
      'give up one attempt of one API request after this long; it is retried like a 5xx within --deadline',
      parseSeconds('--request-timeout'),
      DEFAULT_CALL_LIMITS.requestTimeoutMs / 1000,
    )
    .option(
      '--deadline <seconds>',
      'stop all live collection after this long; what was not read by then is unknown, "timed out after N s"',
      parseSeconds('--deadline'),
      DEFAULT_CALL_LIMITS.deadlineMs / 1000,
    );
}

/** A positive number of seconds (decimals allowed, e.g. 0.5), at most a day. */
export function parseSeconds(flag: string): (value: string) => number {
  return (value: string) => {
    const seconds = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(seconds) || seconds <= 0) {
      throw new InvalidArgumentError(`${flag} must be a positive number of seconds (e.g. 20 or 0.5), got "${value}"`);
    }
    if (seconds > MAX_SECONDS) {
      throw new InvalidArgumentError(`${flag} must be at most ${MAX_SECONDS} seconds (one day), got "${value}"`);
    }
    return seconds;
  };
}

export function callLimitsFrom(opts: CallLimitCliOptions): CallLimits {
  // Whole milliseconds, at least 1: a timer cannot wait less.
  return {
    requestTimeoutMs: Math.max(1, Math.round(opts.requestTimeout * 1000)),
    deadlineMs: Math.max(1, Math.round(opts.deadline * 1000)),
  };
}
