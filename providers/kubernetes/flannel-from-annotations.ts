import type { ClusterNode, FlannelBackend, FlannelConfig } from '../../src/model/cluster.js';
import { pointerJoin } from '../../src/model/source.js';
import type { IssueCollector } from '../../src/model/issues.js';
import { FLANNEL_ANNOTATION } from './flannel-annotations.js';
import { isSupportedBackend, unsupportedBackendReason } from './flannel-backends.js';

/** Document name used for problems about the missing flannel configuration itself. */
const FLANNEL_INPUT = '--flannel';

/**
 * With no flannel ConfigMap, the backend type is what flannel wrote on the nodes. Everything
 * the annotations do not record (the VXLAN port, DirectRouting, …) falls back to flannel's
 * defaults, and the origin note says so word for word, so the report never hides a guess.
 */
export function flannelFromAnnotations(nodes: ClusterNode[], issues: IssueCollector): FlannelConfig | undefined {
  const annotated = nodes.filter((n) => n.backendTypeAnnotation !== undefined);
  if (annotated.length === 0) {
    issues.problem(FLANNEL_INPUT, '', `no --flannel given and nodes carry no ${FLANNEL_ANNOTATION.backendType} annotation; pass the kube-flannel-cfg ConfigMap with --flannel`);
    return undefined;
  }
  const byType = new Map<string, string[]>();
  for (const n of annotated) {
    const type = n.backendTypeAnnotation!.toLowerCase();
    byType.set(type, [...(byType.get(type) ?? []), n.name]);
  }
  if (byType.size > 1) {
    const groups = [...byType].map(([type, names]) => `${type}: ${names.join(', ')}`).join('; ');
    issues.problem(FLANNEL_INPUT, '', `no --flannel given and nodes disagree on ${FLANNEL_ANNOTATION.backendType} (${groups}); pass the kube-flannel-cfg ConfigMap with --flannel`);
    return undefined;
  }
  const [type] = byType.keys() as unknown as [string];
  if (!isSupportedBackend(type)) {
    const first = annotated[0]!;
    issues.problem(first.source.document, pointerJoin(first.source.pointer, 'metadata', 'annotations', FLANNEL_ANNOTATION.backendType), unsupportedBackendReason(type), first.backendTypeAnnotation);
    return undefined;
  }
  const unannotated = nodes.filter((n) => n.backendTypeAnnotation === undefined).map((n) => n.name);
  if (unannotated.length > 0) {
    issues.warn('backend-type-annotation-missing', `nodes ${unannotated.join(', ')} carry no ${FLANNEL_ANNOTATION.backendType} annotation (flannel may not be running there); the other nodes say ${type}`);
  }

  const assumed: string[] = [];
  let backend: FlannelBackend;
  switch (type) {
    case 'vxlan': {
      const vni = agreedInteger(annotated, 'VNI');
      if (vni === undefined) assumed.push('VNI not recorded consistently, flannel\'s default 1 assumed');
      backend = { type, port: undefined, vni: vni ?? 1, directRouting: false, gbp: false };
      assumed.push("VXLAN port not recorded in annotations, so flannel's default is assumed", 'DirectRouting not recorded, assumed off');
      break;
    }
    case 'udp':
      backend = { type, port: 8285 };
      assumed.push("udp port not recorded in annotations, flannel's default 8285 assumed");
      break;
    case 'wireguard': {
      const ports = new Set(annotated.map((n) => n.backendData?.Port).filter((p) => p !== undefined));
      if (ports.size > 1) {
        issues.problem(FLANNEL_INPUT, '', `no --flannel given and nodes' ${FLANNEL_ANNOTATION.backendData} disagree on the wireguard Port (${[...ports].join(', ')}); pass the ConfigMap with --flannel`);
        return undefined;
      }
      const [port] = [...ports];
      const listenPort = typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
      if (listenPort === undefined) assumed.push("wireguard ListenPort not recorded in annotations, flannel's default 51820 assumed");
      else assumed.push(`wireguard ListenPort ${listenPort} from ${FLANNEL_ANNOTATION.backendData}`);
      assumed.push("ListenPortV6 and Mode not recorded, flannel's defaults 51821 and separate assumed");
      backend = { type, listenPort: listenPort ?? 51820, listenPortV6: 51821, mode: 'separate' };
      break;
    }
    case 'host-gw':
      backend = { type };
      break;
    case 'ipsec':
      backend = { type, udpEncap: false };
      assumed.push('UDPEncap not recorded, assumed off (ESP, IKE and NAT-T are all required either way)');
      break;
    case 'ipip':
      backend = { type, directRouting: false };
      assumed.push('DirectRouting not recorded, assumed off');
      break;
  }

  // flannel writes public-ipv6 only when EnableIPv6 is on, and public-ip only with EnableIPv4.
  const enableIPv6 = nodes.some((n) => n.vtepIpv6 !== undefined);
  const enableIPv4 = nodes.some((n) => n.vtepSource === 'public-ip-annotation' || n.vtepSource === 'public-ip-overwrite-annotation') || !enableIPv6;
  assumed.push(`address families from the public-ip annotations: IPv4 ${enableIPv4 ? 'on' : 'off'}, IPv6 ${enableIPv6 ? 'on' : 'off'}`);
  const note = `no --flannel given: backend ${type} from node annotations; ${assumed.join('; ')}`;
  issues.warn('flannel-from-annotations', note);
  return { enableIPv4, enableIPv6, backend, origin: { kind: 'node-annotations', note } };
}

/** The integer every annotated node records under `key` in backend-data, if they all agree. */
function agreedInteger(nodes: ClusterNode[], key: string): number | undefined {
  const values = new Set(nodes.map((n) => n.backendData?.[key]));
  const [only] = [...values];
  return values.size === 1 && typeof only === 'number' && Number.isInteger(only) ? only : undefined;
}
