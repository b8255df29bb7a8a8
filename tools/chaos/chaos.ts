import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import {
  purchaseFailureTypes,
  purchaseStatusQuery,
  startPurchase,
  type PurchaseRequest,
  type PurchaseResult,
} from '../../src/client';
import { createPartnerCenterClient, createTokenProvider } from '../../src/partner-center';
import { sandboxWorkerEnv } from '../bench/processes';
import { sandboxTokenOptions } from '../../src/sandbox-settings';
import { FAULT_SHARES, installFaultMix, SLOW_CALL_MS } from './fault-mix';
import { invalidPurchaseRequests } from './invalid-purchase-requests';
import { findSecrets, readableJson, type SecretLeak } from './secrets';
import { startTemporalCluster, type KillableService } from './cluster';
import { explainSlowest, type SlowestPurchase } from './slowest';
import { startRestartableTemporal } from './temporal';
import { createWorkerPool, pidOfIdentity } from './workers';

/**
 * The chaos run (issue 12): purchases over several worker processes while the sandbox fails, throttles, stalls and
 * drops answers, workers are SIGKILLed and Temporal restarts; then the invariants. `npm run chaos` and the small
 * Jest variant run this same function.
 */

export interface ChaosOptions {
  purchases: number;
  kills: number;
  restarts: number;
  workers: number;
  /** Purchases running at once (the rest queue), so the run lasts long enough for the kills to land mid-work. */
  inFlight: number;
  /** Pause before each chaos event, random in [min, max] ms. */
  eventGapMs: [number, number];
  /** How long the purchases may take in all; one unfinished by then is stuck. */
  deadlineMs: number;
  /**
   * Temporal as a cluster of processes on PostgreSQL (`--cluster`) instead of the dev server: each restart is then a
   * SIGKILL of its history process, then of its matching process, alternately, each started again at once.
   */
  cluster?: boolean;
  progress: (line: string) => void;
}

export interface KillRecord {
  pid: number;
  /** `checkout`: the worker was running a checkout at that moment. */
  during: 'checkout' | 'any';
  /** Activities that worker was running when it died. */
  inFlight: number;
  /** From the kill until the last of those ran on another worker (or ended); undefined: nothing was in flight. */
  recoveryMs?: number;
  recovered: boolean;
}

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ChaosReport {
  options: Omit<ChaosOptions, 'progress'>;
  durationMs: number;
  purchases: { total: number; completed: number; p50Ms: number; p95Ms: number; maxMs: number };
  /** Where the slowest completed purchase spent its time, to tell faults from waiting. */
  slowest?: SlowestPurchase;
  kills: KillRecord[];
  /** What Temporal was: the dev server, or the cluster's processes and database. */
  temporal: string;
  /** `service`: the cluster's process that was SIGKILLed; none: the dev server was restarted. */
  restarts: Array<{ downtimeMs: number; service?: KillableService }>;
  unexpectedWorkerExits: number;
  partnerCenterRequests: number;
  orders: { total: number; maxPerCart: number; duplicated: string[]; unattributed: number };
  sameRequestId: { starts: number; newlyStarted: number; sameResult: boolean; afterCompletionNewlyStarted: boolean };
  invalidRequests: { total: number; refused: number };
  longWait: { completed: boolean; waitedBeforeAdvance: boolean; detectionMs: number };
  secrets: { historiesScanned: number; logBytesScanned: number; leaks: SecretLeak[] };
  invariants: Invariant[];
  /** Kept only when an invariant broke: the workers' output, for a look. */
  logDir?: string;
}

