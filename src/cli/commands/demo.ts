import { Command, Option } from 'commander';
import { join } from 'node:path';
import { runAudit } from '../../pipeline/audit.js';
import { packageRoot } from '../../package-root.js';
import { AUDIT_FORMATS, type AuditFormat, emit, renderAudit } from '../render-audit.js';
import { readFileInputs } from '../file-inputs.js';
import { summaryOf } from '../command-table.js';

/** The bundled incident: 4 OpenStack nodes, flannel vxlan, and a group that allows tcp 8472 instead of udp. */
export function demoInputFiles(): { nodes: string[]; flannel: string[]; openstack: string[] } {
  const dir = join(packageRoot(), 'examples', 'incident');
  return {
    nodes: [join(dir, 'nodes.json')],
    flannel: [join(dir, 'kube-flannel-cfg.json')],
    openstack: ['ports.json', 'security-groups.json', 'subnets.json'].map((f) => join(dir, f)),
  };
}

export function demoCommand(): Command {
  return new Command('demo')
    .description(summaryOf('demo'))
    .addOption(new Option('--format <format>', 'output format').choices(AUDIT_FORMATS).default('table'))
    .action(async (opts: { format: AuditFormat }) => {
      const inputs = await readFileInputs(demoInputFiles());
      const { report } = runAudit(inputs);
      await emit(renderAudit(report, opts.format), undefined);
      // The demo's findings are the point of the demo, not a failure: it exits 0 whenever it ran.
      // `sgaudit audit` on the same files exits 1.
    });
}
