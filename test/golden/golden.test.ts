/**
 * Golden reports: each directory under test/golden/ is one scenario. Its `scenario.json` names
 * native input files per flag (paths relative to the directory; `incident` points into
 * examples/incident instead of copying it). The test runs the whole audit on them and compares
 * the JSON report and the Markdown ticket byte for byte with `expected.json` / `expected.md`.
 *
 * Regenerate on purpose only:  SGAUDIT_UPDATE_GOLDEN=1 npx vitest run test/golden
 * then READ the diff of every expected file before committing it: the golden files pin behaviour,
 * so a wrong report accepted here becomes the specification. SCENARIOS below is written by hand
 * and is checked against the report even while updating, so a regeneration cannot silently
 * accept a changed verdict.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditExitCode, runAudit } from '../../src/pipeline/audit.js';
import { readDocuments } from '../../src/inputs/read-files.js';
import { emptyInputs, type AuditInputs, type RawDocument } from '../../src/model/documents.js';
import type { CellResult, Evaluation } from '../../src/evaluate/types.js';
import type { AuditReport } from '../../src/model/report.js';
import type { CniChoice } from '../../src/model/cni.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';

const GOLDEN_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(GOLDEN_DIR, '..', '..');
const UPDATE = process.env.SGAUDIT_UPDATE_GOLDEN === '1';

/** Input kinds of scenario.json; `cni` is what `--cni-config` reads. */
type Flag = 'nodes' | 'flannel' | 'cni' | 'aws' | 'openstack';
interface ScenarioFile {
  description: string;
  inputs: Partial<Record<Flag, string[]>>;
  /** `--cni` and `--control-plane`. */
  options?: { cni?: CniChoice; controlPlane?: boolean };
}

interface Expectation {
  nodes: number;
  allowed: number;
  blocked: number;
  unknown: number;
  /** verdict/layer/direction/requirement and pairCount of each finding, in report order. */
  findings: { verdict: 'blocked' | 'unknown'; requirement: string; layer: string; direction?: string; pairCount: number }[];
  /** target id, direction, protocol/port and CIDR of each remediation, in report order. */
  remediations: { target: string; direction: string; protocol: string; port: number; cidr: string; ruleNumber?: number }[];
  /**
   * Every evaluated cell (source class -> destination class, requirement): verdict, deciding layer,
   * and each evidence step as check:layer:decision. Pins why allowed pairs are allowed, which the
   * report (findings only) does not show.
   */
  cells: string[];
  /** Hand-picked citations and commands the Markdown ticket must contain verbatim. */
  mentions: string[];
  /** The report's `cni.summary`, hand-checked, where the scenario is about the CNI. */
  cni?: string;
}

