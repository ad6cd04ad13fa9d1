import { BACKENDS_DOC, UDP, flow, type BackendRuleSet } from './rule-set.js';

export const UDP_BACKEND_DEFAULT_PORT = 8285;

export const flannelUdp: BackendRuleSet<'udp'> = {
  backend: 'udp',
  docUrl: `${BACKENDS_DOC}#udp`,
  ids: ['flannel-udp'],
  ports: [UDP_BACKEND_DEFAULT_PORT],
  // The udp backend is IPv4-only; the translator already warns when EnableIPv6 is set.
  requirements(backend) {
    return [flow(this, {
      id: 'flannel-udp',
      title: `flannel udp backend UDP ${backend.port} between nodes`,
      description: `The udp backend (debugging only) tunnels pod traffic in UDP to each peer's public-ip on port ${backend.port}.`,
      protocol: UDP, fromPort: backend.port, toPort: backend.port, family: 4,
      source: 'node-vtep', destination: 'node-vtep',
    })];
  },
};
