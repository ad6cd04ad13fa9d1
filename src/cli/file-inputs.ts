import type { Command } from 'commander';
import { readDocuments } from '../inputs/read-files.js';
import { emptyInputs, type AuditInputs } from '../model/documents.js';

export interface FileInputOptions {
  nodes?: string[];
  flannel?: string[];
  aws?: string[];
  openstack?: string[];
}

/** Adds the native-export file flags shared by audit, whatif and probe. */
export function addFileInputOptions(cmd: Command): Command {
  return cmd
    .option('--nodes <files...>', 'kubectl get nodes -o json (a NodeList, List or single Node)')
    .option('--flannel <files...>', 'the kube-flannel-cfg ConfigMap or a raw net-conf.json')
    .option('--aws <files...>', 'aws ec2 describe-* / get-managed-prefix-list-entries exports')
    .option('--openstack <files...>', 'Neutron v2.0 bodies: ports, security_groups, security_group_rules, subnets, address_groups');
}

export async function readFileInputs(opts: FileInputOptions): Promise<AuditInputs> {
  const inputs = emptyInputs();
  inputs.nodes = await readDocuments(opts.nodes ?? [], '--nodes');
  inputs.flannel = await readDocuments(opts.flannel ?? [], '--flannel');
  inputs.aws = await readDocuments(opts.aws ?? [], '--aws');
  inputs.openstack = await readDocuments(opts.openstack ?? [], '--openstack');
  return inputs;
}