/** Hand-checked facts about each scenario; independent of the generated files. */
const SCENARIOS: Record<string, Expectation> = {
  incident: {
    nodes: 4,
    allowed: 0,
    blocked: 12,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', direction: 'ingress', pairCount: 12 }],
    remediations: [{ target: '6a7d2c1e-9b3f-4e8a-b5c4-2f1e0d9c8b7a', direction: 'ingress', protocol: 'udp', port: 8472, cidr: '172.16.10.0/24' }],
    cells: [
      '0->0 flannel-vxlan blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked]',
    ],
    mentions: ['tcp 8472 is allowed from 172.16.10.0/24, udp is not', 'openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472 --remote-ip 172.16.10.0/24'],
  },
  'group-references': {
    nodes: 4,
    allowed: 6,
    blocked: 6,
    unknown: 0,
    findings: [
      { verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', direction: 'ingress', pairCount: 3 },
      { verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', direction: 'ingress', pairCount: 3 },
    ],
    remediations: [
      { target: 'sg-0a1b2c3d4e5f60001', direction: 'ingress', protocol: 'udp', port: 8472, cidr: '10.0.1.0/24' },
      { target: 'sg-0a1b2c3d4e5f60002', direction: 'ingress', protocol: 'udp', port: 8472, cidr: '10.0.1.0/24' },
    ],
    cells: [
      '0->0 flannel-vxlan allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->1 flannel-vxlan blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked]',
      '1->0 flannel-vxlan blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked]',
    ],
    mentions: ['which do not include 10.0.1.23', 'UserIdGroupPairs=[{GroupId=sg-0a1b2c3d4e5f60002'],
  },
  'network-acls': {
    nodes: 4,
    allowed: 8,
    blocked: 4,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'network-acl', direction: 'ingress', pairCount: 4 }],
    // Below the deny at #90, so the allow is reached first.
    remediations: [{ target: 'acl-0b7c6d5e4f3a21002', direction: 'ingress', protocol: 'udp', port: 8472, cidr: '10.0.1.0/24', ruleNumber: 80 }],
    cells: [
      '0->0 flannel-vxlan allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->1 flannel-vxlan blocked at network-acl [source-egress:security-group:allowed destination-ingress:security-group:allowed source-subnet-outbound:network-acl:allowed destination-subnet-inbound:network-acl:blocked]',
      '1->0 flannel-vxlan allowed at network-acl [source-egress:security-group:allowed destination-ingress:security-group:allowed source-subnet-outbound:network-acl:allowed destination-subnet-inbound:network-acl:allowed]',
      '1->1 flannel-vxlan allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
    ],
    mentions: ['acl-0b7c6d5e4f3a21002#90/ingress', '--ingress --rule-number 80 --protocol 17 --port-range From=8472,To=8472 --cidr-block 10.0.1.0/24 --rule-action allow'],
  },
  'custom-vxlan-port': {
    nodes: 3,
    allowed: 0,
    blocked: 6,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', direction: 'ingress', pairCount: 6 }],
    remediations: [{ target: '2b3c4d5e-6f70-4819-a2b3-c4d5e6f70801', direction: 'ingress', protocol: 'udp', port: 4789, cidr: '192.168.50.0/24' }],
    cells: [
      '0->0 flannel-vxlan blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked]',
    ],
    mentions: ['udp 8472 is allowed, not 4789', '--protocol udp --dst-port 4789 --remote-ip 192.168.50.0/24'],
  },
  wireguard: {
    nodes: 3,
    allowed: 0,
    blocked: 6,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'flannel-wireguard-v6', layer: 'security-group', direction: 'ingress', pairCount: 6 }],
    remediations: [{ target: '2b3c4d5e-6f70-4819-a2b3-c4d5e6f70802', direction: 'ingress', protocol: 'udp', port: 51821, cidr: '2001:db8:20::/64' }],
    cells: [
      '0->0 flannel-wireguard allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->0 flannel-wireguard-v6 blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked]',
    ],
    mentions: ['udp 51820 is allowed, not 51821', '--ethertype IPv6 --protocol udp --dst-port 51821 --remote-ip 2001:db8:20::/64'],
  },
  'missing-egress': {
    nodes: 3,
    allowed: 0,
    blocked: 6,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', direction: 'egress', pairCount: 6 }],
    remediations: [{ target: 'sg-0a1b2c3d4e5f60003', direction: 'egress', protocol: 'udp', port: 8472, cidr: '10.0.3.0/24' }],
    cells: [
      '0->0 flannel-vxlan blocked at security-group [source-egress:security-group:blocked destination-ingress:security-group:allowed]',
    ],
    mentions: ['No egress rule in sg-0a1b2c3d4e5f60003', 'aws ec2 authorize-security-group-egress --group-id sg-0a1b2c3d4e5f60003'],
  },
  'port-security-off': {
    nodes: 3,
    allowed: 4,
    blocked: 2,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', direction: 'ingress', pairCount: 2 }],
    remediations: [{ target: '2b3c4d5e-6f70-4819-a2b3-c4d5e6f70803', direction: 'ingress', protocol: 'udp', port: 8472, cidr: '172.16.30.0/24' }],
    cells: [
      '0->0 flannel-vxlan allowed at port-security [source-egress:port-security:allowed destination-ingress:port-security:allowed]',
      '0->1 flannel-vxlan blocked at security-group [source-egress:port-security:allowed destination-ingress:security-group:blocked]',
      '1->0 flannel-vxlan allowed at port-security [source-egress:security-group:allowed destination-ingress:port-security:allowed]',
    ],
    mentions: ['k8s-worker-0 (172.16.30.20) → k8s-worker-1 (172.16.30.21)', '--dst-port 8472 --remote-ip 172.16.30.0/24'],
  },
  healthy: {
    nodes: 3,
    allowed: 6,
    blocked: 0,
    unknown: 0,
    findings: [],
    remediations: [],
    cells: [
      '0->0 flannel-vxlan allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->1 flannel-vxlan allowed at network-acl [source-egress:security-group:allowed destination-ingress:security-group:allowed source-subnet-outbound:network-acl:allowed destination-subnet-inbound:network-acl:allowed]',
      '1->0 flannel-vxlan allowed at network-acl [source-egress:security-group:allowed destination-ingress:security-group:allowed source-subnet-outbound:network-acl:allowed destination-subnet-inbound:network-acl:allowed]',
    ],
    mentions: ['allowed for all 6 node pairs'],
  },
  'unbound-node': {
    nodes: 3,
    allowed: 2,
    blocked: 0,
    unknown: 4,
    findings: [{ verdict: 'unknown', requirement: 'flannel-vxlan', layer: 'node-mapping', pairCount: 4 }],
    remediations: [],
    cells: [
      '0->0 flannel-vxlan allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->1 flannel-vxlan unknown at node-mapping [node-mapping:node-mapping:unknown]',
      '1->0 flannel-vxlan unknown at node-mapping [node-mapping:node-mapping:unknown]',
    ],
    mentions: ['no network interface in the inputs has address 172.16.40.21'],
  },
  // Calico CrossSubnet (DOMAIN §8.1): only pairs in different subnets encapsulate in IP-in-IP;
  // same-subnet pairs route pod addresses natively, which the group and the disabled
  // source/destination check allow.
  'calico-cross-subnet': {
    nodes: 4,
    allowed: 4,
    blocked: 8,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'calico-ipip', layer: 'security-group', direction: 'ingress', pairCount: 8 }],
    remediations: [
      { target: 'sg-0a1b2c3d4e5f61001', direction: 'ingress', protocol: 'ipip', port: -1, cidr: '10.0.1.0/24' },
      { target: 'sg-0a1b2c3d4e5f61001', direction: 'ingress', protocol: 'ipip', port: -1, cidr: '10.0.2.0/24' },
    ],
    cells: [
      '0->0 calico-native-pod-traffic allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->0 calico-native-foreign-address allowed at source-dest-check [forwarding:source-dest-check:allowed forwarding:source-dest-check:allowed]',
      '0->0 calico-bgp allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->1 calico-ipip blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked source-subnet-outbound:network-acl:allowed destination-subnet-inbound:network-acl:allowed]',
      '0->1 calico-native-foreign-address allowed at source-dest-check [forwarding:source-dest-check:allowed forwarding:source-dest-check:allowed]',
      '0->1 calico-bgp allowed at network-acl [source-egress:security-group:allowed destination-ingress:security-group:allowed source-subnet-outbound:network-acl:allowed destination-subnet-inbound:network-acl:allowed]',
      '1->0 calico-ipip blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked source-subnet-outbound:network-acl:allowed destination-subnet-inbound:network-acl:allowed]',
      '1->0 calico-native-foreign-address allowed at source-dest-check [forwarding:source-dest-check:allowed forwarding:source-dest-check:allowed]',
      '1->0 calico-bgp allowed at network-acl [source-egress:security-group:allowed destination-ingress:security-group:allowed source-subnet-outbound:network-acl:allowed destination-subnet-inbound:network-acl:allowed]',
      '1->1 calico-native-pod-traffic allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '1->1 calico-native-foreign-address allowed at source-dest-check [forwarding:source-dest-check:allowed forwarding:source-dest-check:allowed]',
      '1->1 calico-bgp allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
    ],
    mentions: ["IpProtocol=4,IpRanges=[{CidrIp=10.0.1.0/24", 'CNI: `calico`, detected.'],
    cni: 'calico: BGP on (tcp 179), IPPool default-ipv4-ippool 192.168.0.0/16 IP-in-IP CrossSubnet',
  },
  // IP-in-IP routes come from BIRD (DOMAIN §8.1): protocol 4 alone is not enough without TCP 179.
  'calico-bgp-blocked': {
    nodes: 3,
    allowed: 0,
    blocked: 6,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'calico-bgp', layer: 'security-group', direction: 'ingress', pairCount: 6 }],
    remediations: [{ target: 'sg-0a1b2c3d4e5f61002', direction: 'ingress', protocol: 'tcp', port: 179, cidr: '10.0.1.0/24' }],
    cells: [
      '0->0 calico-ipip allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->0 calico-bgp blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked]',
    ],
    mentions: ['ipip is allowed from members of sg-0a1b2c3d4e5f61002, tcp is not', 'IpProtocol=tcp,FromPort=179,ToPort=179,IpRanges=[{CidrIp=10.0.1.0/24'],
    cni: 'calico: BGP on (tcp 179), IPPool default-ipv4-ippool 192.168.0.0/16 IP-in-IP Always',
  },
  // Cilium Geneve is UDP 6081 (DOMAIN §8.2); a group still open on 8472 (Cilium's VXLAN) is the trap.
  'cilium-geneve': {
    nodes: 3,
    allowed: 0,
    blocked: 6,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'cilium-geneve', layer: 'security-group', direction: 'ingress', pairCount: 6 }],
    remediations: [{ target: 'sg-0a1b2c3d4e5f61003', direction: 'ingress', protocol: 'udp', port: 6081, cidr: '10.0.1.0/24' }],
    cells: [
      '0->0 cilium-geneve blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked]',
      '0->0 cilium-health allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->0 cilium-health-icmp allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
    ],
    mentions: ['udp 8472 is allowed, not 6081', 'IpProtocol=udp,FromPort=6081,ToPort=6081,IpRanges=[{CidrIp=10.0.1.0/24'],
    cni: 'cilium: tunnel geneve (udp 6081), health checks (tcp 4240, icmp)',
  },
  // Native routing puts pod addresses on the wire (DOMAIN §8.2); EC2 drops them while the source/destination check is on.
  'cilium-native-aws': {
    nodes: 3,
    allowed: 0,
    blocked: 6,
    unknown: 0,
    findings: [
      // One finding for the one class: all three ENIs share the check, and it blocks all 6 pairs.
      { verdict: 'blocked', requirement: 'cilium-native-foreign-address', layer: 'source-dest-check', pairCount: 6 },
    ],
    remediations: [],
    cells: [
      '0->0 cilium-native-pod-traffic allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->0 cilium-native-foreign-address blocked at source-dest-check [forwarding:source-dest-check:blocked forwarding:source-dest-check:blocked]',
      '0->0 cilium-health allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->0 cilium-health-icmp allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
    ],
    mentions: [
      '`eni-0d1c2b3a4f5e60031,eni-0d1c2b3a4f5e60032,eni-0d1c2b3a4f5e60033`',
      'aws ec2 modify-instance-attribute --instance-id i-0f3e2d1c0b9a80031 --no-source-dest-check',
      'aws ec2 modify-instance-attribute --instance-id i-0f3e2d1c0b9a80032 --no-source-dest-check',
      'aws ec2 modify-instance-attribute --instance-id i-0f3e2d1c0b9a80033 --no-source-dest-check',
    ],
    cni: 'cilium: native routing (ipv4-native-routing-cidr 10.244.0.0/16), health checks (tcp 4240, icmp)',
  },
  // Canal networks with flannel: vxlan with no Port is 8472, not the 4789 of Calico's table (DOMAIN §8.3).
  canal: {
    nodes: 3,
    allowed: 0,
    blocked: 6,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', direction: 'ingress', pairCount: 6 }],
    remediations: [
      { target: 'sg-0a1b2c3d4e5f61005', direction: 'ingress', protocol: 'udp', port: 8472, cidr: '10.0.1.0/24' },
      { target: 'sg-0a1b2c3d4e5f61005', direction: 'ingress', protocol: 'udp', port: 8472, cidr: '10.0.2.0/24' },
    ],
    cells: [
      '0->0 flannel-vxlan blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked]',
      '0->1 flannel-vxlan blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked source-subnet-outbound:network-acl:allowed destination-subnet-inbound:network-acl:allowed]',
      '1->0 flannel-vxlan blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked source-subnet-outbound:network-acl:allowed destination-subnet-inbound:network-acl:allowed]',
    ],
    mentions: ['udp 4789 is allowed, not 8472', 'CNI: `canal`, detected. canal: flannel vxlan (port 8472).', 'DaemonSet kube-system/canal runs Canal'],
    cni: 'canal: flannel vxlan (port 8472)',
  },
  // k3s has no flannel ConfigMap (DOMAIN §8.3): the backend comes from k3s.io/node-args
  // (--flannel-backend vxlan), and vxlan with no Port is 8472, whatever 4789 the group admits.
  'k3s-vxlan': {
    nodes: 3,
    allowed: 0,
    blocked: 6,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', direction: 'ingress', pairCount: 6 }],
    remediations: [{ target: 'sg-0a1b2c3d4e5f61006', direction: 'ingress', protocol: 'udp', port: 8472, cidr: '10.0.4.0/24' }],
    cells: [
      '0->0 flannel-vxlan blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked]',
    ],
    mentions: [
      'CNI: `k3s`, detected. k3s: flannel vxlan (port 8472).',
      '3 of 3 nodes carry k3s marks',
      'k3s --flannel-backend=vxlan from k3s.io/node-args of node ip-10-0-4-10',
      'udp 4789 is allowed, not 8472',
      "IpProtocol=udp,FromPort=8472,ToPort=8472,IpRanges=[{CidrIp=10.0.4.0/24",
    ],
    cni: 'k3s: flannel vxlan (port 8472)',
  },
  // RKE2's canal Secret (DOMAIN §8.3): Port 0 leaves the port to the kernel, 8472. Only the
  // server's group lacks it, so only the pairs into the server are blocked.
  'rke2-canal': {
    nodes: 3,
    allowed: 4,
    blocked: 2,
    unknown: 0,
    findings: [{ verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', direction: 'ingress', pairCount: 2 }],
    remediations: [{ target: '3c4d5e6f-7081-492a-b3c4-d5e6f7081a60', direction: 'ingress', protocol: 'udp', port: 8472, cidr: '10.60.0.0/24' }],
    cells: [
      '0->0 flannel-vxlan allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
      '0->1 flannel-vxlan blocked at security-group [source-egress:security-group:allowed destination-ingress:security-group:blocked]',
      '1->0 flannel-vxlan allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
    ],
    mentions: [
      'CNI: `rke2`, detected. rke2: flannel vxlan (port 8472).',
      'Secret kube-system/rke2-canal-config is RKE2\'s canal configuration',
      'rke2-agent-0 (10.60.0.21) → rke2-server-0 (10.60.0.10)',
      'rke2-agent-1 (10.60.0.22) → rke2-server-0 (10.60.0.10)',
      'openstack security group rule create --ingress --ethertype IPv4 --protocol udp --dst-port 8472 --remote-ip 10.60.0.0/24 --description \'sgaudit: flannel vxlan\' 3c4d5e6f-7081-492a-b3c4-d5e6f7081a60',
    ],
    cni: 'rke2: flannel vxlan (port 8472)',
  },
  // A Neutron rule written as protocol "ipip" is 4 under the OVS driver and 94 under iptables
  // (DOMAIN §8.1): it proves nothing, so IP-in-IP is unknown, not allowed; BGP is allowed.
  'calico-openstack-ipip-name': {
    nodes: 3,
    allowed: 0,
    blocked: 0,
    unknown: 6,
    findings: [{ verdict: 'unknown', requirement: 'calico-ipip', layer: 'security-group', direction: 'ingress', pairCount: 6 }],
    // Nothing proven to fix, so no rule to add; the fix is in the finding's reason.
    remediations: [],
    cells: [
      '0->0 calico-ipip unknown at security-group [source-egress:security-group:allowed destination-ingress:security-group:unknown]',
      '0->0 calico-bgp allowed at security-group [source-egress:security-group:allowed destination-ingress:security-group:allowed]',
    ],
    mentions: [
      'rule e2f3a4b5-7001-4c6d-9e0f-1a2b3c4d5e07 names its protocol as "ipip"',
      'protocol 4 (ipip) under the OVS firewall driver but protocol 94 under the iptables and iptables_hybrid firewall drivers',
      'delete e2f3a4b5-7001-4c6d-9e0f-1a2b3c4d5e07 first',
      'openstack security group rule create --ingress --ethertype IPv4 --protocol 4 --remote-group 4d5e6f70-8192-4a3b-c4d5-e6f708192b70 4d5e6f70-8192-4a3b-c4d5-e6f708192b70',
    ],
    cni: 'calico: BGP on (tcp 179), IPPool default-ipv4-ippool 192.168.0.0/16 IP-in-IP Always',
  },
};

function scenarioDirs(): string[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(GOLDEN_DIR, d.name, 'scenario.json')))
    .map((d) => d.name)
    .sort();
}

