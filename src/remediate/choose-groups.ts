/** What group choice needs to know about an interface. */
export interface GroupedInterface {
  id: string;
  /** In the order the cloud lists them; the first one breaks ties. */
  securityGroupIds: readonly string[];
}

/**
 * Picks one security group per blocked interface to receive the missing rule, using as
 * few groups as it can (greedy set cover): repeatedly the group attached to the most
 * still-uncovered interfaces; on a tie, the tied group listed first on the first such
 * interface (by id). Interfaces without any group are left out: there is nowhere to add a rule.
 */
export function chooseGroups(interfaces: readonly GroupedInterface[]): Map<string, string> {
  const chosen = new Map<string, string>();
  let uncovered = [...new Map(interfaces.map((i) => [i.id, i])).values()]
    .filter((i) => i.securityGroupIds.length > 0)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  while (uncovered.length > 0) {
    const counts = new Map<string, number>();
    for (const iface of uncovered) for (const g of new Set(iface.securityGroupIds)) counts.set(g, (counts.get(g) ?? 0) + 1);
    const max = Math.max(...counts.values());
    const tied = new Set([...counts].filter(([, n]) => n === max).map(([g]) => g));
    let pick: string | undefined;
    for (const iface of uncovered) {
      pick = iface.securityGroupIds.find((g) => tied.has(g));
      if (pick !== undefined) break;
    }
    const group = pick as string;
    for (const iface of uncovered) if (iface.securityGroupIds.includes(group)) chosen.set(iface.id, group);
    uncovered = uncovered.filter((i) => !chosen.has(i.id));
  }
  return chosen;
}
