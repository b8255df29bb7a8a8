import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TemporalFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { lastAttempt } from '../common/activity-failures';
import { getWorkerSettings, partnerCenterCall, poller } from '../common/activity-options';
import type { WorkerSettings } from '../common/settings';
import type { z } from 'zod';
import type { PurchaseActivities } from '../../activities';
import { internalFailureTypes } from '../common/failure-types';
import { purchaseFailureTypes } from './failures';
import { describeProgress, invalidPurchaseRequest, lineErrorsFromOrderErrors, provisioningPlan, subscriptionIdsOf, unfulfilledLineErrors } from './rules';
import {
  ApproveArgsSchema,
  CancelArgsSchema,
  RejectArgsSchema,
  approvePurchaseUpdate,
  cancelPurchaseUpdate,
  purchaseStatusQuery,
  rejectPurchaseUpdate,
  type CancelArgs,
} from './messages';
import {
  terminalSteps,
  validatePurchaseRequest,
  type CartOutcome,
  type CheckoutOutcome,
  type OrderSummary,
  type PurchaseRequest,
  type PurchaseResult,
  type PurchaseStatus,
  type PurchaseStep,
  type ResolvedItem,
  type SubscriptionCancellation,
  type SubscriptionSummary,
  type ValidPurchaseRequest,
} from './types';
import { PcCustomerId, PcOrderIds, PcStep, PcSubscriptionIds } from '../common/search-attributes';

/** The purchase's Partner Center calls, one activity each. */
const calls = proxyActivities<PurchaseActivities>(partnerCenterCall);

/** Checkout of a recorded cart: retried with the same MS-RequestId, so a lost answer never buys twice. */
function checkoutCart(customerId: string, cartId: string) {
  return calls.checkoutPurchaseCart.executeWithOptions({ summary: `Check out cart ${cartId}` }, [{ customerId, cartId }]);
}

function pollingActivities(settings: WorkerSettings) {
  return proxyActivities<PurchaseActivities>(poller(settings));
}

type Decision = { approved: true; by: string } | { approved: false; by: string; reason: string };