/** Repo-relative, '/'-separated, so document names in the reports do not depend on the checkout. */
function repoPath(abs: string): string {
  return relative(REPO_ROOT, abs).split(sep).join('/');
}

async function loadInputs(name: string): Promise<AuditInputs> {
  const dir = join(GOLDEN_DIR, name);
  const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as ScenarioFile;
  const inputs = emptyInputs();
  const read = async (flag: Flag): Promise<RawDocument[]> => {
    const paths = (scenario.inputs[flag] ?? []).map((p) => resolve(dir, p));
    const docs = await readDocuments(paths, flag === 'cni' ? '--cni-config' : `--${flag}`);
    return docs.map((d: RawDocument) => ({ ...d, name: repoPath(d.name) }));
  };
  for (const flag of ['nodes', 'flannel', 'aws', 'openstack'] as const) inputs[flag] = await read(flag);
  const cni = await read('cni');
  if (cni.length > 0) inputs.cni = cni;
  if (scenario.options?.cni !== undefined) inputs.cniChoice = scenario.options.cni;
  if (scenario.options?.controlPlane === true) inputs.requirementOptions = { controlPlane: true };
  return inputs;
}

function summarize(report: AuditReport, evaluation: Evaluation): Omit<Expectation, 'mentions' | 'cni'> {
  return {
    nodes: report.summary.nodes,
    allowed: report.summary.allowed,
    blocked: report.summary.blocked,
    unknown: report.summary.unknown,
    findings: report.findings.map((f) => ({
      verdict: f.verdict,
      requirement: f.requirement,
      layer: f.layer,
      ...(f.direction ? { direction: f.direction } : {}),
      pairCount: f.pairCount,
    })),
    cells: evaluation.cells.map(cellLine),
    remediations: report.remediations.map((r) => ({
      target: r.target.id,
      direction: r.direction,
      protocol: r.protocol,
      port: r.fromPort ?? -1,
      cidr: r.cidr,
      ...(r.ruleNumber !== undefined ? { ruleNumber: r.ruleNumber } : {}),
    })),
  };
}

