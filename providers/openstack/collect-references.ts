/** What to fetch next, read off raw Neutron bodies already fetched. Lenient: odd fields are the translator's to report. */

type Body = Record<string, unknown>;

export function stringField(body: Body, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function securityGroupIdsOfPorts(ports: readonly Body[]): string[] {
  return ports.flatMap((p) => (Array.isArray(p.security_groups) ? p.security_groups.filter((g): g is string => typeof g === 'string') : []));
}

export function subnetIdsOfPorts(ports: readonly Body[]): string[] {
  return ports.flatMap((p) =>
    Array.isArray(p.fixed_ips)
      ? p.fixed_ips.flatMap((f) => {
          const id = typeof f === 'object' && f !== null ? (f as Body).subnet_id : undefined;
          return typeof id === 'string' ? [id] : [];
        })
      : [],
  );
}

/** Rules nested in group bodies plus standalone rule bodies. */
export function rulesOf(groups: readonly Body[], standaloneRules: readonly Body[]): Body[] {
  const nested = groups.flatMap((g) =>
    Array.isArray(g.security_group_rules) ? g.security_group_rules.filter((r): r is Body => typeof r === 'object' && r !== null) : [],
  );
  return [...nested, ...standaloneRules];
}

export function remoteGroupIds(rules: readonly Body[]): string[] {
  return rules.flatMap((r) => stringField(r, 'remote_group_id') ?? []);
}

export function remoteAddressGroupIds(rules: readonly Body[]): string[] {
  return rules.flatMap((r) => stringField(r, 'remote_address_group_id') ?? []);
}
