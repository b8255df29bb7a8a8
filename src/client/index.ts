import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  purchaseWorkflowId,
  purchaseStatusQuery,
  validatePurchaseRequest,
  type PurchaseRequest,
  type PurchaseStatus,
} from '../workflows/purchase/api';
import type { PurchaseWorkflow } from '../workflows/purchase/api';
import { callbackUrlProblem } from '../settings/values';
import { taskPriority } from '../workflows/common/priority';
import { startingSearchAttributes, startOnce, type StartOnceHandle } from './start-once';

/** Everything callers of purchaseSubscription rely on: its id, schemas, messages and failure types. */
export * from '../workflows/purchase/api';
export * from './subscription';
export * from './subscription-lifecycle';
export * from './licences';
export * from './run-updates';
export * from './partner-center-events';
export * from './onboarding';
export * from './audit-backfill';
export * from './activity-pause';

export type PurchaseHandle = WorkflowHandle<PurchaseWorkflow>;
export type { StartOnceHandle } from './start-once';

export interface StartPurchaseOptions {
  /** Contract default `partner-center`. */
  taskQueue?: string;
  /**
   * A per-request webhook destination besides PCW_WEBHOOK_URL; refused (CallbackUrlNotAllowedError, nothing started)
   * unless its origin is one of `allowedOrigins` (the worker's PCW_WEBHOOK_ALLOWED_ORIGINS).
   */
  callback?: { url: string; allowedOrigins: readonly string[] };
}

/** A callbackUrl outside PCW_WEBHOOK_ALLOWED_ORIGINS: thrown before anything starts. */
export class CallbackUrlNotAllowedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackUrlNotAllowedError';
  }
}

export { DEFAULT_TASK_QUEUE } from '../settings/values';

/**
 * Starts `purchaseSubscription` for `request`, or attaches to the purchase already started for its
 * requestId — running or closed — so an upstream retry never buys twice (`newlyStarted` tells which).
 */
export async function startPurchase(
  client: Client,
  request: PurchaseRequest,
  options: StartPurchaseOptions = {},
): Promise<StartOnceHandle<PurchaseWorkflow>> {
  // A valid request is sent normalised (defaults applied, codes upper-cased), so what a run does is recorded in its
  // history and no later schema edit changes it. An invalid one is started as given: the workflow names every bad
  // field (the same answer a raw start would get), and only well-formed values become search attributes.
  const { callback } = options;
  const callbackProblem = callback && callbackUrlProblem(callback.url, callback.allowedOrigins);
  if (callbackProblem) throw new CallbackUrlNotAllowedError(callbackProblem);
  const validation = validatePurchaseRequest(request);
  const valid = validation.ok ? validation.request : undefined;
  return startOnce<PurchaseWorkflow>(client, 'purchaseSubscription', {
    // Read by the run's webhook deliveries (src/workflows/common/events.ts, CALLBACK_URL_MEMO), checked again there.
    ...(callback ? { memo: { callbackUrl: callback.url } } : {}),
    workflowId: purchaseWorkflowId(request.requestId),
    taskQueue: options.taskQueue,
    args: [valid ?? request],
    typedSearchAttributes: startingSearchAttributes(valid && { customerId: valid.customerId }),
    priority: taskPriority('buying', valid?.customerId),
    staticSummary: valid
      ? `Buy ${valid.items.length} item(s) for customer ${valid.customerId} (${valid.country}, ${valid.segment})`
      : `Purchase request ${request.requestId}`,
    staticDetails: valid ? describeItems(valid.items) : undefined,
  });
}

/** The purchase of `requestId`: its handle, for `result()`, updates, or `getPurchaseStatus`. */
export function getPurchase(client: Client, requestId: string): PurchaseHandle {
  return client.workflow.getHandle<PurchaseWorkflow>(purchaseWorkflowId(requestId));
}

/** The `status` query of the purchase of `requestId`. */
export function getPurchaseStatus(client: Client, requestId: string): Promise<PurchaseStatus> {
  return getPurchase(client, requestId).query(purchaseStatusQuery);
}

function describeItems(
  items: ReadonlyArray<{
    offer: { catalogItemId?: string; productId?: string; skuId?: string };
    quantity: number;
    termDuration: string;
    billingCycle: string;
  }>,
): string {
  return items
    .map(
      (item, i) =>
        `${i}. ${item.offer.catalogItemId ?? `${item.offer.productId}:${item.offer.skuId}`} × ${item.quantity}, ${item.termDuration} billed ${item.billingCycle}`,
    )
    .join('\n');
}

export * from './purchase-updates';
export * from './quotes';
export * from './billing';
export * from './failures';
export * from './runs';
export * from './connect';
