import { EC2Client } from '@aws-sdk/client-ec2';
import { DEFAULT_CALL_LIMITS } from '../../src/model/deadline.js';
import { InputError } from '../../src/model/source.js';

export type AwsRetryMode = 'standard' | 'adaptive';

export interface Ec2ClientOptions {
  region?: string;
  profile?: string;
  maxAttempts?: number;
  retryMode?: AwsRetryMode;
  /** One attempt of one request, connection included; default DEFAULT_CALL_LIMITS.requestTimeoutMs. */
  requestTimeoutMs?: number;
}

/**
 * The Node HTTP handler settings that bound one attempt. The SDK's `requestTimeout` alone only
 * logs a warning (smithy's node-http-handler 4.x): `throwOnRequestTimeout` makes it fail the
 * attempt with a TimeoutError, which the retry strategy treats as transient (retried like a
 * 5xx). `socketTimeout` covers a server that sends headers and then stalls the body, which
 * `requestTimeout` no longer watches; without it the SDK's default is 15 minutes of silence.
 */
export function ec2RequestHandlerConfig(requestTimeoutMs: number) {
  return {
    connectionTimeout: requestTimeoutMs,
    requestTimeout: requestTimeoutMs,
    socketTimeout: requestTimeoutMs,
    throwOnRequestTimeout: true,
  };
}

/**
 * Builds an EC2 client on the SDK's default chains, so sgaudit behaves like the AWS CLI:
 * region and credentials from env, the shared profile (`profile` or AWS_PROFILE), web identity
 * or IMDS; endpoint from AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL (the SDK reads both itself);
 * retries from AWS_MAX_ATTEMPTS / AWS_RETRY_MODE, else standard mode with 3 attempts.
 * Only options the caller set are passed, so the SDK's own env/config resolution stays in charge.
 */
export function createEc2Client(options: Ec2ClientOptions = {}): EC2Client {
  // The SDK prints a Node-version notice on every process; it is noise in a CLI report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new EC2Client({
    ...(options.region !== undefined && { region: options.region }),
    ...(options.profile !== undefined && { profile: options.profile }),
    ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
    ...(options.retryMode !== undefined && { retryMode: options.retryMode }),
    requestHandler: ec2RequestHandlerConfig(options.requestTimeoutMs ?? DEFAULT_CALL_LIMITS.requestTimeoutMs),
  });
}

/**
 * Resolves the region up front: without it every call would fail one by one and the
 * report would be a wall of `unknown`, where one clear message is what the user needs.
 */
export async function requireRegion(client: EC2Client): Promise<string> {
  let region: string | undefined;
  try {
    region = await client.config.region();
  } catch {
    region = undefined;
  }
  if (!region) {
    throw new InputError([
      {
        document: '--aws-region',
        pointer: '',
        reason: 'AWS region is not set: pass --aws-region, or set AWS_REGION, or a region in the selected AWS profile',
      },
    ]);
  }
  return region;
}
