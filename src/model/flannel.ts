import type { SourceRef } from './source.js';

/** Effective flannel backend, after flannel's own defaulting. */
export type FlannelBackend =
  | { type: 'vxlan'; port: number | undefined; vni: number; directRouting: boolean; gbp: boolean; mtu?: number }
  | { type: 'udp'; port: number }
  | { type: 'wireguard'; listenPort: number; listenPortV6: number; mode: string }
  | { type: 'host-gw' }
  | { type: 'ipsec'; udpEncap: boolean }
  | { type: 'ipip'; directRouting: boolean };

export type FlannelBackendType = FlannelBackend['type'];

/** Where the flannel configuration came from; reported so users know what was assumed. */
export type FlannelConfigOrigin =
  | { kind: 'configmap'; namespace?: string; name?: string; source: SourceRef }
  /** RKE2 keeps net-conf.json in the Secret kube-system/rke2-canal-config. */
  | { kind: 'secret'; namespace?: string; name?: string; source: SourceRef }
  | { kind: 'net-conf'; source: SourceRef }
  | { kind: 'node-annotations'; note: string };

export interface FlannelConfig {
  network?: string;
  ipv6Network?: string;
  enableIPv4: boolean;
  enableIPv6: boolean;
  backend: FlannelBackend;
  origin: FlannelConfigOrigin;
}
