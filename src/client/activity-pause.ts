import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { tsToDate } from '@temporalio/common/lib/time';

/**
 * The operator's pause switch for one activity type in every run (contract §3h), on Temporal's own activity pause.
 *
 * A pause is a namespace workflow rule `pcw-pause-<type>` ("pause the activity when an attempt of this type is about
 * to start"): the server holds every attempt that would start from then on — runs waiting to call it, runs in a retry
 * backoff, runs that reach it later — before the worker gets the task, so a held call never runs, fails or uses up an
 * attempt. An attempt already running when the pause starts is not interrupted: its request is already at Partner
 * Center, and aborting it would only make its answer unknown; it ends as it would have (a failure's retry is held).
 * Resume deletes the rule and unpauses every run holding that type; the rule's reason, author and time are the
 * pause's own record, which `listActivityPauses` reads back with how many runs it holds.
 */

/** The activity types the worker registers (src/activities/index.ts) that run as activity tasks: each can be paused. */
export const PAUSABLE_ACTIVITY_TYPES = [
  'checkCustomerAgreement',
  'confirmCustomerAgreement',
  'checkPurchasePromotions',
  'checkAddOnBases',
  'resolveCustomTermEndDates',
  'resolvePurchaseItems',
  'createPurchaseCart',
  'checkoutPurchaseCart',
  'awaitOrderCompletion',
  'provisionSubscription',
  'cancelPurchasedSubscription',
  'priceQuote',
  'checkPurchasePrices',
  'readEndOfSale',
  'readSubscriptionForChange',
  'applySubscriptionChange',
  'readTransitionEligibility',
  'startTransition',
  'awaitTransition',
  'awaitSubscriptionChange',
  'readSubscriptionForLifecycle',
  'readLicenceUsage',
  'readTenantLicences',
  'checkCustomerDomain',
  'createCustomerOnce',
  'requestResellerRelationship',
  'awaitResellerRelationship',
  'confirmOnboardingAgreement',
  'requestQualification',
  'awaitQualificationReview',
  'createGdapRelationship',
  'lockGdapRelationship',
  'awaitGdapApproval',
  'createGdapAccessAssignment',
  'awaitGdapAccessAssignment',
  'findWaitingOnboardings',
  'requestBillingExport',
  'reconcileGraphExport',
  'reconcileUnbilledCharges',
  'deliverWebhookEvent',
  'readAuditEvents',
  'saveAuditPosition',
  'awaitLicencesVisible',
  'readLicenceSku',
  'assignLicenceBatch',
] as const;

/** Registered too, but run as local activities inside a workflow task, where the server cannot hold them. */
export const LOCAL_ACTIVITY_TYPES = [
  'getPurchaseSettings',
  'normalisePurchaseRequest',
  'normaliseChangeRequest',
  'normaliseReconcileRequest',
  'normaliseLifecycleInput',
  'normaliseOnboardRequest',
  'normaliseLicenceRequest',
  'quoteFromCache',
  'checkGuardCurrency',
] as const;

export type PausableActivityType = (typeof PAUSABLE_ACTIVITY_TYPES)[number];

/** One paused activity type: why, who paused it and since when, and how many running runs it holds now. */
export interface ActivityPause {
  activityType: string;
  reason: string;
  by: string;
  since: string;
  heldRuns: number;
}

/** The server does not take workflow rules (Temporal < 1.28, or `frontend.workflowRulesAPIsEnabled` is off). */
export class ActivityPauseUnavailableError extends Error {
  constructor(detail: string) {
    super(
      `this Temporal server cannot pause activities by type (${detail}): it needs server 1.28 or later with the dynamic ` +
        'config frontend.workflowRulesAPIsEnabled=true (npm start and the tests set it)',
    );
    this.name = 'ActivityPauseUnavailableError';
  }
}

/** Why `type` cannot be paused, or undefined when it can. */
export function activityTypeProblem(type: string): string | undefined {
  if ((PAUSABLE_ACTIVITY_TYPES as readonly string[]).includes(type)) return undefined;
  if ((LOCAL_ACTIVITY_TYPES as readonly string[]).includes(type))
    return `--type ${type} is a local activity (it runs inside the workflow task): only activity tasks can be paused`;
  return `--type must be an activity type the worker registers, such as checkoutPurchaseCart (got "${type}")`;
}

const RULE_PREFIX = 'pcw-pause-';
/** How long the server may still apply a deleted rule (its namespace cache): resume keeps unpausing meanwhile. */
export const RULE_SETTLE_MS = 10_000;
const SWEEP_INTERVAL_MS = 1_000;
/** Runs described and unpaused at once while resuming. */
const SWEEP_CONCURRENCY = 16;

const ruleIdOf = (type: string) => `${RULE_PREFIX}${type}`;
const heldQuery = (type: string) =>
  `ExecutionStatus = "Running" AND TemporalPauseInfo = "property:activityType=${type}"`;

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}
const GRPC_NOT_FOUND = 5;
const GRPC_UNIMPLEMENTED = 12;

/**
 * Pauses `type` in every run until `resumeActivityType`. Pausing a type already paused keeps the first pause (its
 * reason, author and time) and says so with `alreadyPaused`.
 */
export async function pauseActivityType(
  client: Client,
  type: PausableActivityType,
  reason: string,
  by: string = client.options.identity,
): Promise<{ pause: ActivityPause; alreadyPaused: boolean }> {
  const { namespace } = client.options;
  const existing = await findPause(client, type);
  if (existing) return { pause: existing, alreadyPaused: true };
  try {
    await client.workflowService.createWorkflowRule({
      namespace,
      spec: {
        id: ruleIdOf(type),
        activityStart: { predicate: `ActivityType = '${type}'` },
        actions: [{ activityPause: {} }],
      },
      requestId: randomUUID(),
      identity: by,
      description: reason,
    });
  } catch (error) {
    if (grpcCode(error) === GRPC_UNIMPLEMENTED) throw new ActivityPauseUnavailableError((error as Error).message);
    throw error;
  }
  const pause = await findPause(client, type);
  if (!pause) throw new Error(`the pause rule ${ruleIdOf(type)} was created but cannot be read back`);
  return { pause, alreadyPaused: false };
}

