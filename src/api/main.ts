import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { EXIT_BAD_CONFIGURATION, loadConfigOrReport, runAsMain } from '../command-line';
import { ConfigError, type PartnerCenterSettings, type WorkerConfig } from '../config';
import { createLogger } from '../logging';
import type { PartnerCenterLogger } from '../partner-center';
import { connectPartnerCenter } from '../partner-center-connection';
import { connectClient } from '../client';
import type { PartnerCenterAccess } from './app';
import type { ApiToken } from '../settings/api-tokens';
import { buildApi } from './server';
import { startTracing, stopTracing } from '../tracing';
import { describeSource, environmentBesideStart, withStartCa } from '../start-settings';

export interface ServeApiOptions {
  client: Client;
  config: WorkerConfig;
  tokens: readonly ApiToken[];
  port: number;
  /** `127.0.0.1` under `npm start`; every interface for `npm run api` (a container's port). */
  host: string;
  /**
   * Partner Center for the invoice routes when it is not `config.partnerCenter` (`npm start`'s sandbox); without
   * either they answer 503.
   */
  partnerCenter?: { settings: PartnerCenterSettings; trustedCaPem?: string };
}

export interface ServedApi {
  /** `http://127.0.0.1:8090` */
  url: string;
  close(): Promise<void>;
}

/** Builds the API and listens; its request log goes to stdout as JSON at LOG_LEVEL, as the worker's does. */
export async function serveApi(options: ServeApiOptions): Promise<ServedApi> {
  // Partner Center's calls and refusals go to stdout as JSON at LOG_LEVEL too, as the worker's do.
  const logger = createLogger(options.config.logLevel);
  const app = await buildApi({
    client: options.client,
    taskQueue: options.config.taskQueue,
    tokens: options.tokens,
    partnerCenter: options.partnerCenter
      ? partnerCenterAccess(options.partnerCenter.settings, options.partnerCenter.trustedCaPem, logger)
      : options.config.partnerCenter && partnerCenterAccess(options.config.partnerCenter, undefined, logger),
    callbackOrigins: options.config.webhooks?.allowedOrigins ?? [],
    // The sandbox's CA signs its events' certificates under `npm start`, as it signs its authority's https.
    partnerCenterEvents: {
      certHosts: options.config.partnerCenterEventCertHosts,
      trustedCaPem: options.partnerCenter?.trustedCaPem ?? options.config.partnerCenter?.trustedCaPem,
    },
    logger: { level: options.config.logLevel },
  });
  await app.listen({ port: options.port, host: options.host });
  const { port } = app.server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}

/** A client of its own, as `pcw invoices` makes one: the API reads invoices directly, not through a workflow. */
export function partnerCenterAccess(
  settings: PartnerCenterSettings,
  trustedCaPem?: string,
  logger?: PartnerCenterLogger,
): PartnerCenterAccess {
  const { client, tokens } = connectPartnerCenter(settings, { trustedCaPem, logger });
  return { client, tokenMode: tokens.mode };
}

/** `npm run api`: the HTTP API alone, for production; needs PCW_API_PORT, PCW_API_TOKENS and a reachable Temporal. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Beside `npm start`, the settings it left fill what this environment does not set (its sandbox, its CA).
  const beside = environmentBesideStart(env);
  const source = describeSource(beside.source);
  if (source !== undefined) process.stdout.write(`settings: ${source}\n`);
  const config = withStartCa(loadConfigOrReport(beside.env, { requirePartnerCenter: false }), beside);
  if (!config) return EXIT_BAD_CONFIGURATION;
  const missing = [
    ...(config.api.port === undefined ? ['PCW_API_PORT: required: the port the HTTP API listens on'] : []),
    ...(config.api.tokens === undefined
      ? ['PCW_API_TOKENS: required: comma-separated name:role:token entries (roles read, submit, operate)']
      : []),
  ];
  if (missing.length > 0 || config.api.port === undefined || config.api.tokens === undefined) {
    process.stderr.write(`${new ConfigError(missing).message}\n`);
    return EXIT_BAD_CONFIGURATION;
  }
  await startTracing('partner-center-api', env);
  let client: Client;
  try {
    client = await connectClient(config);
  } catch (error) {
    const address = config.temporal.connectionOptions.address ?? 'localhost:7233';
    process.stderr.write(`Temporal is unreachable at ${address}: ${(error as Error).message.split('\n', 1)[0]}\n`);
    return 1;
  }
  try {
    const api = await serveApi({ client, config, tokens: config.api.tokens, port: config.api.port, host: '0.0.0.0' });
    process.stdout.write(`partner-center-worker HTTP API on ${api.url} (OpenAPI at ${api.url}/openapi.json)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await api.close();
    return 0;
  } finally {
    await client.connection.close();
    await stopTracing();
  }
}

if (require.main === module) runAsMain(() => main());
