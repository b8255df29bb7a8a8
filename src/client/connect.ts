import { Client, Connection, type ConnectionLike } from '@temporalio/client';
import type { WorkerConfig } from '../config';
import { dataConverterFor } from '../temporal/codec';
import { tracingClientInterceptors } from '../tracing';

/** How long to wait for Temporal before saying it is not reachable (the SDK's default is 10 s). */
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * The Temporal client of a long-running caller (the HTTP API): one place that turns the configuration into a
 * connection and a client, so whatever every client needs (a data converter, interceptors) is added here once.
 * Close it with `client.connection.close()`.
 */
export async function connectClient(
  config: Pick<WorkerConfig, 'temporal' | 'encryptionKeys'>,
  /** A worker's connection to share (npm start): quotes then start eagerly on that worker; its owner closes it. */
  shared?: ConnectionLike,
): Promise<Client> {
  const connection =
    shared ??
    (await Connection.connect({
      ...config.temporal.connectionOptions,
      connectTimeout: CONNECT_TIMEOUT_MS,
    }));
  // PAYLOAD_ENCRYPTION_KEYS: what this client sends is encrypted and what it reads decrypted, as the worker's.
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterFor(config.encryptionKeys),
    // With OTEL_* set, a start or an update carries the caller's trace into the run.
    interceptors: tracingClientInterceptors(),
  });
}
