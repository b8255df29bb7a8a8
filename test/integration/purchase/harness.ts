import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import {
  purchaseStatusQuery,
  startPurchase,
  type PurchaseHandle,
  type PurchaseRequest,
  type PurchaseStatus,
  type PurchaseStep,
} from '../../../src/client';
import { startSandbox, type Sandbox, type SandboxOptions } from 'partner-center-sandbox';
import type { WebhookSettings } from '../../../src/config';
import { createActivityDeps, workerOptions } from '../../../src/worker';
import { testEnv, uniqueTaskQueue, workflowBundle } from '../../support/temporal';
import { silentLogger } from '../../support/activities';
import { historiesDir } from '../../support/histories';

/**
 * The real path of a purchase in tests: the run's Temporal dev server, the real client and worker
 * (src/worker.ts options, real msal-node token provider, real Partner Center HTTP client) and the
 * Partner Center sandbox over loopback HTTP. Only the timings are shortened.
 */

let runtimeInstalled = false;
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // Retries of throttled and failing calls are expected here; only errors are worth printing.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}

export interface RigSettings {
  orderPollIntervalMs: number;
  orderVisibilityDeadlineMs: number;
  approvalTimeoutMs: number;
  /** App+User (the sandbox's refresh token) instead of App-only. */
  appPlusUser: boolean;
  /** Another client secret than the sandbox's (to test a refused credential). */
  clientSecret?: string;
  /** SUBSCRIPTION_CHANGE_DEADLINE; without it a change keeps the order deadline, as before the setting existed. */
  subscriptionChangeDeadlineMs?: number;
  /** ORDER_POLL_MAX_INTERVAL; without it the poller keeps the constant interval. */
  orderPollMaxIntervalMs?: number;
  /** RELATIONSHIP_ACCEPT_TIMEOUT and GDAP_APPROVAL_TIMEOUT (onboarding). */
  relationshipAcceptTimeoutMs?: number;
  gdapApprovalTimeoutMs?: number;
  /** LICENCE_VISIBILITY_DEADLINE; without it the contract's 2 hours. */
  licenceVisibilityDeadlineMs?: number;
  /** WEBHOOK_URL and its secret; without it no event is sent. */
  webhooks?: WebhookSettings;
}

export const fastSettings: RigSettings = {
  orderPollIntervalMs: 250,
  orderVisibilityDeadlineMs: 20_000,
  approvalTimeoutMs: 60_000,
  appPlusUser: false,
};

export interface PurchaseRig {
  env: TestWorkflowEnvironment;
  client: Client;
  sandbox: Sandbox;
  /** A worker of the real worker options on `taskQueue` (not running yet). */
  createWorker(taskQueue: string, settings?: Partial<RigSettings>): Promise<Worker>;
  /** Runs `body` while a worker serves a fresh task queue; `start` starts purchases on that queue. */
  withWorker<T>(
    body: (ctx: { taskQueue: string; start: (request: PurchaseRequest) => Promise<PurchaseHandle> }) => Promise<T>,
    settings?: Partial<RigSettings>,
  ): Promise<T>;
  /** The catalog item id the worker's resolver picks for an offer today (US, commercial). */
  catalogItemIdOf(
    offer: { productId: string; skuId: string },
    termDuration: string,
    billingCycle: string,
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startRig(sandboxOptions: SandboxOptions = {}): Promise<PurchaseRig> {
  installQuietRuntime();
  const [env, bundle, sandbox] = await Promise.all([
    testEnv(),
    workflowBundle(),
    startSandbox({ orderCompletionDelayMs: 300, orderListDelayMs: 60_000, ...sandboxOptions }),
  ]);
  const createWorker = (taskQueue: string, overrides: Partial<RigSettings> = {}) => {
    const settings = { ...fastSettings, ...overrides };
    const deps = depsFor(settings);
    return Worker.create({
      connection: env.nativeConnection,
      workflowBundle: bundle,
      ...workerOptions(
        { ...deps, settings: { ...deps.settings, approvalTimeoutMs: settings.approvalTimeoutMs } },
        { taskQueue, requestsPerMinute: 60_000 },
      ),
      shutdownGraceTime: '1s',
    });
  };
  function depsFor(settings: RigSettings) {
    return createActivityDeps(
      {
        baseUrl: sandbox.baseUrl,
        graphBaseUrl: sandbox.graphBaseUrl,
        pricingBaseUrl: sandbox.pricingBaseUrl,
        authorityHost: sandbox.authorityHost,
        tenantId: sandbox.tenantId,
        clientId: sandbox.clientId,
        credential: { clientSecret: settings.clientSecret ?? sandbox.clientSecret },
        ...(settings.appPlusUser ? { refreshToken: sandbox.refreshToken } : {}),
      },
      settings,
      silentLogger,
      sandbox.caPem,
    );
  }
  return {
    env,
    client: env.client,
    sandbox,
    async catalogItemIdOf(offer, termDuration, billingCycle) {
      const { catalog } = depsFor(fastSettings);
      return (await catalog.resolve({ ...offer, termDuration, billingCycle, country: 'US', segment: 'commercial' }))
        .catalogItemId;
    },
    createWorker,
    async withWorker(body, overrides = {}) {
      const taskQueue = uniqueTaskQueue('purchase');
      const worker = await createWorker(taskQueue, overrides);
      return worker.runUntil(
        body({ taskQueue, start: (request) => startPurchase(env.client, request, { taskQueue }) }),
      );
    },
    async close() {
      await Promise.allSettled([sandbox.close(), env.teardown()]);
    },
  };
}

/**
 * With PCW_RECORD_HISTORIES=1, saves the workflow's history (CLI/UI JSON export format) as the replay
 * fixture `name`, so test/unit/workflows/replay.test.ts keeps replaying this path after code changes.
 */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.PCW_RECORD_HISTORIES !== '1') return;
  mkdirSync(historiesDir, { recursive: true });
  writeFileSync(join(historiesDir, `${name}.json`), `${historyToJSON(await handle.fetchHistory())}\n`);
}

