// One-time Keystone content for the openstack test tier, run by setup.sh after keystone is up:
// the `network` service in the catalog, a project `sgaudit`, a reader-only user and an
// application credential limited to `reader`; writes clouds.yaml + secure.yaml for them.
// Re-runnable: existing objects are looked up, the application credential is recreated
// (its secret cannot be read back). Node built-ins only, so it runs before `npm ci`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    'auth-url': { type: 'string' },
    'network-url': { type: 'string' },
    'admin-password': { type: 'string' },
    out: { type: 'string' },
  },
});
for (const name of ['auth-url', 'network-url', 'admin-password', 'out']) {
  if (!args[name]) throw new Error(`bootstrap.mjs: --${name} is required`);
}
const authUrl = args['auth-url'].replace(/\/+$/, '');
const PROJECT = 'sgaudit';
const READER = { name: 'sgaudit-reader', password: 'sgaudit-reader-secret' };
const APP_CREDENTIAL = 'sgaudit-reader-appcred';

async function call(token, method, path, body) {
  const response = await fetch(`${authUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { 'x-auth-token': token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return { headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

async function login(userName, password, projectName) {
  const { headers, body } = await call(undefined, 'POST', '/auth/tokens', {
    auth: {
      identity: { methods: ['password'], password: { user: { name: userName, domain: { id: 'default' }, password } } },
      scope: { project: { name: projectName, domain: { id: 'default' } } },
    },
  });
  return { token: headers.get('x-subject-token'), userId: body.token.user.id };
}

async function findOrCreate(token, collection, key, name, extraQuery, create) {
  const found = await call(token, 'GET', `/${collection}?name=${encodeURIComponent(name)}${extraQuery}`);
  if (found.body[collection].length > 0) return found.body[collection][0].id;
  return (await call(token, 'POST', `/${collection}`, { [key]: create })).body[key].id;
}

const admin = await login('admin', args['admin-password'], 'admin');
const T = admin.token;

const serviceId = await findOrCreate(T, 'services', 'service', 'neutron', '&type=network', {
  type: 'network', name: 'neutron', enabled: true,
});
const endpoints = (await call(T, 'GET', `/endpoints?service_id=${serviceId}`)).body.endpoints;
for (const iface of ['public', 'internal', 'admin']) {
  if (endpoints.some((e) => e.interface === iface)) continue;
  await call(T, 'POST', '/endpoints', {
    endpoint: { service_id: serviceId, interface: iface, region_id: 'RegionOne', url: args['network-url'] },
  });
}

const roleId = async (name) => (await call(T, 'GET', `/roles?name=${name}`)).body.roles[0].id;
const projectId = await findOrCreate(T, 'projects', 'project', PROJECT, '&domain_id=default', {
  name: PROJECT, domain_id: 'default', description: 'sgaudit live tests',
});
// admin works inside the test project so that the reader sees what the tests create
await call(T, 'PUT', `/projects/${projectId}/users/${admin.userId}/roles/${await roleId('admin')}`);
// NOTE: no password PATCH on re-runs: a password change revokes every token issued in the same
// second, including the reader login right below.
const readerId = await findOrCreate(T, 'users', 'user', READER.name, '&domain_id=default', {
  name: READER.name, domain_id: 'default', password: READER.password,
});
await call(T, 'PUT', `/projects/${projectId}/users/${readerId}/roles/${await roleId('reader')}`);

// The reader creates its own application credential: any user may, for itself.
const reader = await login(READER.name, READER.password, PROJECT);
const existing = await call(reader.token, 'GET', `/users/${readerId}/application_credentials?name=${APP_CREDENTIAL}`);
for (const old of existing.body.application_credentials) {
  await call(reader.token, 'DELETE', `/users/${readerId}/application_credentials/${old.id}`);
}
const appCredential = (await call(reader.token, 'POST', `/users/${readerId}/application_credentials`, {
  application_credential: { name: APP_CREDENTIAL, description: 'sgaudit live tests (reader)', roles: [{ name: 'reader' }] },
})).body.application_credential;

// Secrets go to secure.yaml only, the way operators split them, which also exercises the merge.
const common = `    region_name: RegionOne\n    interface: public\n    identity_api_version: 3\n`;
const clouds = `# Written by test/services/openstack/bootstrap.mjs. Secrets are in secure.yaml next to this file.
clouds:
  sgaudit-admin:
    auth:
      auth_url: ${authUrl}
      username: admin
      user_domain_name: Default
      project_name: ${PROJECT}
      project_domain_name: Default
${common}  sgaudit-reader:
    auth:
      auth_url: ${authUrl}
      username: ${READER.name}
      user_domain_id: default
      project_id: ${projectId}
${common}  sgaudit-appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: ${authUrl}
      application_credential_id: ${appCredential.id}
${common}`;
const secure = `clouds:
  sgaudit-admin:
    auth:
      password: ${args['admin-password']}
  sgaudit-reader:
    auth:
      password: ${READER.password}
  sgaudit-appcred:
    auth:
      application_credential_secret: ${appCredential.secret}
`;
writeFileSync(join(args.out, 'clouds.yaml'), clouds);
writeFileSync(join(args.out, 'secure.yaml'), secure, { mode: 0o600 });
console.log(`bootstrap: project ${PROJECT}=${projectId}, user ${READER.name} (reader), app credential ${appCredential.id}`);
