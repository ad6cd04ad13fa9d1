import { Option, type Command } from 'commander';
import { readDocuments } from '../inputs/read-files.js';
import { emptyInputs, type AuditInputs } from '../model/documents.js';
import { CNI_CHOICES, type CniChoice } from '../model/cni.js';

export interface FileInputOptions {
  nodes?: string[];
  flannel?: string[];
  /** `--cni-config`: every CNI document (ConfigMaps, IPPools, Installation, DaemonSets, …). */
  cniConfig?: string[];
  /** `--cni`; commander applies the default `auto`. */
  cni?: CniChoice;
  /** `--control-plane`: add the Kubernetes control-plane requirements. */
  controlPlane?: boolean;
  aws?: string[];
  openstack?: string[];
}

/** Adds the native-export file flags shared by audit and whatif, with the CNI choice. */
export function addFileInputOptions(cmd: Command): Command {
  return cmd
    .option('--nodes <files...>', 'kubectl get nodes -o json (a NodeList, List or single Node)')
    .option(
      '--cni-config <files...>',
      'CNI documents as kubectl prints them: ConfigMaps kube-flannel-cfg, calico-config, canal-config, cilium-config; IPPools, Installation, FelixConfiguration, BGPConfiguration; DaemonSets; calico-typha pods (see docs/cni.md)',
    )
    .option('--flannel <files...>', 'the kube-flannel-cfg ConfigMap or a raw net-conf.json (read with --cni-config)')
    .addOption(new Option('--cni <name>', 'the CNI, or auto to detect it from the documents and node annotations').choices(CNI_CHOICES).default('auto'))
    .option('--control-plane', 'also check the Kubernetes control-plane ports (6443 to, 10250 from control-plane nodes; etcd 2379-2380 between them)')
    .option('--aws <files...>', 'aws ec2 describe-* / get-managed-prefix-list-entries exports')
    .option('--openstack <files...>', 'Neutron v2.0 bodies: ports, security_groups, security_group_rules, subnets, address_groups');
}

export async function readFileInputs(opts: FileInputOptions): Promise<AuditInputs> {
  const inputs = emptyInputs();
  inputs.nodes = await readDocuments(opts.nodes ?? [], '--nodes');
  inputs.flannel = await readDocuments(opts.flannel ?? [], '--flannel');
  const cni = await readDocuments(opts.cniConfig ?? [], '--cni-config');
  if (cni.length > 0) inputs.cni = cni;
  if (opts.cni !== undefined) inputs.cniChoice = opts.cni;
  if (opts.controlPlane === true) inputs.requirementOptions = { controlPlane: true };
  inputs.aws = await readDocuments(opts.aws ?? [], '--aws');
  inputs.openstack = await readDocuments(opts.openstack ?? [], '--openstack');
  return inputs;
}
