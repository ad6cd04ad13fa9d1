/**
 * Names of the documents a live AWS collection produces. They appear as `SourceRef.document`
 * in reports and, with `live:` dropped and `/` made `-`, as file names of `sgaudit collect`.
 */
export const AWS_DOCUMENT_NAMES = {
  networkInterfaces: 'live:aws/describe-network-interfaces',
  securityGroups: 'live:aws/describe-security-groups',
  securityGroupRules: 'live:aws/describe-security-group-rules',
  subnets: 'live:aws/describe-subnets',
  networkAcls: 'live:aws/describe-network-acls',
} as const;

export function prefixListDocumentName(prefixListId: string): string {
  return `live:aws/get-managed-prefix-list-entries/${prefixListId}`;
}
