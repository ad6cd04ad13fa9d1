import type { FlannelBackend, FlannelBackendType } from '../../src/model/cluster.js';
import { ownEntry } from '../../src/model/collections.js';
import type { GoJsonReader } from './go-json.js';

/** Backends whose node-to-node traffic sgaudit knows how to audit, in documentation order. */
export const SUPPORTED_BACKENDS: readonly FlannelBackendType[] = ['vxlan', 'host-gw', 'udp', 'wireguard', 'ipsec', 'ipip'];

const REMOVED_BACKENDS = new Set(['aws-vpc', 'gce', 'ali-vpc']);

const UNAUDITABLE_BACKENDS: Record<string, string> = {
  alloc: 'it only allocates subnets and forwards no traffic',
  extension: 'its traffic depends on user-defined commands',
  'tencent-vpc': 'it programs cloud route tables, which sgaudit does not audit',
};

/** Reason text for a backend type that is not in SUPPORTED_BACKENDS. */
export function unsupportedBackendReason(type: string): string {
  const supported = `supported types: ${SUPPORTED_BACKENDS.join(', ')}`;
  if (REMOVED_BACKENDS.has(type)) return `backend type ${JSON.stringify(type)} was removed in flannel v0.20.0; ${supported}`;
  const why = ownEntry(UNAUDITABLE_BACKENDS, type);
  if (why) return `backend type ${JSON.stringify(type)} is not supported by sgaudit (${why}); ${supported}`;
  return `unknown flannel backend type ${JSON.stringify(type)}; ${supported}`;
}

export function isSupportedBackend(type: string): type is FlannelBackendType {
  return (SUPPORTED_BACKENDS as readonly string[]).includes(type);
}

const PORT = { min: 1, max: 65535 };
const WIREGUARD_MODES = ['separate', 'auto', 'ipv4', 'ipv6'];

/**
 * Each backend's options with flannel's own defaults (pkg/backend/<type>/). Unused options
 * (PSK, Learning, …) are not read, so their values never block an audit.
 */
export const BACKEND_PARSERS: { [T in FlannelBackendType]: (o: Record<string, unknown>, at: string, r: GoJsonReader) => Extract<FlannelBackend, { type: T }> } = {
  vxlan: (o, at, r) => {
    // Port 0 (or absent) hands the choice to the kernel: 8472 on Linux, 4789 required on Windows.
    const port = r.int(o, 'Port', at, { min: 0, max: 65535 });
    const mtu = r.int(o, 'MTU', at, { min: 0, max: 65535 });
    const backend: Extract<FlannelBackend, { type: 'vxlan' }> = {
      type: 'vxlan',
      port: port === 0 ? undefined : port,
      vni: r.int(o, 'VNI', at, { min: 0, max: 16_777_215 }) ?? 1,
      directRouting: r.bool(o, 'DirectRouting', at) ?? false,
      gbp: r.bool(o, 'GBP', at) ?? false,
    };
    if (mtu) backend.mtu = mtu;
    return backend;
  },
  udp: (o, at, r) => ({ type: 'udp', port: r.int(o, 'Port', at, PORT) ?? 8285 }),
  wireguard: (o, at, r) => {
    const mode = r.string(o, 'Mode', at);
    if (mode && !WIREGUARD_MODES.includes(mode.value)) {
      // flannel compares Mode exactly ("No valid Mode configured"), unlike the key names.
      r.problem(mode.pointer, `Mode must be one of ${WIREGUARD_MODES.join(', ')}`, mode.value);
    }
    return {
      type: 'wireguard',
      listenPort: r.int(o, 'ListenPort', at, PORT) ?? 51820,
      listenPortV6: r.int(o, 'ListenPortV6', at, PORT) ?? 51821,
      mode: mode?.value ?? 'separate',
    };
  },
  'host-gw': () => ({ type: 'host-gw' }),
  ipsec: (o, at, r) => ({ type: 'ipsec', udpEncap: r.bool(o, 'UDPEncap', at) ?? false }),
  ipip: (o, at, r) => ({ type: 'ipip', directRouting: r.bool(o, 'DirectRouting', at) ?? false }),
};