/** Contract §3: buy `request.items` in one cart for one customer, exactly once, and report what was bought. */
export async function purchaseSubscription(input: PurchaseRequest): Promise<PurchaseResult> {
  const status: PurchaseStatus = { step: 'validating', orderIds: [], subscriptionIds: [], updatedAt: new Date().toISOString() };
  let customerId: string | undefined;
  let decision: Decision | undefined;
  let cancelRequest: CancelArgs | undefined;
  /** Set in the same synchronous block that schedules checkout: from then on a cancel must undo a purchase. */
  let checkoutStarted = false;
  /** Work a cancel may interrupt (never the checkout itself). */
  let interruptible: CancellationScope | undefined;

  const snapshot = (): PurchaseStatus => ({ ...status, orderIds: [...status.orderIds], subscriptionIds: [...status.subscriptionIds] });
  const showProgress = () => setCurrentDetails(describeProgress({ ...status, customerId }));
  const setStep = (step: PurchaseStep) => {
    status.step = step;
    status.updatedAt = new Date().toISOString();
    upsertSearchAttributes([{ key: PcStep, value: step }]);
    showProgress();
    log.info('purchase step', { step, cartId: status.cartId, orderIds: status.orderIds });
  };
  const noteError = (message: string) => {
    status.lastError = message;
    status.updatedAt = new Date().toISOString();
    showProgress();
  };

  setHandler(purchaseStatusQuery, snapshot);
  const requireAwaitingApproval = () => {
    if (status.step !== 'awaiting-approval') throw new Error(`Purchase is ${status.step}, not awaiting approval`);
    if (decision !== undefined) throw new Error(`Purchase was already ${decision.approved ? 'approved' : 'rejected'} by ${decision.by}`);
  };
  setHandler(
    approvePurchaseUpdate,
    (args) => {
      decision = { approved: true, by: ApproveArgsSchema.parse(args).by };
      return snapshot();
    },
    { validator: (args) => (requireAwaitingApproval(), parseMessage(ApproveArgsSchema, args)), description: 'Approve a purchase waiting in awaiting-approval' },
  );
  setHandler(
    rejectPurchaseUpdate,
    (args) => {
      const { by, reason } = RejectArgsSchema.parse(args);
      decision = { approved: false, by, reason };
      return snapshot();
    },
    { validator: (args) => (requireAwaitingApproval(), parseMessage(RejectArgsSchema, args)), description: 'Reject a purchase waiting in awaiting-approval' },
  );
  setHandler(
    cancelPurchaseUpdate,
    (args) => {
      cancelRequest ??= CancelArgsSchema.parse(args);
      if (!checkoutStarted || status.step === 'provisioning') interruptible?.cancel();
      return { step: status.step, afterCheckout: checkoutStarted };
    },
    {
      validator: (args) => {
        if (terminalSteps.includes(status.step)) throw new Error(`Purchase already ${status.step}`);
        parseMessage(CancelArgsSchema, args);
      },
      description: 'Cancel: before checkout nothing is bought; after it, the subscriptions bought are cancelled while the window allows',
    },
  );

  try {
    const validation = validatePurchaseRequest(input);
    if (!validation.ok) {
      throw invalidPurchaseRequest(validation.problems);
    }
    const request = validation.request;
    customerId = request.customerId;
    upsertSearchAttributes([{ key: PcCustomerId, value: customerId }]);

    const settings = await getWorkerSettings();
    const poll = pollingActivities(settings);
    let refreshedCatalog = false;

    const resolve = async (refresh: boolean): Promise<ResolvedItem[]> => {
      const { country, segment, currency, items } = request;
      return calls.resolvePurchaseItems.executeWithOptions(
        { summary: `Resolve ${items.length} item(s) in the ${country} ${segment} catalog${refresh ? ' (re-read)' : ''}` },
        [{ country, segment, ...(currency !== undefined ? { currency } : {}), items, refresh }],
      );
    };
    /** A stale availability (400019) is fixed once by re-reading the catalog and building a new cart. */
    const onceStale = async <T>(attempt: () => Promise<T>, rebuild: () => Promise<T>): Promise<T> => {
      try {
        return await attempt();
      } catch (err) {
        if (refreshedCatalog || failureType(err) !== internalFailureTypes.staleAvailability) throw err;
        refreshedCatalog = true;
        noteError(`Stale availability, re-reading the catalog: ${failureMessage(err)}`);
        return rebuild();
      }
    };
    const buildCart = async (items: ResolvedItem[]): Promise<CartOutcome> => {
      const cart = await calls.createPurchaseCart.executeWithOptions(
        { summary: `Create a cart of ${items.length} line(s) for customer ${request.customerId}` },
        [{ customerId: request.customerId, items }],
      );
      status.cartId = cart.cartId;
      showProgress();
      return cart;
    };

    // ---- Before checkout: a cancel ends the purchase with nothing bought ----
    // A cancel accepted while validating or reading settings had no scope to interrupt yet.
    if (cancelRequest !== undefined) return finishCancelledBeforeCheckout(request);
    interruptible = new CancellationScope();
    let prepared: { items: ResolvedItem[]; cart: CartOutcome } | undefined;
    try {
      prepared = await interruptible.run(async () => {
        setStep('resolving');
        let items = await resolve(false);
        if (request.requireApproval) await awaitApproval(settings);
        setStep('carting');
        const cart = await onceStale(
          () => buildCart(items),
          async () => {
            items = await resolve(true);
            return buildCart(items);
          },
        );
        return { items, cart };
      });
    } catch (err) {
      if (!(cancelRequest !== undefined && isCancellation(err))) throw err;
    }
    interruptible = undefined;
    if (cancelRequest !== undefined || prepared === undefined) return finishCancelledBeforeCheckout(request);

    // ---- Checkout, exactly once: the cart id is recorded; retries re-send the same cart with the same MS-RequestId ----
    let { items, cart } = prepared;
    checkoutStarted = true;
    setStep('checking-out');
    const checkout = await onceStale(
      () => checkoutCart(request.customerId, cart.cartId),
      async () => {
        items = await resolve(true);
        cart = await buildCart(items);
        return checkoutCart(request.customerId, cart.cartId);
      },
    );
    const lineErrors = [...cart.lineErrors, ...lineErrorsFromOrderErrors(cart, checkout)];
    if (checkout.orders.length === 0) {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.checkoutRejected,
        message: `Checkout of cart ${cart.cartId} produced no order: ${checkout.orderErrors.map((e) => `${e.code} ${e.description}`).join('; ')}`,
        details: [{ cartId: cart.cartId, orderErrors: checkout.orderErrors }],
        nonRetryable: true,
      });
    }
    status.orderIds = checkout.orders.map((o) => o.orderId);
    upsertSearchAttributes([{ key: PcOrderIds, value: status.orderIds }]);

    // ---- Wait until every order is completed and names its subscriptions ----
    setStep('awaiting-order');
    const orders = await awaitOrders(poll, request.customerId, checkout, settings);
    lineErrors.push(...unfulfilledLineErrors(cart, orders));
    status.subscriptionIds = subscriptionIdsOf(orders);
    upsertSearchAttributes([{ key: PcSubscriptionIds, value: status.subscriptionIds }]);
    showProgress();

    const base = { requestId: request.requestId, customerId: request.customerId, cartId: cart.cartId, orders, lineErrors };
    if (cancelRequest !== undefined) return finishCancelledAfterCheckout(base, cancelRequest);

    // ---- Provision: wait for active subscriptions, apply autoRenew / friendlyName ----
    setStep('provisioning');
    interruptible = new CancellationScope();
    let subscriptions: SubscriptionSummary[] | undefined;
    try {
      subscriptions = await interruptible.run(() =>
        Promise.all(provisioningPlan(request.customerId, orders, items).map((p) => poll.provisionSubscription.executeWithOptions({ summary: `Wait until subscription ${p.subscriptionId} is active, then apply its settings` }, [p]).catch((e: unknown) => rethrowProvisioning(e, p.subscriptionId)))),
      );
    } catch (err) {
      if (!(cancelRequest !== undefined && isCancellation(err))) throw err;
    }
    interruptible = undefined;
    if (cancelRequest !== undefined || subscriptions === undefined) return finishCancelledAfterCheckout(base, cancelRequest ?? { reason: 'cancelled' });

    const result: PurchaseResult = { ...base, status: lineErrors.length > 0 ? 'partial' : 'completed', subscriptions };
    setStep(result.status);
    await condition(allHandlersFinished);
    return result;
  } catch (err) {
    // Not a Temporal failure means a bug: let it fail the workflow task, which is retried once fixed.
    if (!(err instanceof TemporalFailure)) throw err;
    const failure = toPurchaseFailure(err);
    noteError(failure.message);
    setStep(isCancellation(err) ? 'cancelled' : 'failed');
    throw failure;
  }

  async function awaitApproval(settings: WorkerSettings): Promise<void> {
    setStep('awaiting-approval');
    const decided = await condition(() => decision !== undefined, settings.approvalTimeoutMs);
    if (!decided || decision === undefined) {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.rejected,
        message: `No approval within ${Math.round(settings.approvalTimeoutMs / 1000)}s`,
        details: [{ timedOut: true }],
        nonRetryable: true,
      });
    }
    if (!decision.approved) {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.rejected,
        message: `Rejected by ${decision.by}: ${decision.reason}`,
        details: [{ by: decision.by, reason: decision.reason }],
        nonRetryable: true,
      });
    }
    log.info('purchase approved', { by: decision.by });
  }

  async function finishCancelledBeforeCheckout(request: ValidPurchaseRequest): Promise<PurchaseResult> {
    const reason = cancelRequest?.reason ?? 'cancelled';
    setStep('cancelled');
    await condition(allHandlersFinished);
    return {
      requestId: request.requestId,
      customerId: request.customerId,
      cartId: status.cartId ?? '',
      status: 'cancelled',
      orders: [],
      subscriptions: [],
      lineErrors: [],
      cancellation: { reason, afterCheckout: false, subscriptions: [] },
    };
  }

  async function finishCancelledAfterCheckout(
    base: Omit<PurchaseResult, 'status' | 'subscriptions' | 'cancellation'>,
    request: CancelArgs,
  ): Promise<PurchaseResult> {
    log.info('cancelling what the purchase bought', { reason: request.reason, subscriptionIds: status.subscriptionIds });
    const outcomes = await Promise.all(
      status.subscriptionIds.map((subscriptionId) =>
        calls.cancelPurchasedSubscription.executeWithOptions({ summary: `Cancel subscription ${subscriptionId} (${request.reason})` }, [
          { customerId: base.customerId, subscriptionId },
        ]),
      ),
    );
    const cancellations: SubscriptionCancellation[] = outcomes.map((o) => o.cancellation);
    setStep('cancelled');
    await condition(allHandlersFinished);
    return {
      ...base,
      status: 'cancelled',
      subscriptions: outcomes.map((o) => o.subscription),
      cancellation: { reason: request.reason, afterCheckout: true, subscriptions: cancellations },
    };
  }
}

