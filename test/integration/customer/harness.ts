import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Logger } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import {
  onboardStatusQuery,
  startOnboarding,
  type OnboardingHandle,
  type OnboardRequest,
  type OnboardStep,
} from '../../../src/client';
import { createActivityDeps, workerOptions } from '../../../src/worker';
import { testEnv, uniqueTaskQueue, workflowBundle } from '../../support/temporal';
import { startReceiver, type Receiver } from '../webhooks/receiver';

/**
 * Onboarding in tests: the dev server, the real worker options and clients, the sandbox over loopback HTTPS, a
 * verifying webhook receiver, and two witnesses of the one-time password: every admin password the sandbox's
 * create answers carry (read off the worker's own fetch) and every line the Partner Center client logs.
 */

export interface OnboardRig {
  env: TestWorkflowEnvironment;
  client: Client;
  sandbox: Sandbox;
  receiver: Receiver;
  /** One-time passwords the sandbox sent the worker (create answers). */
  passwords: string[];
  /** What the worker logged (its Runtime: workflows, activities) and its Partner Center and Graph clients, as JSON lines. */
  logLines: string[];
  /**
   * `pollIntervalMs`: ORDER_POLL_INTERVAL (and its maximum), 200 ms; `waitMs`: both onboarding timeouts, 6 s, unless
   * `acceptWaitMs` gives RELATIONSHIP_ACCEPT_TIMEOUT its own.
   */
  withWorker<T>(
    body: (ctx: { taskQueue: string; start: (r: OnboardRequest) => Promise<OnboardingHandle> }) => Promise<T>,
    timing?: OnboardTiming,
  ): Promise<T>;
  close(): Promise<void>;
}

interface OnboardTiming {
  pollIntervalMs?: number;
  waitMs?: number;
  acceptWaitMs?: number;
}

const secret = `whsec_${randomBytes(32).toString('base64')}`;

/** RELATIONSHIP_ACCEPT_TIMEOUT and GDAP_APPROVAL_TIMEOUT in the tests, unless one says otherwise. */
const WAIT_MS = 6_000;

export async function startOnboardRig(): Promise<OnboardRig> {
  const logLines: string[] = [];
  // The worker's own log (workflows, activities, the SDK) goes to the witness too; the test process has one Runtime.
  Runtime.install({
    logger: new DefaultLogger(
      'DEBUG',
      (entry) => void logLines.push(JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))),
    ),
  });
  const [env, bundle, sandbox, receiver] = await Promise.all([
    testEnv(),
    workflowBundle(),
    startSandbox({ qualificationReviewDelayMs: 500, accessAssignmentDelayMs: 300 }),
    startReceiver(secret),
  ]);
  const passwords: string[] = [];
  const line = (msg: string, meta?: Record<string, unknown>) => void logLines.push(JSON.stringify({ msg, meta }));
  const logger: Logger = {
    log: (_level, msg, meta) => line(msg, meta),
    trace: line,
    debug: line,
    info: line,
    warn: line,
    error: line,
  };
  const realFetch = globalThis.fetch;
  const witness = passwordWitness(realFetch, passwords);
  return {
    env,
    client: env.client,
    sandbox,
    receiver,
    passwords,
    logLines,
    async withWorker(body, { pollIntervalMs = 200, waitMs = WAIT_MS, acceptWaitMs = waitMs } = {}) {
      const taskQueue = uniqueTaskQueue('onboard');
      // The clients read the global fetch when they are built: the witness sees what the worker receives.
      globalThis.fetch = witness;
      let worker: Worker;
      try {
        const deps = onboardDeps(sandbox, receiver.url, logger, { pollIntervalMs, waitMs, acceptWaitMs });
        worker = await Worker.create({
          connection: env.nativeConnection,
          workflowBundle: bundle,
          ...workerOptions(deps, { taskQueue, requestsPerMinute: 60_000 }),
          shutdownGraceTime: '1s',
        });
      } finally {
        globalThis.fetch = realFetch;
      }
      return worker.runUntil(body({ taskQueue, start: (r) => startOnboarding(env.client, r, { taskQueue }) }));
    },
    async close() {
      await Promise.allSettled([sandbox.close(), receiver.close(), env.teardown()]);
    },
  };
}

