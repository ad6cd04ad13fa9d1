import { describe, expect, it } from 'vitest';
import type { CalicoConfig, CalicoPool } from '../model/cni.js';
import { FLANNEL } from '../report/testing/fixtures.js';
import { podNetworksOf } from './pod-networks.js';

const at = { document: 'ippools.json', pointer: '/items/0' };
const pool = (name: string, cidr: string, disabled = false): CalicoPool => ({ name, cidr, ipipMode: 'Always', vxlanMode: 'Never', disabled, source: at });
const calico = (pools: CalicoPool[]): CalicoConfig => ({
  bgp: { enabled: true, port: 179 },
  pools,
  vxlan: { port: 4789, vni: 4096 },
  typha: { enabled: false },
  wireguard: { ipv4: false, ipv6: false, port: 51820, portV6: 51821 },
  enableIPv4: true,
  enableIPv6: true,
});

describe('podNetworksOf', () => {
  it("uses flannel's Network for every CNI that networks with flannel", () => {
    for (const name of ['flannel', 'canal', 'k3s', 'rke2'] as const) {
      const n = podNetworksOf({ cni: { name, flannel: FLANNEL } });
      expect(n[4]).toBe('10.244.0.0/16');
      expect(n[6]).toBeUndefined();
      expect(n.label[4]).toBe("flannel's Network");
    }
  });

  it('uses the one enabled Calico IPPool of a family, and none when two compete', () => {
    const one = podNetworksOf({ cni: { name: 'calico', calico: calico([pool('default-ipv4-ippool', '192.168.0.0/16'), pool('old', '10.50.0.0/16', true), pool('v6', 'fd00:10::/48')]) } });
    expect(one).toEqual({ 4: '192.168.0.0/16', 6: 'fd00:10::/48', label: { 4: 'Calico IPPool default-ipv4-ippool', 6: 'Calico IPPool v6' } });
    const two = podNetworksOf({ cni: { name: 'calico', calico: calico([pool('a', '192.168.0.0/17'), pool('b', '192.168.128.0/17')]) } });
    expect(two[4]).toBeUndefined();
  });

  it("uses Cilium's native-routing CIDR only under native routing", () => {
    const base = { health: { enabled: true, port: 4240 }, wireguard: { enabled: false, port: 51871 }, ipsec: { enabled: false }, enableIPv4: true, enableIPv6: false };
    expect(podNetworksOf({ cni: { name: 'cilium', cilium: { ...base, routing: { mode: 'native', nativeRoutingCidr: '10.0.0.0/8' } } } })[4]).toBe('10.0.0.0/8');
    expect(podNetworksOf({ cni: { name: 'cilium', cilium: { ...base, routing: { mode: 'tunnel', protocol: 'geneve', port: 6081 } } } })[4]).toBeUndefined();
  });
});
