/**
 * A process entry for the live probe tests: the agent and probe commands without the rest of
 * the CLI, so the tests can run them inside network namespaces (`ip netns exec … node --import tsx`).
 */
import { Command } from 'commander';
import { agentCommand } from '../../src/cli/commands/agent.js';
import { probeCommand } from '../../src/cli/commands/probe.js';

const program = new Command('sgaudit-probe-test').exitOverride();
program.addCommand(agentCommand());
program.addCommand(probeCommand());
program.parseAsync(process.argv).catch((err: Error & { exitCode?: number }) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = err.exitCode === 0 ? 0 : 2;
});
