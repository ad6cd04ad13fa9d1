import type { Command } from 'commander';

/** One CLI command: what `sgaudit --help` lists, and how to load the command itself. */
export interface CommandEntry {
  name: string;
  summary: string;
  /** Imports the command's module only when it runs or shows its own help. */
  load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'audit',
    summary: "Audit every directed node pair against the overlay requirements of the cluster's CNI",
    load: async () => (await import('./commands/audit.js')).auditCommand(),
  },
  {
    name: 'collect',
    summary: 'Save the raw documents an audit reads (live Kubernetes, EC2, Neutron) for an offline audit or a bug report',
    load: async () => (await import('./commands/collect.js')).collectCommand(),
  },
  {
    name: 'demo',
    summary: 'Audit a bundled example of the incident (4 OpenStack nodes, no UDP 8472 rule)',
    load: async () => (await import('./commands/demo.js')).demoCommand(),
  },
  {
    name: 'probe',
    summary: 'Send VXLAN probes between the agents of every directed node pair and report one-way verdicts',
    load: async () => (await import('./commands/probe.js')).probeCommand(),
  },
  {
    name: 'agent',
    summary: 'Run the probe agent on this node (normally as the DaemonSet in deploy/agent-daemonset.yaml)',
    load: async () => (await import('./commands/agent.js')).agentCommand(),
  },
  {
    name: 'serve',
    summary: 'Serve the audit, what-if and ticket REST API (see /docs once it runs)',
    load: async () => (await import('./commands/serve.js')).serveCommand(),
  },
  {
    name: 'whatif',
    summary:
      'Evaluate a proposed change (a Terraform plan or after-state exports) before applying it: which node pairs it newly blocks or allows',
    load: async () => (await import('./commands/whatif.js')).whatifCommand(),
  },
];

export function commandNamed(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The summary `sgaudit --help` shows, for the command's own description. */
export function summaryOf(name: string): string {
  const entry = commandNamed(name);
  if (!entry) throw new Error(`no command ${name} in the command table`);
  return entry.summary;
}
