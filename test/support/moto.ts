import {
  EC2Client,
  type EC2ClientConfig,
} from '@aws-sdk/client-ec2';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Where test/services/moto/setup.sh starts moto_server. Tests talk to nothing else. */
export const MOTO_ENDPOINT = process.env.MOTO_ENDPOINT ?? 'http://127.0.0.1:5055';

/** moto_server answers on its management API; anything else (refused, timeout) means not running. */
export async function motoReachable(endpoint: string = MOTO_ENDPOINT): Promise<{ ok: boolean; reason: string }> {
  try {
    const res = await fetch(new URL('/moto-api/', endpoint), { signal: AbortSignal.timeout(2000) });
    return res.ok
      ? { ok: true, reason: '' }
      : { ok: false, reason: `moto at ${endpoint} answered HTTP ${res.status}` };
  } catch (e) {
    return {
      ok: false,
      reason: `moto_server not reachable at ${endpoint} (${(e as Error).message}); run test/services/moto/setup.sh`,
    };
  }
}

/** A client for moto: fixed fake credentials, so no real AWS chain is ever consulted. */
export function motoClient(config: Partial<EC2ClientConfig> = {}): EC2Client {
  return new EC2Client({
    endpoint: MOTO_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    ...config,
  });
}
