import { BACKENDS_DOC, UDP, flow, type BackendRuleSet } from './rule-set.js';

export const IKE_PORT = 500;
export const NAT_T_PORT = 4500;

export const flannelIpsec: BackendRuleSet<'ipsec'> = {
  backend: 'ipsec',
  docUrl: `${BACKENDS_DOC}#ipsec`,
  ids: ['flannel-ipsec-esp', 'flannel-ipsec-ike', 'flannel-ipsec-nat-t'],
  ports: [IKE_PORT, NAT_T_PORT],
  // flannel's docs list all three regardless of UDPEncap: IKE always runs on 500, charon floats to
  // 4500 whenever it detects NAT, and ESP carries the data otherwise.
  requirements() {
    const common = { family: 4, source: 'node-vtep', destination: 'node-vtep' } as const;
    return [
      flow(this, {
        id: 'flannel-ipsec-esp', title: 'IPsec ESP (IP protocol 50) between nodes',
        description: 'Encrypted pod traffic travels as ESP between the peers\' public-ip addresses.',
        protocol: { name: 'esp', number: 50 }, ...common,
      }),
      flow(this, {
        id: 'flannel-ipsec-ike', title: `IPsec IKE UDP ${IKE_PORT} between nodes`,
        description: 'strongSwan negotiates security associations with IKE on UDP 500.',
        protocol: UDP, fromPort: IKE_PORT, toPort: IKE_PORT, ...common,
      }),
      flow(this, {
        id: 'flannel-ipsec-nat-t', title: `IPsec NAT traversal UDP ${NAT_T_PORT} between nodes`,
        description: 'IKE and ESP move to UDP 4500 when NAT is detected or UDPEncap is set.',
        protocol: UDP, fromPort: NAT_T_PORT, toPort: NAT_T_PORT, ...common,
      }),
    ];
  },
};
