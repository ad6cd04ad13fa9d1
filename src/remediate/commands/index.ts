import type { RemediationCommands } from '../../model/report.js';
import type { RuleSpec } from '../rule-spec.js';
import { apiNetworkAclEntry, apiSecurityGroupRule } from './api.js';
import { awsNetworkAclCli, awsSecurityGroupCli } from './aws-cli.js';
import { openstackSecurityGroupCli } from './openstack-cli.js';
import { terraformNetworkAclRule, terraformSecurityGroupRule } from './terraform.js';

/** Every command form for one planned rule. */
export function commandsFor(spec: RuleSpec): RemediationCommands {
  if (spec.kind === 'network-acl') {
    return { cli: awsNetworkAclCli(spec), terraform: terraformNetworkAclRule(spec), api: apiNetworkAclEntry(spec) };
  }
  return {
    cli: spec.provider === 'aws' ? awsSecurityGroupCli(spec) : openstackSecurityGroupCli(spec),
    terraform: terraformSecurityGroupRule(spec),
    api: apiSecurityGroupRule(spec),
  };
}
