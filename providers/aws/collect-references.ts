import type { NetworkInterface, SecurityGroup, SecurityGroupRule } from '@aws-sdk/client-ec2';

/** What the collector must fetch next, read off what it has already fetched. */

export function groupIdsOfInterfaces(enis: readonly NetworkInterface[]): string[] {
  return enis.flatMap((eni) => (eni.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])));
}

export function subnetIdsOfInterfaces(enis: readonly NetworkInterface[]): string[] {
  return enis.flatMap((eni) => (eni.SubnetId ? [eni.SubnetId] : []));
}

/** Groups named by `UserIdGroupPairs` in inline permissions (both directions). */
export function referencedGroupIds(groups: readonly SecurityGroup[]): string[] {
  return groups.flatMap((sg) =>
    [...(sg.IpPermissions ?? []), ...(sg.IpPermissionsEgress ?? [])].flatMap((perm) =>
      (perm.UserIdGroupPairs ?? []).flatMap((pair) => (pair.GroupId ? [pair.GroupId] : [])),
    ),
  );
}

export function referencedPrefixListIds(groups: readonly SecurityGroup[], rules: readonly SecurityGroupRule[]): string[] {
  const inline = groups.flatMap((sg) =>
    [...(sg.IpPermissions ?? []), ...(sg.IpPermissionsEgress ?? [])].flatMap((perm) =>
      (perm.PrefixListIds ?? []).flatMap((p) => (p.PrefixListId ? [p.PrefixListId] : [])),
    ),
  );
  const standalone = rules.flatMap((r) => (r.PrefixListId ? [r.PrefixListId] : []));
  return [...inline, ...standalone];
}

/** The VTEP IPs an interface answers for: its primary and secondary private IPv4 addresses. */
export function privateIpsOfInterface(eni: NetworkInterface): string[] {
  const ips = (eni.PrivateIpAddresses ?? []).flatMap((a) => (a.PrivateIpAddress ? [a.PrivateIpAddress] : []));
  if (eni.PrivateIpAddress) ips.push(eni.PrivateIpAddress);
  return ips;
}
