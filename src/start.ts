import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import { DEFAULT_GRAPH_BASE_URL, type PartnerCenterSettings, type WorkerConfig } from './config';
import { EXIT_BAD_CONFIGURATION, loadConfigOrReport, runAsMain } from './command-line';
import { createLogger } from './logging';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxPartnerCenterSettings } from './sandbox-settings';
import { startDevServer, type DevServer } from './dev/temporal-dev-server';
import { connectToTemporal, installRuntime, runWorker, STOPPED } from './worker';
import { submitDemoPurchases, purchaseCommandExample, type DemoPurchases } from './demo';
import { serveApi, type ServedApi } from './api/main';
import { localToken } from './api/tokens';
import { PARTNER_CENTER_EVENTS_PATH } from './api/routes/partner-center-events';
import type { ApiToken } from './settings/api-tokens';
import { connectClient } from './client';
import { startTracing, stopTracing } from './tracing';
import { leaveStartSettings, startSettingsOf } from './start-settings';

/** Embedded defaults of `npm start` (contract §1). */
const TEMPORAL_PORT = 7233;
const TEMPORAL_UI_PORT = 8233;
const SANDBOX_PORT = 8091;
const API_PORT = 8090;

interface Started {
  devServer?: DevServer;
  sandbox?: Sandbox;
  api?: StartedApi;
  /** The settings file for `pcw` and `npm run api` in another terminal (start-settings.ts), while this runs. */
  settingsFile?: { path: string; stopped(): void };
}

/** The Partner Center the worker and the API use, and the CA to trust for its authority (the sandbox's). */
interface PartnerCenter {
  settings: PartnerCenterSettings;
  trustedCaPem?: string;
}

interface StartedApi extends ServedApi {
  /** The token made for this run when PCW_API_TOKENS is unset (printed in the banner), else undefined. */
  localToken?: ApiToken;
}

/**
 * The HTTP API on PCW_API_PORT (8090 by default), on loopback: with PCW_API_TOKENS, or else one `local:operate`
 * token made for this run, so a curl on this machine can try it at once. Its own Temporal client; invoices
 * from the same Partner Center (or sandbox) as the worker.
 */
