import { Command, CommanderError } from 'commander';
import { InputError } from '../model/source.js';
import { agentCommand } from './agent-command.js';
import { auditCommand } from './audit-command.js';
import { collectCommand } from './collect-command.js';
import { demoCommand } from './demo-command.js';
import { probeCommand } from './probe-command.js';
import { SecretError } from '../probe/auth.js';
import { KubernetesAccessError } from '../../providers/kubernetes/collect-errors.js';
import { KeystoneError } from '../../providers/openstack/keystone.js';
import { serveCommand } from './serve-command.js';
import { whatifCommand } from './whatif-command.js';
import { EXIT_BAD_INPUT } from './exit-codes.js';

/** Internal errors get their own status so scripts never mistake a crash for findings. */
const EXIT_INTERNAL = 3;

export function buildProgram(): Command {
  const program = new Command('sgaudit')
    .description('Audit cloud security groups and network ACLs against the node-to-node traffic flannel needs')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const cmd of [auditCommand(), collectCommand(), demoCommand(), probeCommand(), agentCommand(), serveCommand(), whatifCommand()]) {
    program.addCommand(cmd.exitOverride());
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // Commands report their status through process.exitCode. Start from none and put back what
  // was there, so an earlier run in the same process (tests, a server) cannot leak its status.
  const inherited = process.exitCode;
  process.exitCode = undefined;
  try {
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
    if (err instanceof KubernetesAccessError || err instanceof KeystoneError || err instanceof SecretError) {
      // Credentials, RBAC or catalog problems: the user must change the configuration, not the code.
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
