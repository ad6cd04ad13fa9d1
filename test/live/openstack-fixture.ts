import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { resolveOpenstackCloud } from '../../providers/openstack/config.js';
import { createHttpClient } from '../../providers/openstack/http.js';
import { KeystoneSession } from '../../providers/openstack/keystone.js';
import { startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';

/** Where test/services/openstack/setup.sh keeps its state and clouds.yaml. */
export const OS_STATE = process.env.SGAUDIT_OS_STATE ?? '/tmp/sgaudit-openstack';
export const CLOUDS_FILE = join(OS_STATE, 'clouds.yaml');
/** Every object the tests create is named with this prefix, so leftovers of crashed runs can be removed. */
export const NAME_PREFIX = 'sgaudit-it-';

/** Config environment that sees only the test cloud's files, never the user's own clouds.yaml. */
export function testConfigEnv(): { env: NodeJS.ProcessEnv; cwd: string; home: string } {
  return { env: { OS_CLIENT_CONFIG_FILE: CLOUDS_FILE }, cwd: OS_STATE, home: OS_STATE };
}

/** Is setup.sh's cloud there? Returns the reason when not, for requireTier. */
export async function openstackReachable(): Promise<{ ok: boolean; reason: string }> {
  let authUrl: string;
  try {
    authUrl = resolveOpenstackCloud({ cloud: 'sgaudit-admin', ...testConfigEnv() }).authUrl;
  } catch (e) {
    return { ok: false, reason: `no usable ${CLOUDS_FILE} (run test/services/openstack/setup.sh as root): ${(e as Error).message}` };
  }
  try {
    const r = await fetch(authUrl, { signal: AbortSignal.timeout(3000) });
    if (!r.ok) return { ok: false, reason: `${authUrl} answered HTTP ${r.status}` };
  } catch (e) {
    return { ok: false, reason: `Keystone at ${authUrl} is not reachable (run test/services/openstack/setup.sh): ${(e as Error).message}` };
  }
  return { ok: true, reason: '' };
}

type Json = Record<string, unknown>;

/** Admin access to the test project's Neutron and Keystone, to build topologies with. */
export class NeutronAdmin {
  private constructor(
    readonly session: KeystoneSession,
    readonly neutronUrl: string,
    readonly authUrl: string,
  ) {}

  static async connect(): Promise<NeutronAdmin> {
    const cloud = resolveOpenstackCloud({ cloud: 'sgaudit-admin', ...testConfigEnv() });
    const session = new KeystoneSession(cloud, createHttpClient(cloud.tls));
    return new NeutronAdmin(session, (await session.endpoint('network')).replace(/\/+$/, ''), cloud.authUrl);
  }

  async call(method: string, path: string, body?: Json): Promise<Json> {
    const { value } = await this.session.token();
    const r = await fetch(`${this.neutronUrl}/v2.0/${path}`, {
      method,
      headers: { 'x-auth-token': value, 'content-type': 'application/json' },
      ...(body && { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} /v2.0/${path}: HTTP ${r.status} ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as Json) : {};
  }

  private async create(collection: string, key: string, body: Json): Promise<Json> {
    return (await this.call('POST', collection, { [key]: body }))[key] as Json;
  }

  network(name: string): Promise<Json> {
    return this.create('networks', 'network', { name });
  }

  subnet(name: string, networkId: string, cidr: string): Promise<Json> {
    return this.create('subnets', 'subnet', { name, network_id: networkId, cidr, ip_version: 4, enable_dhcp: false });
  }

  group(name: string, extra: Json = {}): Promise<Json> {
    return this.create('security-groups', 'security_group', { name, description: 'sgaudit live test', ...extra });
  }

  rule(groupId: string, rule: Json): Promise<Json> {
    return this.create('security-group-rules', 'security_group_rule', { security_group_id: groupId, ethertype: 'IPv4', ...rule });
  }

  addressGroup(name: string, addresses: string[]): Promise<Json> {
    return this.create('address-groups', 'address_group', { name, addresses });
  }

  port(name: string, networkId: string, subnetId: string, ip: string, extra: Json = {}): Promise<Json> {
    return this.create('ports', 'port', { name, network_id: networkId, fixed_ips: [{ subnet_id: subnetId, ip_address: ip }], ...extra });
  }

  async defaultGroupId(): Promise<string> {
    const groups = (await this.call('GET', 'security-groups?name=default')).security_groups as Json[];
    const projectId = (await this.session.token()).projectId;
    const own = groups.find((g) => g.project_id === projectId);
    if (!own) throw new Error('the test project has no default security group');
    return own.id as string;
  }

  /** Deletes every object named with NAME_PREFIX: ports first, then what they used. */
  async removeTestObjects(prefix = NAME_PREFIX): Promise<void> {
    for (const [collection, key] of [
      ['ports', 'ports'],
      ['networks', 'networks'],
      ['security-groups', 'security_groups'],
      ['address-groups', 'address_groups'],
    ] as const) {
      const items = (await this.call('GET', collection))[key] as Json[];
      for (const item of items) {
        if (typeof item.name === 'string' && item.name.startsWith(prefix)) await this.call('DELETE', `${collection}/${String(item.id)}`);
      }
    }
  }

  /** Revokes a token the way `openstack token revoke` does. */
  async revokeToken(token: string): Promise<void> {
    const { value } = await this.session.token();
    const r = await fetch(`${this.authUrl}/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': value, 'x-subject-token': token } });
    if (r.status !== 204) throw new Error(`revoking a token: HTTP ${r.status}`);
  }
}

/** A v1 NodeList as kubectl prints it: flannel vxlan, VTEP = public-ip annotation. */
export function nodeList(nodes: { name: string; ip: string; serverId?: string }[]): Json {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: nodes.map((n, i) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        labels: { 'kubernetes.io/os': 'linux' },
        annotations: {
          'flannel.alpha.coreos.com/backend-type': 'vxlan',
          'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: `a6:1f:3c:9e:2b:${(16 + i).toString(16)}` }),
          'flannel.alpha.coreos.com/public-ip': n.ip,
        },
      },
      spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`], ...(n.serverId && { providerID: `openstack:///${n.serverId}` }) },
      status: { addresses: [{ type: 'InternalIP', address: n.ip }] },
    })),
  };
}