/** Office 365 E1 sells up to 10,000 seats: each purchase gets its own seat count, so its order can be told apart. */
const OFFER = { productId: 'CFQ7TTC0LF8Q', skuId: '0001' };
export const MAX_PURCHASES = 9_000;
const LONG_WAIT_MS = 15 * 60_000;
const DELAYS = { orderCompletionMs: 1000, orderListMs: 2000, checkoutMs: 1500 };
const RECOVERY_GIVE_UP_MS = 300_000;
/** From the clock's jump, how long the 15-minute-wait purchase may take to complete. */
const LONG_WAIT_DEADLINE_MS = 120_000;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
/** A cluster's restarts, in turn. */
const KILLED_SERVICES: KillableService[] = ['history', 'matching'];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

class Stuck extends Error {}

/** Resolves with `promise`, or rejects with Stuck at `deadline` (epoch ms). */
function byDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Stuck('deadline passed')), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Asks Temporal until it answers: while the server restarts, calls fail for a while; a workflow's failure is an answer. */
async function untilAnswered<T>(call: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await byDeadline(call(), deadline);
    } catch (error) {
      if (error instanceof WorkflowFailedError || error instanceof Stuck || Date.now() > deadline) throw error;
      await sleep(1000);
    }
  }
}

interface Outcome {
  requestId: string;
  quantity: number;
  /** `completed`, `partial`, `cancelled`, `failed <type>` or `stuck`. */
  status: string;
  result?: PurchaseResult;
  ms: number;
  error?: string;
}

