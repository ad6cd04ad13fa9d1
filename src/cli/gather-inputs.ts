import type { Command } from 'commander';
import type { AuditInputs } from '../model/documents.js';
import { InputError } from '../model/source.js';
import { readUnavailableFile } from '../inputs/unavailable-file.js';
import { addFileInputOptions, readFileInputs, type FileInputOptions } from './file-inputs.js';
import { addLiveOptions, liveOptionsFrom, type LiveCliOptions } from './live-options.js';
import { addOpenstackOptions, type OpenstackCliOptions } from './openstack-options.js';

/** Every input flag of `audit`, `collect` and `whatif`: native files plus the live sources. */
export interface InputCliOptions extends FileInputOptions, LiveCliOptions, OpenstackCliOptions {
  /** `--os-live`: live Neutron with the cloud chosen by OS_CLOUD or the OS_* variables. */
  osLive?: boolean;
  unavailable?: string[];
}

export function addInputOptions(cmd: Command): Command {
  addFileInputOptions(cmd);
  addLiveOptions(cmd);
  addOpenstackOptions(cmd);
  return cmd
    .option('--os-live', 'read Neutron live with the cloud named by OS_CLOUD or the OS_* variables')
    .option('--unavailable <files...>', 'unavailable.json written by `sgaudit collect` (collection failures stay unknown)');
}

/**
 * Reads the files and adds whatever live sources the flags ask for. Live OpenStack is only used
 * when asked for explicitly (`--os-cloud` / `--os-live`): an OS_CLOUD left in the shell must not
 * turn an offline audit of saved files into API calls.
 */
export async function gatherInputs(opts: InputCliOptions): Promise<{ inputs: AuditInputs; liveRequests: number }> {
  let inputs = await readFileInputs(opts);
  for (const path of opts.unavailable ?? []) inputs.unavailable.push(...(await readUnavailableFile(path)));
  let liveRequests = 0;
  const live = liveOptionsFrom(opts);
  // The live collectors, and the SDKs behind them, load only when a live flag asks for them.
  if (live.kubernetes || live.aws) {
    const { collectLiveInputs } = await import('../inputs/live.js');
    const collected = await collectLiveInputs(inputs, live);
    inputs = { ...collected.inputs, warnings: [...(inputs.warnings ?? []), ...collected.warnings] };
    liveRequests += collected.calls.kubernetes + collected.calls.aws;
  }
  if (opts.osCloud !== undefined || opts.osLive) {
    if (inputs.nodes.length === 0) {
      throw new InputError([
        { document: '--os-cloud', pointer: '', reason: "live Neutron collection starts from the nodes' VTEP IPs: give --nodes or --kubeconfig/--in-cluster too" },
      ]);
    }
    const { collectOpenstackInputs } = await import('../inputs/live-openstack.js');
    const os = await collectOpenstackInputs(inputs.nodes, opts);
    inputs.openstack.push(...os.openstack);
    inputs.unavailable.push(...os.unavailable);
    liveRequests += os.requests;
  }
  return { inputs, liveRequests };
}
