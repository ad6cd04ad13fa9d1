import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addCallLimitOptions, callLimitsFrom, type CallLimitCliOptions } from './call-limit-options.js';
import { buildProgram } from './main.js';
import { commandNamed } from './command-table.js';

function parse(args: string[]): CallLimitCliOptions {
  const cmd = addCallLimitOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => {} }));
  cmd.parse(args, { from: 'user' });
  return cmd.opts<CallLimitCliOptions>();
}

function parseError(args: string[]): string {
  try {
    parse(args);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${args.join(' ')} was accepted`);
}

describe('--request-timeout and --deadline', () => {
  it('default to 20 s and 120 s', () => {
    expect(callLimitsFrom(parse([]))).toEqual({ requestTimeoutMs: 20_000, deadlineMs: 120_000 });
  });

  it.each([
    { args: ['--request-timeout', '0.5', '--deadline', '4'], limits: { requestTimeoutMs: 500, deadlineMs: 4000 } },
    { args: ['--deadline', '86400'], limits: { requestTimeoutMs: 20_000, deadlineMs: 86_400_000 } },
    { args: ['--request-timeout', '1.25'], limits: { requestTimeoutMs: 1250, deadlineMs: 120_000 } },
  ])('$args', ({ args, limits }) => {
    expect(callLimitsFrom(parse(args))).toEqual(limits);
  });

  it.each([
    ['--deadline', '0', 'must be a positive number of seconds'],
    ['--deadline', '-3', 'must be a positive number of seconds'],
    ['--request-timeout', 'abc', 'must be a positive number of seconds'],
    ['--request-timeout', '1e3', 'must be a positive number of seconds'],
    ['--deadline', 'Infinity', 'must be a positive number of seconds'],
    ['--deadline', '86400.5', 'must be at most 86400 seconds'],
  ])('rejects %s %s, naming the flag, the value and the reason', (flag, value, reason) => {
    const message = parseError([flag, value]);
    expect(message).toContain(flag);
    expect(message).toContain(`"${value}"`);
    expect(message).toContain(reason);
  });

  it.each(['audit', 'collect', 'whatif'])('sgaudit %s --help shows both flags with their defaults', async (name) => {
    const program = await buildProgram(commandNamed(name));
    const help = program.commands.find((c) => c.name() === name)!.helpInformation();
    expect(help).toMatch(/--request-timeout <seconds>[\s\S]*\(default: 20\)/);
    expect(help).toMatch(/--deadline <seconds>[\s\S]*\(default: 120\)/);
  });
});
