/**
 * A resolved OpenStack cloud: everything needed to log in to Keystone v3 and pick the
 * Neutron endpoint. Built by `resolveOpenstackCloud` (config.ts) from clouds.yaml or OS_* variables.
 */
export interface OpenstackCloud {
  /** The clouds.yaml name, or `OS_* environment` when the variables were used. */
  name: string;
  /** Where the settings came from, for messages: files or environment. */
  origin: string;
  /** Keystone v3 root, always ending in `/v3` without a trailing slash. */
  authUrl: string;
  auth: KeystoneAuth;
  regionName?: string;
  interface: EndpointInterface;
  tls: TlsSettings;
}

export type EndpointInterface = 'public' | 'internal' | 'admin';

export interface TlsSettings {
  /** PEM bundle that replaces Node's default CAs (clouds.yaml `cacert`, OS_CACERT). */
  caFile?: string;
  /** false only when the user explicitly asked for it (`verify: false`, OS_INSECURE=true). */
  verify: boolean;
  /** Client certificate and key (clouds.yaml `cert`/`key`, OS_CERT/OS_KEY). */
  certFile?: string;
  keyFile?: string;
}

/** Keystone v3 names are unique per domain only, so a name always travels with its domain. */
export type DomainRef = { id: string } | { name: string };
export type UserRef = { id: string } | { name: string; domain: DomainRef };
export type ProjectRef = { id: string } | { name: string; domain: DomainRef };

export type KeystoneAuth =
  | { method: 'password'; user: UserRef; password: string; project: ProjectRef }
  | { method: 'application_credential'; credential: { id: string } | { name: string; user: UserRef }; secret: string }
  /** An existing token: used as it is when `project` is absent, else exchanged for a token scoped to it. */
  | { method: 'token'; token: string; project?: ProjectRef };

/** Short description for error messages; never contains a secret. */
export function describeAuth(auth: KeystoneAuth): string {
  switch (auth.method) {
    case 'password':
      return `password login of user ${describeRef(auth.user)} to project ${describeRef(auth.project)}`;
    case 'application_credential':
      return 'id' in auth.credential
        ? `application credential ${auth.credential.id}`
        : `application credential ${auth.credential.name} of user ${describeRef(auth.credential.user)}`;
    case 'token':
      return auth.project ? `token re-scoped to project ${describeRef(auth.project)}` : 'existing token';
  }
}

function describeRef(ref: UserRef | ProjectRef): string {
  if ('id' in ref) return `id ${ref.id}`;
  const domain = 'id' in ref.domain ? `domain id ${ref.domain.id}` : `domain ${ref.domain.name}`;
  return `${JSON.stringify(ref.name)} (${domain})`;
}