function cellLine(c: CellResult): string {
  const steps = c.evidence.map((e) => `${e.check}:${e.layer}:${e.decision}`).join(' ');
  return `${c.sourceClass}->${c.destinationClass} ${c.requirementId} ${c.verdict} at ${c.layer} [${steps}]`;
}

/** Compares with the stored file, or (SGAUDIT_UPDATE_GOLDEN=1) rewrites it. */
function matchGolden(path: string, actual: string): void {
  if (UPDATE) {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`${repoPath(path)} is missing; generate it with SGAUDIT_UPDATE_GOLDEN=1 npx vitest run test/golden and review it`);
  }
  expect(actual, `${repoPath(path)} differs (regenerate with SGAUDIT_UPDATE_GOLDEN=1 only if the change is intended)`).toBe(
    readFileSync(path, 'utf8'),
  );
}

describe('golden reports', () => {
  it('every scenario directory has hand-checked expectations and vice versa', () => {
    expect(scenarioDirs()).toEqual(Object.keys(SCENARIOS).sort());
  });

  describe.each(scenarioDirs())('%s', (name) => {
    it('matches expected.json, expected.md and the hand-checked summary', async () => {
      const { report, evaluation } = runAudit(await loadInputs(name));
      const expectation = SCENARIOS[name];
      expect(expectation, `add ${name} to SCENARIOS in golden.test.ts`).toBeDefined();

      const { mentions, cni, ...facts } = expectation!;
      expect(summarize(report, evaluation)).toEqual(facts);
      if (cni !== undefined) expect(report.cni?.summary).toBe(cni);
      const s = report.summary;
      expect(s.directedPairs).toBe(s.nodes * (s.nodes - 1));
      expect(s.allowed + s.blocked + s.unknown).toBe(s.directedPairs);
      for (const f of report.findings) {
        expect(f.pairs).toHaveLength(Math.min(f.pairCount, 1000));
        expect(f.pairsTruncated).toBe(false);
      }
      for (const r of report.remediations) {
        expect(r.cidr).not.toMatch(/^(0\.0\.0\.0|::)\/0$/);
      }
      expect(auditExitCode(report)).toBe(s.blocked + s.unknown > 0 ? 1 : 0);

      const dir = join(GOLDEN_DIR, name);
      matchGolden(join(dir, 'expected.json'), `${JSON.stringify(report, null, 2)}\n`);
      const markdown = renderMarkdown(report);
      for (const text of mentions) expect(markdown).toContain(text);
      matchGolden(join(dir, 'expected.md'), markdown);
    });
  });
});