async function startApi(
  config: WorkerConfig,
  partnerCenter: PartnerCenter,
  workerConnection: NativeConnection,
): Promise<StartedApi> {
  const local = config.api.tokens === undefined ? localToken() : undefined;
  // The worker's connection: a quote over the API then starts eagerly on this process's worker (docs/benchmarks.md).
  const client = await connectClient(config, workerConnection);
  const api = await serveApi({
    client,
    config,
    tokens: config.api.tokens ?? [local as ApiToken],
    port: config.api.port ?? API_PORT,
    host: '127.0.0.1',
    // The sandbox's settings when it runs, so the invoice routes read its invoices.
    partnerCenter,
  });
  // The connection is the worker's: runUntilStopped closes it after the API.
  return { url: api.url, localToken: local, close: () => api.close() };
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/**
 * `npm start`: the dev server (unless TEMPORAL_ADDRESS or a profile points elsewhere), the sandbox (unless real
 * Partner Center settings are given) and the worker, in one process. Ctrl-C stops the worker, then the rest.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const demo = argv.includes('--demo');
  const config = loadConfigOrReport(env, { requirePartnerCenter: false });
  if (!config) return EXIT_BAD_CONFIGURATION;
  const logger = createLogger(config.logLevel);
  const dataDir = resolve(env.PCW_DATA_DIR ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const started: Started = {};
  // Before anything Temporal: the dev server's fallback (the SDK's download) would otherwise create the Runtime.
  // Signals are ours, not the Runtime's, so a Ctrl-C during start-up stops start-up too.
  installRuntime(config, logger, []);
  await startTracing('partner-center-worker', env);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (!env.TEMPORAL_ADDRESS && !env.TEMPORAL_PROFILE) started.devServer = await startTemporal(config, dataDir);
    if (stop.signal.aborted) return 0;
    const partnerCenter = await partnerCenterOrSandbox(config, dataDir, started);
    if (stop.signal.aborted) return 0;
    await runUntilStopped(config, logger, partnerCenter, started, { stop: stop.signal, demo, dataDir });
    return 0;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    started.settingsFile?.stopped();
    await started.sandbox?.close();
    await started.devServer?.stop();
    await stopTracing();
    if (stop.signal.aborted) print(STOPPED);
  }
}

/** The dev server on the embedded ports, its history in the data directory; the config then points at it. */
async function startTemporal(config: WorkerConfig, dataDir: string): Promise<DevServer> {
  print('Starting the Temporal dev server ...');
  const devServer = await startDevServer({
    port: TEMPORAL_PORT,
    uiPort: TEMPORAL_UI_PORT,
    dbFile: join(dataDir, 'temporal.sqlite'),
    namespace: config.temporal.namespace,
    ownProcessGroup: true,
  });
  config.temporal.connectionOptions.address = devServer.address;
  return devServer;
}

/**
 * The configured Partner Center, or else the sandbox (started into `started`) and the CA to trust for it; the API
 * then accepts the sandbox's signed events, whose certificate is on the sandbox authority's host.
 */
async function partnerCenterOrSandbox(config: WorkerConfig, dataDir: string, started: Started): Promise<PartnerCenter> {
  if (config.partnerCenter) return { settings: config.partnerCenter };
  print('No Partner Center settings given: starting the Partner Center sandbox ...');
  started.sandbox = await startSandbox({ port: SANDBOX_PORT, dataFile: join(dataDir, 'sandbox.json') });
  const certHost = new URL(started.sandbox.authorityHost).hostname;
  if (!config.partnerCenterEventCertHosts.includes(certHost)) config.partnerCenterEventCertHosts.push(certHost);
  return { settings: sandboxPartnerCenterSettings(started.sandbox), trustedCaPem: started.sandbox.caPem };
}

/** The sandbox sends its events to this API (as `pcw pc-webhooks register` would), and the settings file is left. */
async function registerEventsAndLeaveSettings(
  config: WorkerConfig,
  started: Started,
  partnerCenter: PartnerCenter,
  dataDir: string,
) {
  const { sandbox, api } = started;
  if (sandbox && api) await sandbox.control.registerEventWebhook(`${api.url}${PARTNER_CENTER_EVENTS_PATH}`);
  const sandboxSettings = sandbox && { settings: partnerCenter.settings, trustedCaPem: sandbox.caPem };
  started.settingsFile = leaveStartSettings(dataDir, startSettingsOf(config, sandboxSettings));
}

/** The worker and the HTTP API on one Temporal connection, the banner, `--demo`'s purchases; until `stop`. */
async function runUntilStopped(
  config: WorkerConfig,
  logger: Logger,
  { settings, trustedCaPem }: PartnerCenter,
  started: Started,
  { stop, demo, dataDir }: { stop: AbortSignal; demo: boolean; dataDir: string },
): Promise<void> {
  const connection = await connectToTemporal(config);
  try {
    const worker = runWorker(config, settings, logger, { trustedCaPem, connection, stop });
    started.api = await startApi(config, { settings, trustedCaPem }, connection);
    await registerEventsAndLeaveSettings(config, started, { settings, trustedCaPem }, dataDir);
    printBanner(config, settings, started);
    if (demo) {
      if (!started.sandbox) {
        print('--demo needs the sandbox (its seeded customers); it is skipped with real Partner Center settings.');
      } else {
        printDemoPurchases(await submitDemoPurchases(config, started.sandbox.customerIds));
      }
    }
    await worker;
  } finally {
    await started.api?.close();
    await connection.close();
  }
}

function printBanner(config: WorkerConfig, settings: PartnerCenterSettings, started: Started): void {
  print();
  print('partner-center-worker is running');
  if (started.devServer?.uiUrl) print(`  Temporal UI      ${started.devServer.uiUrl}`);
  print(
    `  Temporal         ${config.temporal.connectionOptions.address} (namespace ${config.temporal.namespace}, task queue ${config.taskQueue})`,
  );
  if (started.sandbox) {
    print(`  Partner Center   sandbox at ${started.sandbox.baseUrl} (authority ${started.sandbox.authorityHost})`);
    print(`  Customers        ${started.sandbox.customerIds.join(', ')}`);
  } else {
    print(`  Partner Center   ${settings.baseUrl} (tenant ${settings.tenantId})`);
  }
  // The billing exports' host (MICROSOFT_GRAPH_BASE_URL): the sandbox serves one beside Partner Center.
  print(`  Microsoft Graph  ${settings.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL}${started.sandbox ? ' (sandbox)' : ''}`);
  if (started.sandbox && started.api)
    print(`  Events           sandbox → ${started.api.url}${PARTNER_CENTER_EVENTS_PATH}`);
  // Where `pcw` and `npm run api` in another terminal find these settings (owner-only; the secret is in it, not here).
  if (started.settingsFile) print(`  Settings         ${started.settingsFile.path} (for npx pcw in another terminal)`);
  const customerId = started.sandbox?.customerIds[0] ?? '<customer tenant id>';
  print();
  print('Submit a purchase (the same --request-id never buys twice; a new one buys again):');
  print(`  ${purchaseCommandExample(config, customerId)}`);
  if (started.api) printApi(started.api, customerId);
  print();
  print('Press Ctrl-C to stop.');
}

function printApi(api: StartedApi, customerId: string): void {
  print();
  print(`HTTP API on ${api.url} (OpenAPI at ${api.url}/openapi.json)`);
  // The local token is printed once, here, for the person at this terminal; it is never logged.
  const token = api.localToken?.token ?? '<a token of PCW_API_TOKENS>';
  if (api.localToken)
    print(`  Token            ${token} (local:operate, made for this run; set PCW_API_TOKENS to choose your own)`);
  const body = JSON.stringify({
    customerId,
    items: [
      {
        offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
        quantity: 5,
        termDuration: 'P1M',
        billingCycle: 'monthly',
      },
    ],
  });
  print(
    `  curl -s -X POST ${api.url}/v1/purchases -H 'Authorization: Bearer ${token}' -H 'Idempotency-Key: curl-1' -H 'Content-Type: application/json' -d '${body}'`,
  );
  print(`  curl -s ${api.url}/v1/purchases/curl-1 -H 'Authorization: Bearer ${token}'`);
}

function printDemoPurchases(demo: DemoPurchases): void {
  const approvalRequestId = demo.awaitingApproval.replace(/^purchase-/, '');
  print();
  print('Demo purchases submitted (watch them in the UI):');
  print(`  Completing         ${demo.completing.join(', ')}`);
  print(`  Awaiting approval  ${demo.awaitingApproval} (npx pcw approve ${approvalRequestId} --by you)`);
  print(`  Failing            ${demo.failing} (an offer the sandbox does not sell: CatalogItemNotFound)`);
}

if (require.main === module) runAsMain(() => main(process.argv.slice(2)));
