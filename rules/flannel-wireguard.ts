import type { Warning } from '../src/model/source.js';
import type { Requirement } from '../src/model/requirement.js';
import { BACKENDS_DOC, UDP, flow, type BackendRuleSet } from './rule-set.js';

export const WIREGUARD_DEFAULT_PORT = 51820;
export const WIREGUARD_DEFAULT_PORT_V6 = 51821;

export const flannelWireguard: BackendRuleSet<'wireguard'> = {
  backend: 'wireguard',
  docUrl: `${BACKENDS_DOC}#wireguard`,
  ids: ['flannel-wireguard', 'flannel-wireguard-v6'],
  ports: [WIREGUARD_DEFAULT_PORT, WIREGUARD_DEFAULT_PORT_V6],

  requirements(backend, ctx) {
    const { enableIPv4, enableIPv6 } = ctx.flannel;
    // `separate` runs flannel-wg (ListenPort) and flannel-wg-v6 (ListenPortV6). The other modes run
    // one tunnel on ListenPort: `ipv4`/`ipv6` reach peers on that family only, and `auto` picks a
    // family per peer from whether addresses are private, so both families are required for it.
    const v4 = backend.mode === 'ipv6' ? false : backend.mode === 'ipv4' ? true : enableIPv4;
    const v6 = backend.mode === 'ipv4' ? false : backend.mode === 'ipv6' ? true : enableIPv6;
    const v6Port = backend.mode === 'separate' ? backend.listenPortV6 : backend.listenPort;
    const out: Requirement[] = [];
    if (v4) {
      out.push(flow(this, {
        id: 'flannel-wireguard',
        title: `WireGuard UDP ${backend.listenPort} between nodes`,
        description: `flannel-wg listens on UDP ${backend.listenPort}; each peer sends encrypted pod traffic to its public-ip on that port.`,
        protocol: UDP, fromPort: backend.listenPort, toPort: backend.listenPort, family: 4,
        source: 'node-vtep', destination: 'node-vtep',
      }));
    }
    if (v6) {
      out.push(flow(this, {
        id: 'flannel-wireguard-v6',
        title: `WireGuard UDP ${v6Port} between nodes over IPv6`,
        description: `${backend.mode === 'separate' ? 'flannel-wg-v6' : 'flannel-wg'} listens on UDP ${v6Port}; each peer sends encrypted pod traffic to its public-ipv6 on that port.`,
        protocol: UDP, fromPort: v6Port, toPort: v6Port, family: 6,
        source: 'node-vtep-v6', destination: 'node-vtep-v6',
      }));
    }
    return out;
  },

  warnings(backend, ctx): Warning[] {
    if (backend.mode === 'auto' && ctx.flannel.enableIPv4 && ctx.flannel.enableIPv6) {
      return [{ code: 'wireguard-auto-mode', message: `wireguard Mode auto picks the IPv4 or IPv6 endpoint per peer; both UDP ${backend.listenPort} flows are audited, so one family may be reported missing although flannel does not use it` }];
    }
    return [];
  },
};
