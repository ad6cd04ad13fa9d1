import type { Requirement } from '../src/model/requirement.js';
import { BACKENDS_DOC, directPodTraffic, type BackendRuleSet } from './rule-set.js';

export const flannelHostGw: BackendRuleSet<'host-gw'> = {
  backend: 'host-gw',
  docUrl: `${BACKENDS_DOC}#host-gw`,
  ids: ['flannel-host-gw-pod-traffic', 'flannel-host-gw-pod-traffic-v6', 'flannel-host-gw-l2-adjacency', 'flannel-host-gw-foreign-address'],
  ports: [],
  requirements(_backend, ctx) {
    const out: Requirement[] = [
      {
        kind: 'l2-adjacency',
        id: 'flannel-host-gw-l2-adjacency',
        cni: 'flannel',
        backend: this.backend,
        title: 'All nodes share one L2 segment',
        description: 'host-gw installs routes to pod CIDRs via the peer\'s public-ip, which only works when every peer is directly reachable without a gateway.',
        docUrl: this.docUrl,
      },
      ...directPodTraffic(this, 'flannel-host-gw-pod-traffic', ctx, 'all-pairs', 'host-gw routes pod traffic to each peer without encapsulation.'),
    ];
    return out;
  },
};
