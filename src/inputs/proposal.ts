import type { Cloud, Unavailable } from '../model/cloud.js';
import { InputError, type Warning } from '../model/source.js';
import type { RawDocument } from '../model/documents.js';
import { translateAwsDocuments } from '../../providers/aws/translate.js';
import { translateOpenstackDocuments } from '../../providers/openstack/translate.js';
import type { ModelChange, Proposal, ProposalSource, ProposalTranslation, ResourceChangeSet } from '../model/changes.js';
import { translateTerraformPlan } from '../../providers/terraform/translate-plan.js';

export type ProposedProvider = 'aws' | 'openstack';

export interface ProposedDocuments {
  aws: RawDocument[];
  openstack: RawDocument[];
}

/** EC2 exports use PascalCase top-level keys; Neutron bodies use snake_case collection names. */
const AWS_KEYS = new Set(['Reservations', 'NetworkInterfaces', 'SecurityGroups', 'SecurityGroupRules', 'NetworkAcls', 'Subnets', 'Entries', 'PrefixLists']);
const OPENSTACK_KEYS = new Set(['ports', 'port', 'security_groups', 'security_group', 'security_group_rules', 'security_group_rule', 'subnets', 'subnet', 'address_groups', 'address_group']);

/** The provider a native export belongs to, from its top-level keys; undefined when they do not tell. */
export function inferProposedProvider(doc: RawDocument): ProposedProvider | undefined {
  const body = doc.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  const aws = keys.some((k) => AWS_KEYS.has(k));
  const openstack = keys.some((k) => OPENSTACK_KEYS.has(k));
  if (aws === openstack) return undefined;
  return aws ? 'aws' : 'openstack';
}

/** Sorts `--proposed` documents by provider; `forced` (--proposed-provider) overrides the inference. */
export function splitProposedDocuments(docs: RawDocument[], forced?: ProposedProvider): ProposedDocuments {
  const out: ProposedDocuments = { aws: [], openstack: [] };
  const problems = [];
  for (const doc of docs) {
    const provider = forced ?? inferProposedProvider(doc);
    if (provider) out[provider].push(doc);
    else {
      problems.push({
        document: doc.name,
        pointer: '',
        reason:
          'cannot tell whether this is an EC2 export or a Neutron body from its top-level keys ' +
          `(EC2: ${[...AWS_KEYS].join(', ')}; Neutron: ${[...OPENSTACK_KEYS].join(', ')}); pass --proposed-provider aws|openstack`,
      });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

function addressOf(source: { document: string; pointer: string }): string {
  return source.pointer ? `${source.document}#${source.pointer}` : source.document;
}

/** Every object of an after-state export replaces the object with the same id (or is added). */
function changesOf(cloud: Cloud): ResourceChangeSet[] {
  const sets: ResourceChangeSet[] = [];
  const add = (resourceType: string, change: ModelChange): void => {
    sets.push({ address: change.address, resourceType, action: 'proposed', changes: [change] });
  };
  for (const group of cloud.securityGroups) add('security-group', { kind: 'upsert-security-group', address: addressOf(group.source), group });
  for (const iface of cloud.interfaces) add('network-interface', { kind: 'upsert-interface', address: addressOf(iface.source), iface });
  for (const acl of cloud.networkAcls) add('network-acl', { kind: 'upsert-network-acl', address: addressOf(acl.source), acl });
  for (const subnet of cloud.subnets) add('subnet', { kind: 'upsert-subnet', address: addressOf(subnet.source), subnet });
  for (const prefixList of cloud.prefixLists) add('prefix-list', { kind: 'upsert-prefix-list', address: addressOf(prefixList.source), prefixList });
  for (const addressGroup of cloud.addressGroups) add('address-group', { kind: 'upsert-address-group', address: addressOf(addressGroup.source), addressGroup });
  return sets;
}

export interface ProposedTranslation extends ProposalTranslation {
  /** Collection gaps the proposed exports carry (e.g. a group exported without its rules). */
  unavailable: Unavailable[];
}

/**
 * After-state exports in the same native formats as `audit` -> model edits. They go through
 * the same translators as the audit inputs, so one document means the same thing on both paths.
 */
export function translateProposed(proposed: ProposedDocuments): ProposedTranslation {
  const warnings: Warning[] = [];
  const problems = [];
  const resources: ResourceChangeSet[] = [];
  const unavailable: Unavailable[] = [];
  for (const [docs, translate] of [
    [proposed.aws, translateAwsDocuments],
    [proposed.openstack, translateOpenstackDocuments],
  ] as const) {
    if (docs.length === 0) continue;
    try {
      const t = translate(docs);
      warnings.push(...t.warnings);
      resources.push(...changesOf(t.cloud));
      unavailable.push(...t.cloud.unavailable);
    } catch (e) {
      if (e instanceof InputError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return { resources, ignored: [], unknownUntilApply: [], unsupported: [], warnings, unavailable };
}

/** Exactly one of the two: a `terraform show -json` plan, or after-state exports. */
export interface WhatifProposal {
  terraformPlan?: RawDocument;
  proposed?: ProposedDocuments;
}

/**
 * A plan or after-state exports -> the model edits what-if applies. Throws InputError when the
 * proposal is missing, doubled or unusable.
 */
export function translateProposal(proposal: WhatifProposal): Proposal {
  const hasPlan = proposal.terraformPlan !== undefined;
  const hasProposed = proposal.proposed !== undefined && proposal.proposed.aws.length + proposal.proposed.openstack.length > 0;
  if (hasPlan === hasProposed) {
    throw new InputError([{ document: 'proposal', pointer: '', reason: hasPlan ? 'give either a Terraform plan or proposed exports, not both' : 'nothing to evaluate: give a Terraform plan (--terraform-plan) or proposed after-state exports (--proposed)' }]);
  }
  if (hasPlan) {
    const plan = proposal.terraformPlan!;
    const t = translateTerraformPlan(plan);
    const source: ProposalSource = { kind: 'terraform-plan', document: plan.name, formatVersion: t.formatVersion, unchangedResources: t.unchangedCount };
    if (t.terraformVersion) source.terraformVersion = t.terraformVersion;
    return { translation: t, source, unavailable: [] };
  }
  const docs = proposal.proposed!;
  const { unavailable, ...translation } = translateProposed(docs);
  return { translation, source: { kind: 'proposed-exports', documents: [...docs.aws, ...docs.openstack].map((d) => d.name) }, unavailable };
}
