import { constants } from 'node:os';
import { Command, Option } from 'commander';
import { resolveSettings, SETTINGS, type ServeSettings } from '../../http/settings.js';
import { summaryOf } from '../command-table.js';

/** `--data-dir` -> `dataDir`: commander's own key for a flag. */
function commanderKey(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Past the grace period, what the drain still does (a 0.5 s settle for aborted requests, the
 * listener, the store) has this long before the process exits anyway; under the 5 s Kubernetes
 * leaves between a 25 s grace and its SIGKILL.
 */
const SHUTDOWN_OVERRUN_MS = 1500;
/** A clean shutdown exits by itself; this is only for a handle the drain could not reach. */
const EXIT_LINGER_MS = 500;

type StopSignal = 'SIGTERM' | 'SIGINT';

export function serveCommand(): Command {
  const cmd = new Command('serve').description(summaryOf('serve'));
  const envOnly: string[] = [];
  for (const decl of Object.values(SETTINGS)) {
    const shown = decl.default === undefined ? '' : `; default ${JSON.stringify(decl.default)}`;
    if (decl.flag === null) {
      envOnly.push(`  ${decl.env.padEnd(20)} ${decl.help}`);
      continue;
    }
    cmd.addOption(new Option(`--${decl.flag} <${decl.valueName}>`, `${decl.help} (env ${decl.env}${shown})`));
  }
  cmd.addHelpText('after', `\nEnvironment only (secrets stay off the command line):\n${envOnly.join('\n')}\n`);
  cmd.action(async (opts: Record<string, string | undefined>) => {
    const flags: Partial<Record<keyof ServeSettings, string>> = {};
    for (const [key, decl] of Object.entries(SETTINGS) as [keyof ServeSettings, (typeof SETTINGS)[keyof ServeSettings]][]) {
      const value = decl.flag === null ? undefined : opts[commanderKey(decl.flag)];
      if (value !== undefined) flags[key] = value;
    }
    const settings = resolveSettings(flags, process.env);
    // express, the database drivers and the metrics registry load only when the server starts.
    const { startServer } = await import('../../http/server.js');
    const running = await startServer(settings);
    const code = await new Promise<number>((resolve) => {
      let first: StopSignal | undefined;
      const onSignal = (signal: StopSignal): void => {
        if (first !== undefined) {
          // The operator asked twice: no more waiting for anything.
          running.logger.warn({ signal, first }, 'shutdown: second signal; exiting now');
          process.exit(128 + constants.signals[signal]);
        }
        first = signal;
        setTimeout(() => {
          running.logger.error({ signal, graceSeconds: settings.shutdownGrace }, 'shutdown: did not finish in time; exiting anyway');
          process.exit(1);
        }, settings.shutdownGrace * 1000 + SHUTDOWN_OVERRUN_MS).unref();
        running.shutdown(signal).then(
          () => resolve(0),
          (e: unknown) => {
            running.logger.error({ err: e }, 'shutdown failed');
            resolve(1);
          },
        );
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
    });
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_LINGER_MS).unref();
  });
  return cmd;
}
