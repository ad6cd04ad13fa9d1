import type { Requirement } from '../src/model/requirement.js';
import { BACKENDS_DOC, directPodTraffic, flow, type BackendRuleSet } from './rule-set.js';

export const flannelIpip: BackendRuleSet<'ipip'> = {
  backend: 'ipip',
  docUrl: `${BACKENDS_DOC}#ipip`,
  ids: ['flannel-ipip', 'flannel-ipip-direct-routing', 'flannel-ipip-foreign-address'],
  ports: [],
  requirements(backend, ctx) {
    const out: Requirement[] = [flow(this, {
      id: 'flannel-ipip',
      title: 'IP-in-IP (IP protocol 4) between nodes',
      description: 'flannel.ipip encapsulates pod traffic in IPv4 protocol 4 to each peer\'s public-ip; it has no ports.',
      protocol: { name: 'ipip', number: 4 }, family: 4,
      source: 'node-vtep', destination: 'node-vtep',
      pairScope: backend.directRouting ? 'cross-subnet-pairs' : 'all-pairs',
    })];
    if (backend.directRouting) {
      // ipip is IPv4-only, so the direct-routing extras are too, whatever EnableIPv6 says.
      const v4only = { ...ctx, flannel: { ...ctx.flannel, enableIPv4: true, enableIPv6: false } };
      out.push(...directPodTraffic(this, 'flannel-ipip-direct-routing', v4only, 'same-subnet-pairs',
        'DirectRouting routes pod traffic to peers in the same subnet without encapsulation.'));
    }
    return out;
  },
};
