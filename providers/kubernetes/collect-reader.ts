import type { AppsV1Api, ConfigurationOptions, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
// client-node does not re-export its generated serializer; it is the one its own API classes use.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import type { CollectionDeadline } from '../../src/model/deadline.js';
import { boundedCall, BoundedCallError } from './bounded-call.js';

/** The API groups the collection reads. */
export interface KubernetesApis {
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
}

/** What every read needs: the clients, the server it names in errors, the clock, and the request count. */
export interface Reader {
  apis: KubernetesApis;
  server: string;
  deadline: CollectionDeadline;
  /** Requests sent, retries included. */
  calls: number;
}

/** One GET with the collection's timeouts and retries; every attempt is counted. */
export function read<T>(reader: Reader, send: (apis: KubernetesApis, options: ConfigurationOptions) => Promise<T>): Promise<T> {
  return boundedCall(reader.deadline, (options) => {
    reader.calls += 1;
    return send(reader.apis, options);
  });
}

/**
 * client-node returns class instances with Date objects and renamed fields (`_continue`);
 * its serializer turns them back into the API's JSON, the same shape `kubectl -o json` prints.
 */
export function toKubectlJson(value: object, type: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(ObjectSerializer.serialize(value, type, ''))) as Record<string, unknown>;
}

/** The server's or the connection's error behind a failed read, if there was one. */
export function failureCause(error: unknown): unknown {
  if (error instanceof BoundedCallError && error.failure.kind === 'failed') return error.failure.error;
  return error;
}
