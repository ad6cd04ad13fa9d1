import { Command, CommanderError } from 'commander';
import { AccessError, InputError } from '../model/source.js';
import { EXIT_BAD_INPUT } from './exit-codes.js';
import { COMMANDS, commandNamed, type CommandEntry } from './command-table.js';
import { TOOL_VERSION } from './version.js';

/** Internal errors get their own status so scripts never mistake a crash for findings. */
const EXIT_INTERNAL = 3;

/**
 * The program with every command listed, but only `wanted` built in full: a command's module
 * (and the SDKs, drivers and servers behind it) loads only when that command runs or shows
 * its help. `sgaudit --help` and `--version` load no command at all.
 */
export async function buildProgram(wanted?: CommandEntry): Promise<Command> {
  const program = new Command('sgaudit')
    .description('Audit cloud security groups and network ACLs against the node-to-node traffic flannel needs')
    .version(TOOL_VERSION)
    .showHelpAfterError()
    .exitOverride();
  for (const entry of COMMANDS) {
    const cmd = entry === wanted ? await entry.load() : new Command(entry.name).description(entry.summary);
    program.addCommand(cmd.exitOverride());
  }
  return program;
}

/** The command argv asks for: the first word that is not an option, or the one after `help`. */
function requestedCommand(args: readonly string[]): CommandEntry | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return name === undefined ? undefined : commandNamed(name);
}

export async function main(argv: string[]): Promise<number> {
  // Commands report their status through process.exitCode. Start from none and put back what
  // was there, so an earlier run in the same process (tests, a server) cannot leak its status.
  const inherited = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = await buildProgram(requestedCommand(argv.slice(2)));
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end with code 0 and have already printed
      return err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    if (err instanceof InputError) {
      process.stderr.write(`sgaudit: invalid input:\n${err.problems.map((p) => `  - ${formatLine(p)}`).join('\n')}\n`);
      return EXIT_BAD_INPUT;
    }
    if (err instanceof AccessError) {
      // Credentials, RBAC, catalog or secret problems: the user must change the configuration, not the code.
      process.stderr.write(`sgaudit: ${err.message}\n`);
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(`sgaudit: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_INTERNAL;
  } finally {
    process.exitCode = inherited;
  }
}

function formatLine(p: InputError['problems'][number]): string {
  const where = p.pointer ? `${p.document} at ${p.pointer}` : p.document;
  const value = p.value === undefined ? '' : `: got ${JSON.stringify(p.value)?.slice(0, 200)}`;
  return `${where}: ${p.reason}${value}`;
}
