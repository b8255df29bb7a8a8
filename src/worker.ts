import {
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import type { Logger } from '@temporalio/common';
import { createActivities, type ActivityDeps } from './activities';
import type { PartnerCenterSettings, WorkerConfig } from './config';
import { EXIT_BAD_CONFIGURATION, loadConfigOrReport, runAsMain } from './command-line';
import { createLogger } from './logging';
import { partnerCenterCallMetrics } from './metrics';
import { createCatalogResolver, createPartnerCenterClient, createTokenProvider } from './partner-center';
import { workflowBundle } from './temporal/workflow-bundle';

/** How long in-flight activities may finish after SIGINT/SIGTERM before they are cancelled. */
const SHUTDOWN_GRACE = '30s';
const CONNECT_TIMEOUT_MS = 15_000;
/** The last line of a worker that stopped cleanly (SIGINT/SIGTERM), so an operator knows nothing was cut off. */
export const STOPPED = 'partner-center-worker stopped';

/**
 * Installs the one Temporal Runtime of this process: JSON logs, optional Prometheus metrics, and (unless the caller
 * handles signals itself) SIGINT/SIGTERM starting a graceful worker shutdown.
 */
export function installRuntime(
  config: Pick<WorkerConfig, 'logLevel' | 'metricsPort'>,
  logger: Logger,
  shutdownSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): void {
  Runtime.install({
    logger: new DefaultLogger(config.logLevel.toUpperCase() as Uppercase<WorkerConfig['logLevel']>, (entry) =>
      logger.log(entry.level, entry.message, entry.meta),
    ),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(config.metricsPort ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${config.metricsPort}` } } } : {}),
    },
    shutdownSignals,
  });
}

/** The Partner Center side of the activities: token provider, typed client, cached catalog resolver. */
export function createActivityDeps(
  settings: PartnerCenterSettings,
  config: Pick<WorkerConfig, 'orderPollIntervalMs' | 'orderVisibilityDeadlineMs'> &
    Partial<Pick<WorkerConfig, 'orderPollMaxIntervalMs' | 'approvalTimeoutMs' | 'subscriptionChangeDeadlineMs'>>,
  logger: Logger,
  trustedCaPem?: string,
): ActivityDeps {
  const tokens = createTokenProvider({
    tenantId: settings.tenantId,
    clientId: settings.clientId,
    credential: settings.credential,
    refreshToken: settings.refreshToken,
    authorityHost: settings.authorityHost,
    trustedCaPem,
  });
  const partnerCenter = createPartnerCenterClient({
    baseUrl: settings.baseUrl,
    tokens,
    logger,
    onCall: partnerCenterCallMetrics(Runtime.instance().metricMeter),
  });
  return {
    partnerCenter,
    catalog: createCatalogResolver(partnerCenter, {}),
    tokenMode: tokens.mode,
    settings: {
      orderPollIntervalMs: config.orderPollIntervalMs,
      orderPollMaxIntervalMs: config.orderPollMaxIntervalMs,
      orderVisibilityDeadlineMs: config.orderVisibilityDeadlineMs,
      approvalTimeoutMs: config.approvalTimeoutMs,
      subscriptionChangeDeadlineMs: config.subscriptionChangeDeadlineMs,
    },
  };
}

/**
 * How many workflow runs the worker keeps in memory between their workflow tasks. The SDK's default grows with the
 * heap limit (~2,300 runs on a 4 GiB heap) and a cached purchase costs ~1.8 MiB: in `npm run bench -- --only waiting`
 * 1,000 purchases waiting for their orders took the bench process from 399 to 2,203 MiB RSS. A waiting run has no
 * task until its poll ends (the poll's retries run on the server), so keeping it cached buys nothing. With 100, the
 * same 1,000 waiting purchases held 521 MiB (idle: 394 MiB, sandbox and clients included). The trade-off: a run
 * evicted from the cache is rebuilt by replaying its history (~45 events, a few ms of CPU) when its next task comes,
 * and a burst of starts beyond the cache replays more (peak RSS 1.3 GiB while 1,000 started at once, collected
 * within a minute). 100 is still ~3× the purchases in flight at the bench's throughput (30 at a time, each a few
 * tasks within a second or two), so steady buying does not replay.
 */
const MAX_CACHED_WORKFLOWS = 100;

/** Worker options shared by production, `npm start` and the tests, so all three run the same worker. */
export function workerOptions(
  deps: ActivityDeps,
  config: Pick<WorkerConfig, 'taskQueue' | 'requestsPerMinute'>,
): Pick<
  WorkerOptions,
  'taskQueue' | 'activities' | 'maxTaskQueueActivitiesPerSecond' | 'shutdownGraceTime' | 'maxCachedWorkflows'
> {
  return {
    taskQueue: config.taskQueue,
    activities: createActivities(deps),
    // The Partner Center budget is global: the server enforces this rate across every worker on the queue.
    maxTaskQueueActivitiesPerSecond: config.requestsPerMinute / 60,
    shutdownGraceTime: SHUTDOWN_GRACE,
    maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
  };
}

/** Connects to Temporal, failing with a message that names the address instead of retrying forever. */
export async function connectToTemporal(config: WorkerConfig): Promise<NativeConnection> {
  const address = config.temporal.connectionOptions.address ?? 'localhost:7233';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Temporal is unreachable at ${address} (no answer in ${CONNECT_TIMEOUT_MS / 1000} s).`)),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([NativeConnection.connect(config.temporal.connectionOptions), timeout]);
  } catch (error) {
    const reason = (error as Error).message;
    throw new Error(
      reason.startsWith('Temporal is unreachable')
        ? reason
        : `Temporal is unreachable at ${address} (namespace ${config.temporal.namespace}): ${reason}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the worker until SIGINT/SIGTERM (or `stop`); in-flight activities get SHUTDOWN_GRACE to finish. */
export async function runWorker(
  config: WorkerConfig,
  settings: PartnerCenterSettings,
  logger: Logger,
  options: { trustedCaPem?: string; connection?: NativeConnection; stop?: AbortSignal } = {},
): Promise<void> {
  const connection = options.connection ?? (await connectToTemporal(config));
  try {
    const deps = createActivityDeps(settings, config, logger, options.trustedCaPem);
    const { bundle, prebuilt } = await workflowBundle(logger);
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      workflowBundle: bundle,
      ...workerOptions(deps, config),
    });
    logger.info('Worker started', {
      taskQueue: config.taskQueue,
      namespace: config.temporal.namespace,
      partnerCenter: settings.baseUrl,
      tokenMode: deps.tokenMode,
      workflowBundle: prebuilt ? 'prebuilt' : 'built at start',
    });
    const { stop } = options;
    if (stop)
      await worker.runUntil(
        new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true })),
      );
    else await worker.run();
  } finally {
    if (!options.connection) await connection.close();
  }
}

/** `npm run worker`: production entry point; needs a reachable Temporal and real Partner Center settings. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = loadConfigOrReport(env, { requirePartnerCenter: true });
  if (!config) return EXIT_BAD_CONFIGURATION;
  const logger = createLogger(config.logLevel);
  installRuntime(config, logger);
  try {
    // A private authority's CA comes from NODE_EXTRA_CA_CERTS, Node's own mechanism.
    await runWorker(config, config.partnerCenter as PartnerCenterSettings, logger);
    logger.info(STOPPED);
    return 0;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) runAsMain(() => main());