/** Offers of the sandbox's seeded catalog (packages/partner-center-sandbox/src/catalog.ts). */
export const offers = {
  businessBasic: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
  office365E3: { productId: 'CFQ7TTC0LF8R', skuId: '0001' },
  teamsEssentials: { productId: 'CFQ7TTC0RM8K', skuId: '0001' },
  /** An add-on: refused (400041) in a cart without a base licence. */
  teamsPremium: { productId: 'CFQ7TTC0RM7H', skuId: '0001' },
  /** Stock-checked: 100 seats in all. */
  windows365: { productId: 'CFQ7TTC0HHS9', skuId: '0003' },
} as const;

/** `pcw purchase` flags buying `quantity` seats of Business Basic, P1Y billed monthly; `extra` flags follow. */
export function businessBasicPurchaseFlags(
  customer: string,
  requestId: string,
  quantity: number,
  ...extra: string[]
): string[] {
  return [
    'purchase',
    '--customer',
    customer,
    '--request-id',
    requestId,
    '--product',
    offers.businessBasic.productId,
    '--sku',
    offers.businessBasic.skuId,
    '--quantity',
    String(quantity),
    '--term',
    'P1Y',
    '--billing',
    'monthly',
    ...extra,
  ];
}

type Item = PurchaseRequest['items'][number];

/** One line: `quantity` seats of `offer`, one-year term billed monthly unless told otherwise. */
export function line(offer: Item['offer'], quantity: number, extra: Partial<Item> = {}): Item {
  return { offer, quantity, termDuration: 'P1Y', billingCycle: 'monthly', ...extra };
}

/** A request with a fresh requestId. */
export function purchaseRequest(
  customerId: string,
  items: Item[],
  extra: Partial<PurchaseRequest> = {},
): PurchaseRequest {
  return { requestId: `test-${randomUUID()}`, customerId, items, ...extra };
}

/** The ApplicationFailure a failed workflow (purchase or change) ended with (its contract failure type is `.type`). */
export async function workflowFailure(handle: Pick<WorkflowHandle, 'result'>): Promise<ApplicationFailure> {
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WorkflowFailedError)) throw new Error(`expected the workflow to fail, got ${String(error)}`);
  if (!(error.cause instanceof ApplicationFailure))
    throw new Error(`expected an ApplicationFailure, got ${String(error.cause)}`);
  return error.cause;
}

/** Waits (polling the `status` query) until the purchase reaches `step`. */
export async function untilStep(
  handle: PurchaseHandle,
  step: PurchaseStep,
  timeoutMs = 20_000,
): Promise<PurchaseStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(purchaseStatusQuery);
    if (status.step === step) return status;
    if (Date.now() > deadline) throw new Error(`purchase stayed in ${status.step}, expected ${step}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Secrets of the rig that must never reach a workflow history. */
export function secretsOf(sandbox: Sandbox): string[] {
  return [sandbox.clientSecret, sandbox.refreshToken];
}

/**
 * Everything a history holds as text, payloads decoded (they are base64 in the JSON export, so a plain
 * search of the export would miss a secret inside an input, result or failure detail).
 */
export async function historyText(handle: WorkflowHandle): Promise<string> {
  const parts: string[] = [];
  const visit = (value: unknown): void => {
    if (value instanceof Uint8Array) parts.push(Buffer.from(value).toString('utf8'));
    else if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(await handle.fetchHistory());
  return parts.join('\n');
}

/** A JSON Web Token (an access token) anywhere in `text`. */
export const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\.[\w-]*/;