/** The worker's dependencies against the sandbox: App+User, short polls and waits, webhooks to the receiver. */
function onboardDeps(
  sandbox: Sandbox,
  webhookUrl: string,
  logger: Logger,
  { pollIntervalMs, waitMs, acceptWaitMs }: Required<OnboardTiming>,
) {
  return createActivityDeps(
    {
      baseUrl: sandbox.baseUrl,
      graphBaseUrl: sandbox.graphBaseUrl,
      authorityHost: sandbox.authorityHost,
      tenantId: sandbox.tenantId,
      clientId: sandbox.clientId,
      credential: { clientSecret: sandbox.clientSecret },
      refreshToken: sandbox.refreshToken,
    },
    {
      orderPollIntervalMs: pollIntervalMs,
      orderPollMaxIntervalMs: pollIntervalMs * 2,
      orderVisibilityDeadlineMs: 20_000,
      relationshipAcceptTimeoutMs: acceptWaitMs,
      gdapApprovalTimeoutMs: waitMs,
      webhooks: { url: webhookUrl, secret, deadlineMs: 60_000, allowedOrigins: [] },
    },
    logger,
    sandbox.caPem,
  );
}

/** The global fetch, noting every one-time password a create answer carries. */
function passwordWitness(realFetch: typeof fetch, passwords: string[]): typeof fetch {
  return async (input, init) => {
    const response = await realFetch(input, init);
    if (init?.method === 'POST' && /\/v1\/customers$/.test(String(input)) && response.ok) {
      const body = (await response.clone().json()) as { userCredentials?: { password?: string } };
      if (body.userCredentials?.password !== undefined) passwords.push(body.userCredentials.password);
    }
    return response;
  };
}

export const signatory = { firstName: 'Dana', lastName: 'Lopez', email: 'dana.lopez@example.com' };
/** Roles the sandbox knows: Directory Readers and User Administrator. */
export const roles = {
  directoryReaders: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b',
  userAdmin: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
};
export const globalAdministrator = '62e90394-69f5-4237-9190-012177145e10';
export const securityGroup = '5f0b6a1c-3d2e-4f5a-8b7c-9d0e1f2a3b4c';

/** A request creating a new customer of a fresh domain. */
export function createRequest(extra: Partial<OnboardRequest> = {}): OnboardRequest {
  const prefix = `onb${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  return {
    requestId: `test-${randomUUID()}`,
    customer: {
      create: {
        companyName: `Company ${prefix}`,
        domainPrefix: prefix,
        country: 'US',
        address: { addressLine1: '1 Microsoft Way', city: 'Redmond', state: 'WA', postalCode: '98052' },
        contact: { firstName: 'Jo', lastName: 'Doe', email: 'jo@contoso.example' },
      },
    },
    agreement: signatory,
    ...extra,
  };
}

/** Waits (polling the `status` query) until the onboarding reaches `step`; answers that status. */
export async function untilStep(handle: OnboardingHandle, step: OnboardStep, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(onboardStatusQuery).catch(() => undefined);
    if (status?.step === step) return status;
    if (Date.now() > until) throw new Error(`onboarding never reached ${step} (last: ${JSON.stringify(status)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until visibility lists the onboarding for `query`: it lags behind a run's search attributes, and events find the onboarding through it. */
export async function untilListed(client: Client, query: string, workflowId: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    for await (const run of client.workflow.list({ query: `WorkflowType = 'onboardCustomer' AND ${query}` }))
      if (run.workflowId === workflowId) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${workflowId} never listed for ${query}`);
}
