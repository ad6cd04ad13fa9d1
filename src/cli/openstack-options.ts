import { Option, type Command } from 'commander';
import type { LiveOpenstackOptions } from '../inputs/live-openstack.js';
import { parsePositiveInt } from './parse-options.js';

/** The `--os-*` flags of `audit` and `collect`; only `osCloud` is needed in the common case. */
export type OpenstackCliOptions = LiveOpenstackOptions;

export function addOpenstackOptions(cmd: Command): Command {
  return cmd
    .option('--os-cloud <name>', 'read Neutron live with this clouds.yaml cloud (--os-live uses OS_CLOUD / OS_* instead)')
    .option('--os-region-name <region>', 'region of the network endpoint in the Keystone catalog (overrides region_name)')
    .addOption(new Option('--os-interface <interface>', 'catalog interface of the network endpoint (default public)').choices(['public', 'internal', 'admin']))
    .option('--os-page-size <n>', 'Neutron list page size (limit); default: the server\'s', parsePositiveInt('--os-page-size'));
}