/**
 * Ends the pause of `type` and lets every run it held continue (each with the attempt it was held at). The server
 * may apply the deleted rule for a few seconds more, so the runs are swept until `settleMs` after the deletion found
 * none held; runs held by a pause someone made by hand (`temporal activity pause`) continue too.
 */
export async function resumeActivityType(
  client: Client,
  type: PausableActivityType,
  { by = client.options.identity, settleMs = RULE_SETTLE_MS }: { by?: string; settleMs?: number } = {},
): Promise<{ activityType: string; wasPaused: boolean; resumedRuns: number }> {
  const wasPaused = (await findPause(client, type)) !== undefined;
  if (wasPaused) {
    try {
      await client.workflowService.deleteWorkflowRule({ namespace: client.options.namespace, ruleId: ruleIdOf(type) });
    } catch (error) {
      if ((await findPause(client, type)) !== undefined) throw error; // else another operator resumed it meanwhile
    }
  }
  const deletedAt = Date.now();
  const resumed = new Set<string>();
  for (;;) {
    const sweptAt = Date.now();
    const unpaused = await unpauseHeldRuns(client, type, by);
    unpaused.forEach((workflowId) => resumed.add(workflowId));
    if (unpaused.length === 0 && (!wasPaused || sweptAt - deletedAt >= settleMs)) break;
    await new Promise((resolve) => setTimeout(resolve, SWEEP_INTERVAL_MS));
  }
  return { activityType: type, wasPaused, resumedRuns: resumed.size };
}

/** Every activity type `pauseActivityType` paused, oldest first. */
export async function listActivityPauses(client: Client): Promise<ActivityPause[]> {
  const pauses = await Promise.all((await pcwRules(client)).map((rule) => pauseOf(client, rule)));
  return pauses.sort((a, b) => a.since.localeCompare(b.since));
}

/** The namespace's workflow rules that are pauses made here. */
async function pcwRules(client: Client): Promise<WorkflowRule[]> {
  const rules: WorkflowRule[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await listRules(client, nextPageToken);
    rules.push(...(page.rules ?? []).filter((rule) => (rule.spec?.id ?? '').startsWith(RULE_PREFIX)));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return rules;
}

type WorkflowRule = NonNullable<Awaited<ReturnType<Client['workflowService']['listWorkflowRules']>>['rules']>[number];

async function listRules(client: Client, nextPageToken?: Uint8Array) {
  try {
    return await client.workflowService.listWorkflowRules({ namespace: client.options.namespace, nextPageToken });
  } catch (error) {
    if (grpcCode(error) === GRPC_UNIMPLEMENTED) throw new ActivityPauseUnavailableError((error as Error).message);
    throw error;
  }
}

/** The pause of `type`, read from the rule list (describing a missing rule is an INVALID_ARGUMENT, not a NOT_FOUND). */
async function findPause(client: Client, type: string): Promise<ActivityPause | undefined> {
  const rule = (await pcwRules(client)).find((r) => r.spec?.id === ruleIdOf(type));
  return rule && (await pauseOf(client, rule));
}

async function pauseOf(client: Client, rule: WorkflowRule): Promise<ActivityPause> {
  const activityType = (rule.spec?.id ?? '').slice(RULE_PREFIX.length);
  const { count } = await client.workflow.count(heldQuery(activityType));
  return {
    activityType,
    reason: rule.description ?? '',
    by: rule.createdByIdentity ?? '',
    since: rule.createTime ? tsToDate(rule.createTime).toISOString() : '',
    heldRuns: count,
  };
}

/** Unpauses `type` in each running run that holds it now; the ids of those it unpaused. */
async function unpauseHeldRuns(client: Client, type: string, by: string): Promise<string[]> {
  const held: Array<{ workflowId: string; runId: string }> = [];
  for await (const run of client.workflow.list({ query: heldQuery(type) }))
    held.push({ workflowId: run.workflowId, runId: run.runId });
  const unpaused: string[] = [];
  for (let i = 0; i < held.length; i += SWEEP_CONCURRENCY) {
    const batch = held.slice(i, i + SWEEP_CONCURRENCY);
    const done = await Promise.all(batch.map((run) => unpauseIfHeld(client, run, type, by)));
    batch.forEach((run, j) => done[j] && unpaused.push(run.workflowId));
  }
  return unpaused;
}

/**
 * Visibility lags behind: a run it lists may already be going again, so only one whose pending activity of `type`
 * is paused now is unpaused (and counted). Attempts and heartbeat details stay as they were: an activity that looks
 * for its earlier attempt's work (attempt > 1) must keep seeing it.
 */
async function unpauseIfHeld(
  client: Client,
  execution: { workflowId: string; runId: string },
  type: string,
  by: string,
): Promise<boolean> {
  const { namespace } = client.options;
  try {
    const description = await client.workflowService.describeWorkflowExecution({ namespace, execution });
    const held = (description.pendingActivities ?? []).some((a) => a.activityType?.name === type && a.paused);
    if (!held) return false;
    await client.workflowService.unpauseActivity({
      namespace,
      execution,
      type,
      identity: by,
      resetAttempts: false,
      resetHeartbeat: false,
    });
    return true;
  } catch (error) {
    if (grpcCode(error) === GRPC_NOT_FOUND) return false; // the run or its activity ended meanwhile
    throw error;
  }
}