/**
 * Test runs on one machine share the cloud and its fixed addresses (the incident's
 * 172.16.10.x), so a second concurrent run (another `vitest run` of the whole suite) would see
 * and delete the first one's ports. Runs therefore take turns: an atomic mkdir lock holding the
 * owner's pid, taken over when that process is gone.
 */
export async function lockCloud(timeoutMs = 600_000): Promise<() => void> {
  const dir = join(OS_STATE, 'test-run.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!ownerAlive(dir)) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another test run holds ${dir} for more than ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

function ownerAlive(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    return true; // being created right now
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The test cloud reached through fault proxies: Keystone's, and Neutron's behind the catalog it hands out. */
export interface ProxiedCloud {
  keystone: HttpFaultProxy;
  neutron: HttpFaultProxy;
  /** For `collectOpenstack({ config })`: a clouds.yaml whose auth_url is the Keystone proxy. */
  config: { env: NodeJS.ProcessEnv; cwd: string; home: string };
  close(): Promise<void>;
}

/**
 * Puts fault proxies in front of the real Keystone and neutron-server without changing
 * sgaudit: the clouds use a copy of clouds.yaml whose auth_url is the Keystone proxy, and that
 * proxy rewrites the network endpoints of every token catalog to the Neutron proxy, the way a
 * catalog names whatever the operator registered. Secrets stay in the original secure.yaml.
 */
export async function proxiedCloud(): Promise<ProxiedCloud> {
  const admin = await NeutronAdmin.connect();
  const neutron = await startHttpFaultProxy(admin.neutronUrl);
  const keystone = await startHttpFaultProxy(new URL(admin.authUrl).origin, {
    rewrite: (body, request) => (/\/auth\/tokens(\?|$)/.test(request.path) ? catalogThrough(body, neutron.url) : body),
  });
  const dir = mkdtempSync(join(tmpdir(), 'sgaudit-os-proxied-'));
  const clouds = parse(readFileSync(CLOUDS_FILE, 'utf8')) as { clouds: Record<string, { auth: { auth_url: string } }> };
  for (const cloud of Object.values(clouds.clouds)) {
    const original = new URL(cloud.auth.auth_url);
    cloud.auth.auth_url = `${keystone.url}${original.pathname}`;
  }
  const file = join(dir, 'clouds.yaml');
  writeFileSync(file, stringify(clouds));
  return {
    keystone,
    neutron,
    config: { env: { OS_CLIENT_CONFIG_FILE: file, OS_CLIENT_SECURE_FILE: join(OS_STATE, 'secure.yaml') }, cwd: dir, home: dir },
    async close() {
      await Promise.all([keystone.close(), neutron.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A token body with every `network` endpoint moved to `neutronProxy`, path kept. */
function catalogThrough(body: Buffer, neutronProxy: string): Buffer {
  let parsed: { token?: { catalog?: { type?: string; endpoints?: { url?: string }[] }[] } };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    return body; // an error page: pass it on untouched
  }
  for (const service of parsed.token?.catalog ?? []) {
    if (service.type !== 'network') continue;
    for (const endpoint of service.endpoints ?? []) {
      if (typeof endpoint.url === 'string') endpoint.url = `${neutronProxy}${new URL(endpoint.url).pathname.replace(/\/+$/, '')}`;
    }
  }
  return Buffer.from(JSON.stringify(parsed));
}
