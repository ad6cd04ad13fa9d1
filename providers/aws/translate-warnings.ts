/** Stable codes of the warnings the AWS translator records; tests and reports key on these, not on wording. */
export const AwsWarningCode = {
  ignoredKey: 'aws-ignored-key',
  partialPage: 'aws-partial-page',
  duplicateObject: 'aws-duplicate-object',
  interfaceViewConflict: 'aws-interface-view-conflict',
  inlineRulesReplaced: 'aws-inline-rules-replaced',
  portsMissing: 'aws-ports-missing',
  permissionWithoutSources: 'aws-permission-without-sources',
  instanceWithoutInterfaces: 'aws-instance-without-interfaces',
  prefixListEntriesMissing: 'aws-prefix-list-entries-missing',
  prefixListIdMismatch: 'aws-prefix-list-id-mismatch',
  ipv6BlockNotAssociated: 'aws-ipv6-block-not-associated',
} as const;

export type AwsWarningCode = (typeof AwsWarningCode)[keyof typeof AwsWarningCode];
