import {
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { Logger } from '@temporalio/common';
import { createActivities, type ActivityDeps } from './activities';
import { auditPositionStore, ensureAuditBackfillSchedule } from './client/audit-backfill';
import { AUDIT_BACKFILL_SCHEDULE_ID } from './workflows/events/api';
import type { DeploymentVersion, PartnerCenterSettings, WorkerConfig } from './config';
import { EXIT_BAD_CONFIGURATION, loadConfigOrReport, runAsMain } from './command-line';
import { createLogger } from './logging';
import { createCatalogResolver } from './partner-center';
import { connectPartnerCenter } from './partner-center-connection';
import { dataConverterFor } from './temporal/codec';
import { workflowBundle } from './temporal/workflow-bundle';
import { activeTracing, startTracing, stopTracing, tracingClientInterceptors } from './tracing';
import { applyWorkerHeapFlags } from './worker-memory';

/** How long in-flight activities may finish after SIGINT/SIGTERM before they are cancelled. */
const SHUTDOWN_GRACE = '30s';
/**
 * The longest the SDK holds an activity's heartbeat before sending it (its default: 80 % of the heartbeat timeout,
 * 48 s for the export read's 1-minute timeout). A heartbeat carries a long read's checkpoint: sent within 10 s, a
 * retry after a lost worker resumes at most 10 s of work back, for one small RPC per 10 s per long activity.
 */
const MAX_HEARTBEAT_THROTTLE = '10s';
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
    Partial<
      Pick<
        WorkerConfig,
        | 'orderPollMaxIntervalMs'
        | 'approvalTimeoutMs'
        | 'subscriptionChangeDeadlineMs'
        | 'renewalReviewLeadMs'
        | 'relationshipAcceptTimeoutMs'
        | 'gdapApprovalTimeoutMs'
        | 'licenceVisibilityDeadlineMs'
        | 'webhooks'
      >
    >,
  logger: Logger,
  trustedCaPem?: string,
): ActivityDeps {
  const {
    client: partnerCenter,
    graph,
    tenants,
    gdap,
    tokens,
    prices,
  } = connectPartnerCenter(settings, {
    logger,
    metrics: Runtime.instance().metricMeter,
    trustedCaPem,
  });
  return {
    partnerCenter,
    graph,
    licenceUsage: tenants,
    gdap,
    customerTenants: tenants,
    prices,
    catalog: createCatalogResolver(partnerCenter, {}),
    tokenMode: tokens.mode,
    settings: {
      orderPollIntervalMs: config.orderPollIntervalMs,
      orderPollMaxIntervalMs: config.orderPollMaxIntervalMs,
      orderVisibilityDeadlineMs: config.orderVisibilityDeadlineMs,
      approvalTimeoutMs: config.approvalTimeoutMs,
      subscriptionChangeDeadlineMs: config.subscriptionChangeDeadlineMs,
      renewalReviewLeadMs: config.renewalReviewLeadMs,
      relationshipAcceptTimeoutMs: config.relationshipAcceptTimeoutMs,
      gdapApprovalTimeoutMs: config.gdapApprovalTimeoutMs,
      licenceVisibilityDeadlineMs: config.licenceVisibilityDeadlineMs,
    },
    webhooks: config.webhooks,
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
export const MAX_CACHED_WORKFLOWS = 100;

/**
 * PARTNER_CENTER_REQUESTS_PER_MINUTE is one budget: the main queue's rate, enforced by the server across every worker,
 * and handed out by task priority (src/workflows/common/priority.ts), so checkouts go before reads, polls and reviews
 * and budget nobody else wants goes to whoever waits. Runs started before then recorded `<queue>-polls` as their poll
 * queue and keep polling there: that queue is still served, with this share of the budget (the main queue keeps the
 * rest), until no such run is left. It was half, not lent to buying when unused (docs/benchmarks.md).
 */
const POLL_BUDGET_SHARE = 0.1;

/** The task queue of the polls of runs recorded before the one budget: `<queue>-polls`. */
export function pollTaskQueueOf(taskQueue: string): string {
  return `${taskQueue}-polls`;
}

/**
 * Worker Deployment Versioning (contract §3h), or nothing when no version is configured. Runs are PINNED to the
 * version they started on (a new version never replays them); the subscription lifecycle opts into AUTO_UPGRADE in
 * its own definition (src/workflows/subscription/lifecycle.ts).
 */
export function deploymentOptions(
  version: DeploymentVersion | undefined,
): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (version === undefined) return {};
  return { workerDeploymentOptions: { useWorkerVersioning: true, version, defaultVersioningBehavior: 'PINNED' } };
}

/** Worker options shared by production, `npm start` and the tests, so all three run the same worker. */
export function workerOptions(
  deps: ActivityDeps,
  config: Pick<WorkerConfig, 'taskQueue' | 'requestsPerMinute' | 'deploymentVersion'>,
): Pick<
  WorkerOptions,
  | 'taskQueue'
  | 'workerDeploymentOptions'
  | 'activities'
  | 'maxTaskQueueActivitiesPerSecond'
  | 'shutdownGraceTime'
  | 'maxCachedWorkflows'
  | 'maxHeartbeatThrottleInterval'
> {
  return {
    taskQueue: config.taskQueue,
    activities: createActivities(deps),
    // The Partner Center budget is global: the server enforces this rate across every worker on the queue.
    maxTaskQueueActivitiesPerSecond: (config.requestsPerMinute * (1 - POLL_BUDGET_SHARE)) / 60,
    shutdownGraceTime: SHUTDOWN_GRACE,
    maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
    maxHeartbeatThrottleInterval: MAX_HEARTBEAT_THROTTLE,
    ...deploymentOptions(config.deploymentVersion),
  };
}

/**
 * The activity-only worker of the poll queue, in the same process: the same activities (only polls of runs that
 * recorded `<queue>-polls` are scheduled there), the poll queue's share of the budget. It joins the same deployment
 * version, so the polls of a run pinned to a version go to that version's poll worker.
 */
export function pollWorkerOptions(
  deps: ActivityDeps,
  config: Pick<WorkerConfig, 'taskQueue' | 'requestsPerMinute' | 'deploymentVersion'>,
): Pick<
  WorkerOptions,
  'taskQueue' | 'activities' | 'maxTaskQueueActivitiesPerSecond' | 'shutdownGraceTime' | 'workerDeploymentOptions'
> {
  return {
    taskQueue: pollTaskQueueOf(config.taskQueue),
    activities: createActivities(deps),
    maxTaskQueueActivitiesPerSecond: (config.requestsPerMinute * POLL_BUDGET_SHARE) / 60,
    shutdownGraceTime: SHUTDOWN_GRACE,
    ...deploymentOptions(config.deploymentVersion),
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

/** The Schedule `pc-audit-backfill`; one this worker cannot decode is reported, never a reason not to start. */
async function ensureBackfillSchedule(client: Client, taskQueue: string, logger: Logger): Promise<void> {
  const { unreadable } = await ensureAuditBackfillSchedule(client, { taskQueue });
  if (unreadable !== undefined) {
    logger.warn(`Schedule ${AUDIT_BACKFILL_SCHEDULE_ID} left as it is: its input cannot be decoded with these keys`, {
      error: unreadable,
    });
  }
}

/**
 * Runs `workers` until the Runtime's shutdown signals (SIGINT/SIGTERM) or `stop`; if one fails, the others are shut
 * down too.
 */
async function runTogether(workers: Worker[], stop: AbortSignal | undefined): Promise<void> {
  const stopped =
    stop && new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  const runs = workers.map((each) => (stopped ? each.runUntil(stopped) : each.run()));
  try {
    await Promise.all(runs);
  } catch (error) {
    for (const each of workers) if (each.getState() === 'RUNNING') each.shutdown();
    await Promise.allSettled(runs);
    throw error;
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
    // New runs record no poll queue: they poll on the main queue, behind buying (POLL_BUDGET_SHARE).
    const deps = createActivityDeps(settings, config, logger, options.trustedCaPem);
    const client = new Client({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverterFor(config.encryptionKeys),
      interceptors: tracingClientInterceptors(),
    });
    deps.auditPosition = auditPositionStore(client);
    // Contract §3f: the activity log backfill, created or updated idempotently at every start.
    await ensureBackfillSchedule(client, config.taskQueue, logger);
    // With OTEL_* set: the bundle with the workflow interceptors, the activity interceptors and the spans' sink.
    const tracing = activeTracing()?.workerOptions();
    const { bundle, prebuilt } = await workflowBundle(logger, { traced: tracing !== undefined });
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      workflowBundle: bundle,
      dataConverter: dataConverterFor(config.encryptionKeys),
      ...tracing,
      ...workerOptions(deps, config),
    });
    const pollWorker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverterFor(config.encryptionKeys),
      interceptors: tracing?.interceptors,
      ...pollWorkerOptions(deps, config),
    });
    logger.info('Worker started', {
      taskQueue: config.taskQueue,
      legacyPollTaskQueue: pollTaskQueueOf(config.taskQueue),
      namespace: config.temporal.namespace,
      partnerCenter: settings.baseUrl,
      tokenMode: deps.tokenMode,
      workflowBundle: prebuilt ? 'prebuilt' : 'built at start',
      tracing: tracing !== undefined,
      deploymentVersion: config.deploymentVersion ?? 'unversioned',
    });
    await runTogether([worker, pollWorker], options.stop);
  } finally {
    if (!options.connection) await connection.close();
  }
}

/** `npm run worker`: production entry point; needs a reachable Temporal and real Partner Center settings. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = loadConfigOrReport(env, { requirePartnerCenter: true });
  if (!config) return EXIT_BAD_CONFIGURATION;
  const logger = createLogger(config.logLevel);
  applyWorkerHeapFlags();
  installRuntime(config, logger);
  await startTracing('partner-center-worker', env);
  try {
    // A private authority's CA comes from NODE_EXTRA_CA_CERTS, Node's own mechanism.
    await runWorker(config, config.partnerCenter as PartnerCenterSettings, logger);
    logger.info(STOPPED);
    return 0;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  } finally {
    await stopTracing();
  }
}

if (require.main === module) runAsMain(() => main());
