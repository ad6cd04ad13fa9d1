import { Command, Option } from 'commander';
import { resolveSettings, SETTINGS, type ServeSettings } from '../../http/settings.js';
import { summaryOf } from '../command-table.js';

/** `--data-dir` -> `dataDir`: commander's own key for a flag. */
function commanderKey(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

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
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        running.logger.info({ signal }, 'shutting down');
        running.close().then(resolve, (e: unknown) => {
          running.logger.error({ err: e }, 'shutdown failed');
          resolve();
        });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  });
  return cmd;
}