interface InFlight {
  workflowId: string;
  activityId: string;
  type: string;
  pid: number;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const began = performance.now();
  const log = (line: string) => options.progress(`[${seconds(performance.now() - began).padStart(7)}] ${line}`);
  const dir = mkdtempSync(join(tmpdir(), 'pcw-chaos-'));
  const cleanup: Array<() => Promise<unknown>> = [];
  let keepDir = false;
  try {
    log(
      options.cluster
        ? 'starting a Temporal cluster of its own (a process per service, PostgreSQL) and the sandbox'
        : 'starting a Temporal dev server of its own (SQLite file kept across restarts) and the sandbox',
    );
    const temporalServer = options.cluster
      ? await startTemporalCluster(dir, log)
      : await startRestartableTemporal(dir, () => undefined);
    cleanup.unshift(() => temporalServer.stop());
    const sandbox = await startSandbox({
      orderCompletionDelayMs: DELAYS.orderCompletionMs,
      orderListDelayMs: DELAYS.orderListMs,
    });
    cleanup.unshift(() => sandbox.close());
    // The injected 429s are the throttling under test; the sandbox's own limit would only slow the run.
    await sandbox.control.setThrottling({ partnerPerMinute: 1_000_000, customerPerMinute: 1_000_000 });
    // The harder answers: a repeated checkout is refused as already submitted, a repeated request is new.
    await sandbox.control.setApiPolicy({ repeatedCheckout: 'already-submitted', requestIdReplay: false });
    // A checkout holds its cart 1.5 s, so kills can land in one.
    await sandbox.control.setDelays({ checkoutMs: DELAYS.checkoutMs });

    const taskQueue = `chaos-${randomUUID()}`;
    const pool = createWorkerPool({
      size: options.workers,
      env: workerEnv(temporalServer.address, taskQueue, sandbox),
      progress: log,
    });
    cleanup.unshift(() => pool.stop());
    log(`starting ${options.workers} worker processes`);
    await pool.start();
    const connection = await Connection.connect({ address: temporalServer.address });
    cleanup.unshift(() => connection.close());
    const client = new Client({ connection });
    await installFaultMix(sandbox.control);
    log(
      `faults on: ${FAULT_SHARES.serverError * 100}% 5xx, ${FAULT_SHARES.throttle * 100}% 429, ` +
        `${FAULT_SHARES.slow * 100}% stalled ${SLOW_CALL_MS / 1000} s, ` +
        `${FAULT_SHARES.commitThenDrop * 100}% commit-then-drop on carts and checkouts`,
    );

    const customerId = sandbox.customerIds[0];
    const runTag = randomUUID().slice(0, 8);
    const request = (name: string, quantity: number): PurchaseRequest => ({
      requestId: `chaos-${runTag}-${name}`,
      customerId,
      items: [{ offer: OFFER, quantity, termDuration: 'P1M', billingCycle: 'monthly' }],
    });
    const deadline = Date.now() + options.deadlineMs;

    const purchase = async (req: PurchaseRequest, until = deadline): Promise<Outcome> => {
      const t0 = performance.now();
      const quantity = req.items[0].quantity;
      try {
        const handle = await untilAnswered(() => startPurchase(client, req, { taskQueue }), until);
        const result = await untilAnswered(() => handle.result(), until);
        return { requestId: req.requestId, quantity, status: result.status, result, ms: performance.now() - t0 };
      } catch (error) {
        const ms = performance.now() - t0;
        if (error instanceof Stuck) return { requestId: req.requestId, quantity, status: 'stuck', ms };
        const cause = (error as { cause?: Error }).cause;
        const type = cause instanceof ApplicationFailure ? cause.type : (error as Error).name;
        const message = `${(error as Error).message}: ${cause?.message ?? ''}`;
        return { requestId: req.requestId, quantity, status: `failed ${type}`, ms, error: message };
      }
    };

    // ---- The main phase: purchases, the same request id, the invalid table, while the chaos events happen ----
    const outcomes: Outcome[] = [];
    let next = 0;
    const mainPurchases = Promise.all(
      Array.from({ length: Math.min(options.inFlight, options.purchases) }, async () => {
        while (next < options.purchases) {
          const i = next++;
          outcomes.push(await purchase(request(String(i), i + 1)));
        }
      }),
    );
    const sameIdRequest = request('same-id', options.purchases + 1);
    const sameId = (async () => {
      const handles = await Promise.all(
        Array.from({ length: 5 }, () =>
          untilAnswered(() => startPurchase(client, sameIdRequest, { taskQueue }), deadline),
        ),
      );
      const outcome = await purchase(sameIdRequest);
      outcomes.push(outcome);
      const results = await Promise.all(handles.map((h) => untilAnswered(() => h.result(), deadline)));
      const again = await untilAnswered(() => startPurchase(client, sameIdRequest, { taskQueue }), deadline);
      const againResult = await untilAnswered(() => again.result(), deadline);
      const orderIds = (result: PurchaseResult) => result.orders.map((o) => o.orderId).join();
      return {
        starts: handles.length,
        newlyStarted: handles.filter((h) => h.newlyStarted).length,
        sameResult: [...results, againResult].every((r) => orderIds(r) === orderIds(againResult)),
        afterCompletionNewlyStarted: again.newlyStarted,
      };
    })();
    const invalid = Promise.all(
      invalidPurchaseRequests.map(async ([name, input, field], i) => {
        const workflowId = `chaos-${runTag}-invalid-${i}`;
        const start = async () => {
          try {
            return await client.workflow.start('purchaseSubscription', { taskQueue, workflowId, args: [input] });
          } catch (error) {
            // Started by an earlier try whose answer a Temporal restart lost.
            if (error instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle(workflowId);
            throw error;
          }
        };
        const handle = await untilAnswered(start, deadline);
        const failure = await untilAnswered(() => handle.result(), deadline).then(
          () => undefined,
          (error: unknown) => (error instanceof WorkflowFailedError ? error.cause : undefined),
        );
        const refused =
          failure instanceof ApplicationFailure &&
          failure.type === purchaseFailureTypes.invalidRequest &&
          failure.message.includes(field);
        if (!refused) log(`invalid request "${name}" was not refused naming ${field}`);
        return refused;
      }),
    );

    const kills: KillRecord[] = [];
    const restarts: ChaosReport['restarts'] = [];
    const recoveries: Array<Promise<void>> = [];
    const progressTimer = setInterval(() => {
      const done = outcomes.length;
      const bad = outcomes.filter((o) => o.status !== 'completed').length;
      log(
        `purchases ${done}/${options.purchases + 1} done (${bad} not completed), ${kills.length} kills, ${restarts.length} restarts`,
      );
    }, 10_000);

    const startedActivities = async (query: string, limit: number): Promise<InFlight[]> => {
      const found: InFlight[] = [];
      const ids: string[] = [];
      for await (const execution of client.workflow.list({ query, pageSize: limit })) {
        ids.push(execution.workflowId);
        if (ids.length >= limit) break;
      }
      await Promise.all(
        ids.map(async (workflowId) => {
          const described = await client.workflow.getHandle(workflowId).describe();
          for (const activity of described.raw.pendingActivities ?? []) {
            const pid = pidOfIdentity(activity.lastWorkerIdentity);
            if (activity.state === STARTED && pid && activity.activityId) {
              found.push({ workflowId, activityId: activity.activityId, type: activity.activityType?.name ?? '', pid });
            }
          }
        }),
      );
      return found;
    };

    /** Polls until each activity runs on another worker (or is done); the time of the last one. */
    const trackRecovery = async (record: KillRecord, items: InFlight[], killedAt: number): Promise<void> => {
      const waiting = new Map(items.map((item) => [`${item.workflowId}/${item.activityId}`, item]));
      let latest = 0;
      while (waiting.size > 0 && Date.now() - killedAt < RECOVERY_GIVE_UP_MS) {
        await sleep(500);
        for (const [key, item] of waiting) {
          try {
            const described = await client.workflow.getHandle(item.workflowId).describe();
            const activity = described.raw.pendingActivities?.find((a) => a.activityId === item.activityId);
            const lastPid = pidOfIdentity(activity?.lastWorkerIdentity);
            let at: number | undefined;
            if (!activity || described.status.name !== 'RUNNING') at = Date.now();
            else if (lastPid !== undefined && lastPid !== item.pid)
              // Running on another worker; or an attempt there already failed and the next waits its backoff (the
              // server then names the last attempt's worker): one failing fast is seldom caught running.
              at = activity.state === STARTED ? tsToMs(activity.lastStartedTime) : Date.now();
            if (at !== undefined) {
              latest = Math.max(latest, at - killedAt);
              waiting.delete(key);
            }
          } catch {
            // Temporal is restarting: ask again.
          }
        }
      }
      record.recovered = waiting.size === 0;
      record.recoveryMs = latest;
    };

    const kill = async (index: number): Promise<void> => {
      const wantCheckout = index % 2 === 0;
      let victim: number | undefined;
      // Runs whose step is checking-out, described, show who runs the checkout (a checkout holds its cart 1.5 s).
      for (let tries = 0; wantCheckout && tries < 240 && victim === undefined; tries++) {
        const live = pool.pids();
        const started = await startedActivities(`ExecutionStatus="Running" AND PcStep="checking-out"`, 10).catch(
          () => [],
        );
        victim = started.find((a) => a.type === 'checkoutPurchaseCart' && live.includes(a.pid))?.pid;
        if (victim === undefined) await sleep(250);
      }
      const during = victim === undefined ? 'any' : 'checkout';
      const live = pool.pids();
      victim ??= live[Math.floor(Math.random() * live.length)];
      if (victim === undefined) return;
      const inFlight = (await startedActivities(`ExecutionStatus="Running"`, 100).catch(() => [])).filter(
        (a) => a.pid === victim,
      );
      const killedAt = Date.now();
      await pool.kill(victim);
      const record: KillRecord = { pid: victim, during, inFlight: inFlight.length, recovered: true };
      kills.push(record);
      log(
        `SIGKILL worker ${victim} (${during === 'checkout' ? 'during a checkout' : 'at random'}), ${inFlight.length} activities in flight`,
      );
      if (inFlight.length > 0) recoveries.push(trackRecovery(record, inFlight, killedAt));
    };

    const restart = async (): Promise<void> => {
      if ('restartService' in temporalServer) {
        const service = KILLED_SERVICES[restarts.length % KILLED_SERVICES.length];
        log(`SIGKILL the ${service} process; it starts again at once`);
        const downtimeMs = await temporalServer.restartService(service);
        restarts.push({ downtimeMs, service });
        log(`${service} serving again ${seconds(downtimeMs)} after the kill`);
        return;
      }
      log('restarting Temporal (same SQLite file)');
      const downtimeMs = await temporalServer.restart();
      restarts.push({ downtimeMs });
      log(`Temporal back after ${seconds(downtimeMs)}`);
    };

    const chaos = (async () => {
      const [min, max] = options.eventGapMs;
      let killIndex = 0;
      for (const event of eventPlan(options.kills, options.restarts)) {
        await sleep(min + Math.random() * (max - min));
        if (event === 'kill') await kill(killIndex++);
        else await restart();
      }
    })();

    // The outage ends half-way to the deadline. Under the mix, a checkout whose answer was lost needs the checkout
    // and then the order list to get through in one attempt (~40 % of attempts do), and its retries are 20 s apart
    // by then: with the faults on for good, whether such a purchase ends by the deadline is the draw's luck. Once
    // Partner Center answers again, every purchase still running must complete, and that is what is checked.
    const outage = setTimeout(() => {
      const running = options.purchases + 1 - outcomes.length;
      void sandbox.control.clearFaults().then(
        () => log(`faults off half-way to the deadline, ${running} purchases still running`),
        () => undefined,
      );
    }, options.deadlineMs / 2);
    let sameIdCheck: ChaosReport['sameRequestId'];
    let refusals: boolean[];
    try {
      [, sameIdCheck, refusals] = await Promise.all([mainPurchases, sameId, invalid, chaos]);
      await Promise.all(recoveries);
    } finally {
      clearTimeout(outage);
      clearInterval(progressTimer);
    }
    log('main phase done; the 15-minute wait on the sandbox clock');

    // ---- A purchase waiting 15 minutes on the sandbox clock for its order ----
    await sandbox.control.clearFaults();
    await sandbox.control.setDelays({ orderCompletionMs: LONG_WAIT_MS, orderListMs: LONG_WAIT_MS });
    const longRequest = request('long-wait', options.purchases + 2);
    const longHandle = await startPurchase(client, longRequest, { taskQueue });
    const longStarted = performance.now();
    let step = '';
    while (step !== 'awaiting-order' && performance.now() - longStarted < 120_000) {
      step = (await longHandle.query(purchaseStatusQuery)).step;
      await sleep(500);
    }
    // A few polls answered "not yet" first.
    await sleep(3000);
    const waitedBeforeAdvance = (await longHandle.query(purchaseStatusQuery)).step === 'awaiting-order';
    const advancedAt = performance.now();
    await sandbox.control.advanceClock(LONG_WAIT_MS + 1000);
    // Its own deadline: the main phase may have used the run's.
    const longOutcome = await purchase(longRequest, Date.now() + LONG_WAIT_DEADLINE_MS);
    outcomes.push(longOutcome);
    const longWait = {
      completed: longOutcome.status === 'completed',
      waitedBeforeAdvance,
      detectionMs: performance.now() - advancedAt,
    };
    await sandbox.control.setDelays({ orderCompletionMs: DELAYS.orderCompletionMs, orderListMs: DELAYS.orderListMs });
    log(`long wait: ${longOutcome.status}, seen ${seconds(longWait.detectionMs)} after the clock moved 15 minutes`);

    // ---- The invariants ----
    log('checking the invariants');
    const counters = await sandbox.control.counters();
    const orders = await countOrders(sandbox, customerId, outcomes);
    // Subscription lifecycles (started by every completed purchase) live on by design: every other run must be closed.
    const running = (
      await client.workflow.count(`ExecutionStatus="Running" AND WorkflowType != 'subscriptionLifecycle'`)
    ).count;

    const known = {
      'client secret': sandbox.clientSecret,
      'refresh token': sandbox.refreshToken,
    };
    const leaks: SecretLeak[] = [];
    let historiesScanned = 0;
    for await (const execution of client.workflow.list()) {
      const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      leaks.push(...findSecrets(`history of ${execution.workflowId}`, readableJson(history), known));
      historiesScanned += 1;
    }
    const logs = pool.output();
    leaks.push(...findSecrets('worker output', logs, known));
    leaks.push(...findSecrets('purchase errors', outcomes.map((o) => o.error ?? '').join('\n'), known));

    const notCompleted = outcomes.filter((o) => o.status !== 'completed');
    const stuck = outcomes.filter((o) => o.status === 'stuck');
    const recovered = kills.filter((k) => k.recoveryMs !== undefined && k.inFlight > 0);
    const invariants: Invariant[] = [
      {
        name: 'every purchase completed',
        ok: notCompleted.length === 0 && outcomes.length === options.purchases + 2,
        detail:
          notCompleted
            .slice(0, 5)
            .map((o) => `${o.requestId}: ${o.status}${o.error ? ` (${o.error.slice(0, 200)})` : ''}`)
            .join('; ') || `${outcomes.length} of ${outcomes.length}`,
      },
      {
        name: 'every invalid request refused naming its field',
        ok: refusals.every(Boolean),
        detail: `${refusals.filter(Boolean).length} of ${refusals.length}`,
      },
      {
        name: '0 duplicate orders',
        ok: orders.maxPerCart <= 1 && orders.duplicated.length === 0 && orders.unattributed === 0,
        detail: `max ${orders.maxPerCart} per cart; ${orders.duplicated.length} purchases with more than one; ${orders.unattributed} orders of no completed purchase`,
      },
      {
        name: '0 stuck',
        ok: stuck.length === 0 && running === 0,
        detail: `${stuck.length} unfinished by the deadline, ${running} runs still open`,
      },
      {
        name: '0 secrets in histories, logs, errors',
        ok: leaks.length === 0,
        detail: leaks.length
          ? leaks
              .slice(0, 5)
              .map((l) => `${l.what} in ${l.where}`)
              .join('; ')
          : `${historiesScanned} histories, ${logs.length} bytes of worker output`,
      },
      {
        name: 'same request id: one run, one result',
        ok: sameIdCheck.newlyStarted <= 1 && sameIdCheck.sameResult && !sameIdCheck.afterCompletionNewlyStarted,
        detail: `${sameIdCheck.starts} concurrent starts, ${sameIdCheck.newlyStarted} new run, again after completion: ${sameIdCheck.afterCompletionNewlyStarted ? 'a new run' : 'the same run'}`,
      },
      {
        name: '15-minute wait on the sandbox clock',
        ok: longWait.completed && longWait.waitedBeforeAdvance,
        detail: `${waitedBeforeAdvance ? 'waited' : 'did not wait'}; seen ${seconds(longWait.detectionMs)} after the advance`,
      },
      {
        name: 'all chaos happened',
        ok: kills.length === options.kills && restarts.length === options.restarts,
        detail: `${kills.length}/${options.kills} kills (${kills.filter((k) => k.during === 'checkout').length} during a checkout), ${restarts.length}/${options.restarts} ${options.cluster ? `service kills (${restarts.map((r) => r.service).join(', ')})` : 'restarts'}`,
      },
      {
        name: 'killed work resumed elsewhere',
        ok: kills.every((k) => k.recovered),
        detail: `${recovered.length} kills with work in flight, ${kills.filter((k) => !k.recovered).length} not resumed in ${RECOVERY_GIVE_UP_MS / 60_000} min`,
      },
    ];

    const times = outcomes.filter((o) => o.status === 'completed').map((o) => o.ms);
    const slowest = await explainSlowest(client, outcomes).catch(() => undefined);
    const report: ChaosReport = {
      options: {
        purchases: options.purchases,
        kills: options.kills,
        restarts: options.restarts,
        workers: options.workers,
        inFlight: options.inFlight,
        eventGapMs: options.eventGapMs,
        deadlineMs: options.deadlineMs,
        cluster: options.cluster === true,
      },
      temporal:
        'restartService' in temporalServer ? temporalServer.description : 'the Temporal CLI dev server, SQLite file',
      durationMs: performance.now() - began,
      purchases: {
        total: outcomes.length,
        completed: times.length,
        p50Ms: percentile(times, 50),
        p95Ms: percentile(times, 95),
        maxMs: percentile(times, 100),
      },
      ...(slowest ? { slowest } : {}),
      kills,
      restarts,
      unexpectedWorkerExits: pool.unexpectedExits(),
      partnerCenterRequests: Object.values(counters.requests).reduce((sum, n) => sum + n, 0),
      orders,
      sameRequestId: sameIdCheck,
      invalidRequests: { total: refusals.length, refused: refusals.filter(Boolean).length },
      longWait,
      secrets: { historiesScanned, logBytesScanned: logs.length, leaks },
      invariants,
    };
    if (invariants.some((i) => !i.ok)) {
      keepDir = true;
      writeFileSync(join(dir, 'workers.log'), logs);
      report.logDir = dir;
    }
    return report;
  } finally {
    for (const step of cleanup) await step().catch(() => undefined);
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Kills and restarts interleaved: the restarts evenly among the kills. */
export function eventPlan(kills: number, restarts: number): Array<'kill' | 'restart'> {
  const plan: Array<'kill' | 'restart'> = Array.from({ length: kills }, () => 'kill');
  for (let r = restarts; r >= 1; r--) plan.splice(Math.round((kills * r) / (restarts + 1)), 0, 'restart');
  return plan;
}

function workerEnv(address: string, taskQueue: string, sandbox: Sandbox): NodeJS.ProcessEnv {
  return sandboxWorkerEnv(
    sandbox,
    { address, taskQueue },
    {
      // The secure application model, so a refresh token is there to leak; info logs, so there is much to search.
      PARTNER_CENTER_REFRESH_TOKEN: sandbox.refreshToken,
      LOG_LEVEL: 'info',
      // The run measures correctness, not the budget: the sandbox's own throttle is lifted too.
      PARTNER_CENTER_REQUESTS_PER_MINUTE: '6000',
      ORDER_POLL_INTERVAL: '500ms',
      ORDER_POLL_MAX_INTERVAL: '5s',
    },
  );
}

/** Orders of the offer per purchase, told apart by their seat count, and any order no completed purchase explains. */
async function countOrders(sandbox: Sandbox, customerId: string, outcomes: Outcome[]): Promise<ChaosReport['orders']> {
  const counters = await sandbox.control.counters();
  const client = createPartnerCenterClient({
    baseUrl: sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
  });
  const orders = await client.listOrders(customerId);
  const perQuantity = new Map<number, number>();
  for (const order of orders) {
    for (const quantity of new Set(
      order.lineItems.filter((l) => l.offerId.startsWith(`${OFFER.productId}:${OFFER.skuId}`)).map((l) => l.quantity),
    )) {
      perQuantity.set(quantity, (perQuantity.get(quantity) ?? 0) + 1);
    }
  }
  const completed = outcomes.filter((o) => o.status === 'completed');
  const explained = new Set(completed.map((o) => o.quantity));
  return {
    total: orders.length,
    maxPerCart: Math.max(0, ...Object.values(counters.ordersPerCart)),
    duplicated: completed.filter((o) => (perQuantity.get(o.quantity) ?? 0) > 1).map((o) => o.requestId),
    unattributed: [...perQuantity.entries()]
      .filter(([quantity]) => !explained.has(quantity))
      .reduce((sum, [, n]) => sum + n, 0),
  };
}
