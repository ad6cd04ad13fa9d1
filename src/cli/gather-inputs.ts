import type { Command } from 'commander';
import type { AuditInputs } from '../model/documents.js';
import { CollectionDeadline } from '../model/deadline.js';
import { InputError } from '../model/source.js';
import { readUnavailableFile } from '../inputs/unavailable-file.js';
import { addFileInputOptions, readFileInputs, type FileInputOptions } from './file-inputs.js';
import { addLiveOptions, liveOptionsFrom, type LiveCliOptions } from './live-options.js';
import { addOpenstackOptions, type OpenstackCliOptions } from './openstack-options.js';
import { addCallLimitOptions, callLimitsFrom, type CallLimitCliOptions } from './call-limit-options.js';

/** Every input flag of `audit` and `whatif`: native files plus the live sources and their time limits. */
export interface InputCliOptions extends FileInputOptions, LiveCliOptions, OpenstackCliOptions, CallLimitCliOptions {
  /** `--os-live`: live Neutron with the cloud chosen by OS_CLOUD or the OS_* variables. */
  osLive?: boolean;
  unavailable?: string[];
}

export function addInputOptions(cmd: Command): Command {
  addFileInputOptions(cmd);
  addLiveOptions(cmd);
  addOpenstackOptions(cmd);
  addCallLimitOptions(cmd);
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
  const live = liveOptionsFrom(opts);
  const openstack = opts.osCloud !== undefined || opts.osLive === true;
  // The live collectors, and the SDKs behind them, load only when a live flag asks for them;
  // they load before the clock starts, so --deadline measures the API calls, not module loading.
  const [liveModule, openstackModule] = await Promise.all([
    live.kubernetes || live.aws ? import('../inputs/live.js') : undefined,
    openstack ? import('../inputs/live-openstack.js') : undefined,
  ]);
  // One clock for every live source of the command, so --deadline bounds the whole collection.
  const deadline = new CollectionDeadline(callLimitsFrom(opts));
  try {
    let inputs = await readFileInputs(opts);
    for (const path of opts.unavailable ?? []) inputs.unavailable.push(...(await readUnavailableFile(path)));
    let liveRequests = 0;
    if (liveModule) {
      const collected = await liveModule.collectLiveInputs(inputs, { ...live, deadline });
      inputs = { ...collected.inputs, warnings: [...(inputs.warnings ?? []), ...collected.warnings] };
      liveRequests += collected.calls.kubernetes + collected.calls.aws;
    }
    if (openstackModule) {
      if (inputs.nodes.length === 0) {
        throw new InputError([
          { document: '--os-cloud', pointer: '', reason: "live Neutron collection starts from the nodes' VTEP IPs: give --nodes or --kubeconfig/--in-cluster too" },
        ]);
      }
      const os = await openstackModule.collectOpenstackInputs(inputs.nodes, opts, { deadline });
      inputs.openstack.push(...os.openstack);
      inputs.unavailable.push(...os.unavailable);
      liveRequests += os.requests;
    }
    return { inputs, liveRequests };
  } finally {
    deadline.dispose();
  }
}
