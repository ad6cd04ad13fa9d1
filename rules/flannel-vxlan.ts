import type { Warning } from '../src/model/source.js';
import type { FlannelBackend } from '../src/model/cluster.js';
import type { Requirement } from '../src/model/requirement.js';
import { BACKENDS_DOC, UDP, directPodTraffic, flow, type BackendRuleSet, type RuleContext } from './rule-set.js';

type Vxlan = Extract<FlannelBackend, { type: 'vxlan' }>;

/** Linux kernel default when flannel leaves the port at 0. */
export const VXLAN_LINUX_DEFAULT_PORT = 8472;
/** IANA VXLAN port; flannel on Windows only works with it. */
export const VXLAN_WINDOWS_PORT = 4789;

const docUrl = `${BACKENDS_DOC}#vxlan`;

/** The UDP port peers send to: the configured Port, else the kernel default, else 4789 when Windows nodes exist. */
export function effectiveVxlanPort(backend: Vxlan, ctx: RuleContext): number {
  if (backend.port !== undefined) return backend.port;
  return ctx.nodes.some((n) => n.os === 'windows') ? VXLAN_WINDOWS_PORT : VXLAN_LINUX_DEFAULT_PORT;
}

export const flannelVxlan: BackendRuleSet<'vxlan'> = {
  backend: 'vxlan',
  docUrl,
  ids: ['flannel-vxlan', 'flannel-vxlan-v6', 'flannel-vxlan-direct-routing', 'flannel-vxlan-direct-routing-v6', 'flannel-vxlan-foreign-address'],
  ports: [VXLAN_LINUX_DEFAULT_PORT, VXLAN_WINDOWS_PORT],

  requirements(backend, ctx) {
    const port = effectiveVxlanPort(backend, ctx);
    const portWhy = backend.port !== undefined ? `Backend.Port ${port}` : `Port unset, so the ${port === VXLAN_WINDOWS_PORT ? 'Windows-required' : 'Linux kernel default'} port ${port}`;
    // With DirectRouting, peers in the same subnet get routed pod traffic and only the rest use VXLAN.
    const pairScope = backend.directRouting ? 'cross-subnet-pairs' : 'all-pairs';
    const out: Requirement[] = [];
    if (ctx.flannel.enableIPv4) {
      out.push(flow(this, {
        id: 'flannel-vxlan',
        title: `VXLAN UDP ${port} between nodes`,
        description: `flannel vxlan (VNI ${backend.vni}) sends encapsulated pod traffic to each peer's public-ip on UDP ${port} (${portWhy}).`,
        protocol: UDP, fromPort: port, toPort: port, family: 4,
        source: 'node-vtep', destination: 'node-vtep', pairScope,
      }));
    }
    if (ctx.flannel.enableIPv6) {
      out.push(flow(this, {
        id: 'flannel-vxlan-v6',
        title: `VXLAN UDP ${port} between nodes over IPv6`,
        description: `flannel's flannel-v6 device sends encapsulated IPv6 pod traffic to each peer's public-ipv6 on UDP ${port} (${portWhy}).`,
        protocol: UDP, fromPort: port, toPort: port, family: 6,
        source: 'node-vtep-v6', destination: 'node-vtep-v6', pairScope,
      }));
    }
    if (backend.directRouting) {
      out.push(...directPodTraffic(this, 'flannel-vxlan-direct-routing', ctx, 'same-subnet-pairs',
        'DirectRouting routes pod traffic to peers in the same subnet without encapsulation.'));
    }
    return out;
  },

  warnings(backend, ctx): Warning[] {
    const windows = ctx.nodes.filter((n) => n.os === 'windows').map((n) => n.name);
    if (windows.length === 0) return [];
    const out: Warning[] = [];
    if (backend.port === undefined) {
      out.push({ code: 'vxlan-windows-port', message: `Windows nodes (${windows.join(', ')}) need VXLAN port ${VXLAN_WINDOWS_PORT}, but Backend.Port is unset, so Linux nodes use ${VXLAN_LINUX_DEFAULT_PORT}; set Port ${VXLAN_WINDOWS_PORT} cluster-wide. Auditing ${VXLAN_WINDOWS_PORT}.` });
    } else if (backend.port !== VXLAN_WINDOWS_PORT) {
      out.push({ code: 'vxlan-windows-port', message: `Windows nodes (${windows.join(', ')}) require VXLAN port ${VXLAN_WINDOWS_PORT}, but Backend.Port is ${backend.port}` });
    }
    if (backend.vni < 4096) out.push({ code: 'vxlan-windows-vni', message: `Windows nodes (${windows.join(', ')}) require a VNI of 4096 or more, but the VNI is ${backend.vni}` });
    if (backend.directRouting) out.push({ code: 'vxlan-windows-direct-routing', message: `DirectRouting is not supported on Windows nodes (${windows.join(', ')})` });
    return out;
  },
};
