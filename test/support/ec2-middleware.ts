import type { EC2Client } from '@aws-sdk/client-ec2';

/**
 * Counts HTTP requests per EC2 operation, at the finalizeRequest step after the retry
 * middleware, so each attempt that goes on the wire is one count.
 */
export function countRequests(client: EC2Client): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = context.commandName ?? 'unknown';
      counts.set(op, (counts.get(op) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'sgauditTestRequestCounter' },
  );
  return counts;
}

export function total(counts: Map<string, number>): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}

/** The list each paginated operation returns. */
const LIST_KEY: Record<string, string> = {
  DescribeNetworkInterfacesCommand: 'NetworkInterfaces',
  DescribeSecurityGroupsCommand: 'SecurityGroups',
  DescribeSecurityGroupRulesCommand: 'SecurityGroupRules',
  DescribeSubnetsCommand: 'Subnets',
  DescribeNetworkAclsCommand: 'NetworkAcls',
  GetManagedPrefixListEntriesCommand: 'Entries',
};

/**
 * moto ignores MaxResults and returns everything in one page. This shim gives moto's
 * answer AWS's paging: each page is still a real request to moto (so it is counted and can
 * fail), and the shim keeps only the MaxResults slice after the offset named by NextToken.
 */
export function emulateServerPaging(client: EC2Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = LIST_KEY[context.commandName ?? ''];
      const input = args.input as { MaxResults?: number; NextToken?: string };
      if (!key || input.MaxResults === undefined) return next(args);
      const offset = input.NextToken ? Number(input.NextToken.replace(/^offset-/, '')) : 0;
      const result = await next(args);
      const output = result.output as unknown as Record<string, unknown>;
      const all = (output[key] as unknown[] | undefined) ?? [];
      const end = offset + input.MaxResults;
      output[key] = all.slice(offset, end);
      output.NextToken = end < all.length ? `offset-${end}` : undefined;
      return result;
    },
    { step: 'initialize', name: 'sgauditTestServerPaging' },
  );
}