async function awaitOrders(
  poll: ReturnType<typeof pollingActivities>,
  customerId: string,
  checkout: CheckoutOutcome,
  settings: WorkerSettings,
): Promise<OrderSummary[]> {
  return Promise.all(
    checkout.orders.map(async ({ orderId }) => {
      try {
        return await poll.awaitOrderCompletion.executeWithOptions(
          { summary: `Wait until order ${orderId} is visible and completed (polled every ${settings.orderPollIntervalMs} ms)` },
          [{ customerId, orderId }],
        );
      } catch (err) {
        const timedOut = pollerTimedOut(err);
        if (timedOut === undefined) throw err;
        const { last } = timedOut;
        throw ApplicationFailure.create({
          type: purchaseFailureTypes.orderNotVisible,
          message: `Order ${orderId} not ${last?.type === internalFailureTypes.orderPending ? 'completed' : 'visible'} within ${Math.round(settings.orderVisibilityDeadlineMs / 1000)}s${last !== undefined ? ` (last: ${last.message})` : ''}`,
          details: [{ orderId }],
          nonRetryable: true,
          cause: err as ActivityFailure,
        });
      }
    }),
  );
}

function rethrowProvisioning(err: unknown, subscriptionId: string): never {
  const timedOut = pollerTimedOut(err);
  if (timedOut === undefined) throw err;
  throw ApplicationFailure.create({
    type: purchaseFailureTypes.provisioningFailed,
    message: `Subscription ${subscriptionId} did not become active in time${timedOut.last !== undefined ? ` (last: ${timedOut.last.message})` : ''}`,
    details: [{ subscriptionId }],
    nonRetryable: true,
    cause: err as ActivityFailure,
  });
}

/** A poller that ran out of time, with its last "not yet" answer. */
function pollerTimedOut(err: unknown): { last?: ApplicationFailure } | undefined {
  if (!(err instanceof ActivityFailure)) return undefined;
  const { timedOut, last } = lastAttempt(err);
  return timedOut ? { last } : undefined;
}

/** Update validators reject bad arguments before anything reaches history. */
function parseMessage(schema: z.ZodType, args: unknown): void {
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'argument'} ${i.message}`).join('; '));
}

function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause !== undefined ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * The workflow fails with the contract failure type itself (not wrapped in an ActivityFailure), so upstream
 * callers read `failure.cause.type`.
 */
function toPurchaseFailure(err: TemporalFailure): TemporalFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const cause = err.cause;
    // Stale again after the one re-resolution: the offer keeps changing under us.
    const type = cause.type === internalFailureTypes.staleAvailability ? purchaseFailureTypes.offerNotPurchasable : cause.type;
    return ApplicationFailure.create({
      type: type ?? internalFailureTypes.partnerCenter,
      message: cause.message,
      details: cause.details ?? undefined,
      nonRetryable: true,
      cause: err,
    });
  }
  return err;
}
