import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TemporalFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { lastAttempt } from '../common/activity-failures';
import {
  getWorkerSettings,
  partnerCenterCall,
  poller,
  recordedValidation,
  validationIsRecorded,
} from '../common/activity-options';
import type { WorkerSettings } from '../common/settings';
import { validateWith } from '../common/validation';
import type { z } from 'zod';
import type { PurchaseActivities } from '../../activities';
import { internalFailureTypes } from '../common/failure-types';
import { purchaseFailureTypes } from './failures';
import {
  describeProgress,
  invalidPurchaseRequest,
  lineErrorsFromOrderErrors,
  promotionReport,
  provisioningPlan,
  trialsOf,
  subscriptionIdsOf,
  terminalSteps,
  unfulfilledLineErrors,
  withPrerequisites,
} from './rules';
import { approvePurchaseUpdate, cancelPurchaseUpdate, purchaseStatusQuery, rejectPurchaseUpdate } from './messages';
import type {
  CancelArgs,
  CartOutcome,
  CheckoutOutcome,
  OrderSummary,
  PrerequisiteOverlay,
  PurchaseRequest,
  PurchaseResult,
  PurchaseStatus,
  PurchaseStep,
  ResolvedItem,
  SubscriptionCancellation,
  SubscriptionSummary,
  ValidPurchaseRequest,
} from './types';
import { PcCustomerId, PcOrderIds, PcStep, PcSubscriptionIds } from '../common/search-attributes';
import { emitEvent, withWebhookEvents } from '../common/events';
import { purchaseSchemas } from '../common/schemas';

/** The purchase's Partner Center calls, one activity each. */
const calls = proxyActivities<PurchaseActivities>(partnerCenterCall);

/** Checkout of a recorded cart: retried with the same MS-RequestId, so a lost answer never buys twice. */
function checkoutCart(customerId: string, cartId: string) {
  return calls.checkoutPurchaseCart.executeWithOptions({ summary: `Check out cart ${cartId}` }, [
    { customerId, cartId },
  ]);
}

function pollingActivities(settings: WorkerSettings) {
  return proxyActivities<PurchaseActivities>(poller(settings));
}

/** Runs started since carry the prerequisite checks (agreement, promotions, co-terminosity) before their cart. */
const PREREQUISITES_PATCH = 'purchase-prerequisites';
/** Runs started since check before their cart that every add-on's base product is owned or bought with it. */
const ADD_ON_BASES_PATCH = 'purchase-add-on-bases';

type Decision = { approved: true; by: string } | { approved: false; by: string; reason: string };

/** The request's items bound to availabilities, and the cart that holds them. */
interface Prepared {
  items: ResolvedItem[];
  cart: CartOutcome;
}

/** Contract §3: buy `request.items` in one cart for one customer, exactly once, and report what was bought. */
export async function purchaseSubscription(input: PurchaseRequest): Promise<PurchaseResult> {
  return withWebhookEvents(() => new PurchaseRun().run(input), {
    succeeded: (result) => `purchase.${result.status}`,
    failed: 'purchase.failed',
    cancelled: 'purchase.cancelled',
  });
}

/**
 * One purchase: its state, its message handlers and one method per step. A cancel before checkout ends it with
 * nothing bought; after checkout it cancels what was bought.
 */
class PurchaseRun {
  private readonly status: PurchaseStatus = {
    step: 'validating',
    orderIds: [],
    subscriptionIds: [],
    updatedAt: new Date().toISOString(),
  };
  private customerId?: string;
  private decision?: Decision;
  private cancelRequest?: CancelArgs;
  /** Set in the same synchronous block that schedules checkout: from then on a cancel must undo a purchase. */
  private checkoutStarted = false;
  /** Work a cancel may interrupt (never the checkout itself). */
  private interruptible?: CancellationScope;
  /** A stale availability is fixed by one re-read of the catalog; a second one means the offer keeps changing. */
  private refreshedCatalog = false;
  /** What the prerequisites decided per item, laid over every cart (undefined in runs recorded before them). */
  private prerequisites?: PrerequisiteOverlay;
  /** The customer's MCA is missing and the request carries it: confirmed once, after approval, right before the cart. */
  private agreementToConfirm = false;

  constructor() {
    setHandler(purchaseStatusQuery, () => this.snapshot());
    setHandler(
      approvePurchaseUpdate,
      (args) => this.decide({ approved: true, by: purchaseSchemas().ApproveArgsSchema.parse(args).by }),
      {
        validator: (args) => this.validateDecision(purchaseSchemas().ApproveArgsSchema, args),
        description: 'Approve a purchase waiting in awaiting-approval',
      },
    );
    setHandler(
      rejectPurchaseUpdate,
      (args) => this.decide({ approved: false, ...purchaseSchemas().RejectArgsSchema.parse(args) }),
      {
        validator: (args) => this.validateDecision(purchaseSchemas().RejectArgsSchema, args),
        description: 'Reject a purchase waiting in awaiting-approval',
      },
    );
    setHandler(cancelPurchaseUpdate, (args) => this.cancel(purchaseSchemas().CancelArgsSchema.parse(args)), {
      validator: (args) => {
        if (terminalSteps.includes(this.status.step)) throw new Error(`Purchase already ${this.status.step}`);
        parseMessage(purchaseSchemas().CancelArgsSchema, args);
      },
      description:
        'Cancel: before checkout nothing is bought; after it, the subscriptions bought are cancelled while the window allows',
    });
  }

  async run(input: PurchaseRequest): Promise<PurchaseResult> {
    try {
      const request = await this.validate(input);
      const settings = await getWorkerSettings();
      const prepared = await this.prepare(request, settings);
      if (prepared === undefined) return await this.finishCancelledBeforeCheckout(request);
      const bought = await this.checkOut(request, prepared);
      const lineErrors = [
        ...(this.prerequisites?.lineErrors ?? []),
        ...bought.cart.lineErrors,
        ...lineErrorsFromOrderErrors(bought.cart, bought.checkout),
      ];
      const orders = await this.awaitOrders(request, bought.checkout, settings);
      lineErrors.push(...unfulfilledLineErrors(bought.cart, orders));
      const base = {
        requestId: request.requestId,
        customerId: request.customerId,
        cartId: bought.cart.cartId,
        orders,
        lineErrors,
        ...promotionReport(this.prerequisites, bought.cart),
      };
      if (this.cancelRequest !== undefined) return await this.finishCancelledAfterCheckout(base, this.cancelRequest);
      const subscriptions = await this.provision(request, orders, bought.items, settings);
      if (this.cancelRequest !== undefined || subscriptions === undefined) {
        return await this.finishCancelledAfterCheckout(base, this.cancelRequest ?? { reason: 'cancelled' });
      }
      const result: PurchaseResult = {
        ...base,
        status: lineErrors.length > 0 ? 'partial' : 'completed',
        subscriptions,
        ...trialsOf(subscriptions),
      };
      this.setStep(result.status);
      await condition(allHandlersFinished);
      return result;
    } catch (err) {
      // Not a Temporal failure means a bug: let it fail the workflow task, which is retried once fixed.
      if (!(err instanceof TemporalFailure)) throw err;
      const failure = toPurchaseFailure(err);
      this.noteError(failure.message);
      this.setStep(isCancellation(err) ? 'cancelled' : 'failed');
      throw failure;
    }
  }

  // ---- Steps ----

  private async validate(input: PurchaseRequest): Promise<ValidPurchaseRequest> {
    // Recorded (a local activity), so a schema edit never changes the request a started run works on.
    const validation = validationIsRecorded()
      ? await recordedValidation.normalisePurchaseRequest(input)
      : purchaseSchemas().validatePurchaseRequest(input);
    if (!validation.ok) throw invalidPurchaseRequest(validation.problems);
    this.customerId = validation.request.customerId;
    upsertSearchAttributes([{ key: PcCustomerId, value: validation.request.customerId }]);
    return validation.request;
  }

  /** Resolve, approve and cart; undefined when a cancel ended it first (nothing is bought). */
  private async prepare(request: ValidPurchaseRequest, settings: WorkerSettings): Promise<Prepared | undefined> {
    // A cancel accepted while validating or reading settings had no scope to interrupt yet.
    if (this.cancelRequest !== undefined) return undefined;
    this.interruptible = new CancellationScope();
    try {
      const prepared = await this.interruptible.run(async () => {
        this.setStep('resolving');
        const items = await this.resolve(request, false);
        if (patched(PREREQUISITES_PATCH)) await this.checkPrerequisites(request, items);
        if (request.requireApproval) await this.awaitApproval(settings);
        this.setStep('carting');
        if (this.agreementToConfirm) await this.confirmAgreement(request);
        return this.cartWithRetry(request, items);
      });
      return this.cancelRequest !== undefined ? undefined : prepared;
    } catch (err) {
      if (!(this.cancelRequest !== undefined && isCancellation(err))) throw err;
      return undefined;
    } finally {
      this.interruptible = undefined;
    }
  }

  /** Checkout, exactly once: the cart id is recorded; retries re-send the same cart with the same MS-RequestId. */
  private async checkOut(
    request: ValidPurchaseRequest,
    prepared: Prepared,
  ): Promise<Prepared & { checkout: CheckoutOutcome }> {
    this.checkoutStarted = true;
    this.setStep('checking-out');
    let bought: Prepared & { checkout: CheckoutOutcome };
    try {
      bought = { ...prepared, checkout: await checkoutCart(request.customerId, prepared.cart.cartId) };
    } catch (err) {
      const rebuilt = await this.rebuildIfStale(err, request);
      bought = {
        ...rebuilt,
        checkout: await checkoutCart(request.customerId, rebuilt.cart.cartId).catch(offerKeepsChanging),
      };
    }
    const { cart, checkout } = bought;
    if (checkout.orders.length === 0) {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.checkoutRejected,
        message: `Checkout of cart ${cart.cartId} produced no order: ${checkout.orderErrors.map((e) => `${e.code} ${e.description}`).join('; ')}`,
        details: [{ cartId: cart.cartId, orderErrors: checkout.orderErrors }],
        nonRetryable: true,
      });
    }
    this.status.orderIds = checkout.orders.map((o) => o.orderId);
    upsertSearchAttributes([{ key: PcOrderIds, value: this.status.orderIds }]);
    return bought;
  }

  /** Wait until every order is completed and names its subscriptions. */
  private async awaitOrders(
    request: ValidPurchaseRequest,
    checkout: CheckoutOutcome,
    settings: WorkerSettings,
  ): Promise<OrderSummary[]> {
    this.setStep('awaiting-order');
    const orders = await awaitOrders(pollingActivities(settings), request.customerId, checkout, settings);
    this.status.subscriptionIds = subscriptionIdsOf(orders);
    upsertSearchAttributes([{ key: PcSubscriptionIds, value: this.status.subscriptionIds }]);
    this.showProgress();
    return orders;
  }

  /** Wait for active subscriptions and apply autoRenew / friendlyName; undefined when a cancel interrupted it. */
  private async provision(
    request: ValidPurchaseRequest,
    orders: OrderSummary[],
    items: ResolvedItem[],
    settings: WorkerSettings,
  ): Promise<SubscriptionSummary[] | undefined> {
    this.setStep('provisioning');
    const poll = pollingActivities(settings);
    this.interruptible = new CancellationScope();
    try {
      return await this.interruptible.run(() =>
        Promise.all(
          provisioningPlan(request.customerId, orders, items).map((p) =>
            poll.provisionSubscription
              .executeWithOptions(
                { summary: `Wait until subscription ${p.subscriptionId} is active, then apply its settings` },
                [p],
              )
              .catch((e: unknown) => rethrowProvisioning(e, p.subscriptionId)),
          ),
        ),
      );
    } catch (err) {
      if (!(this.cancelRequest !== undefined && isCancellation(err))) throw err;
      return undefined;
    } finally {
      this.interruptible = undefined;
    }
  }

  private async awaitApproval(settings: WorkerSettings): Promise<void> {
    this.setStep('awaiting-approval');
    emitEvent('purchase.awaiting-approval', { customerId: this.customerId, status: this.snapshot() });
    const decided = await condition(() => this.decision !== undefined, settings.approvalTimeoutMs);
    const decision = this.decision;
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

  private async finishCancelledBeforeCheckout(request: ValidPurchaseRequest): Promise<PurchaseResult> {
    const reason = this.cancelRequest?.reason ?? 'cancelled';
    this.setStep('cancelled');
    await condition(allHandlersFinished);
    return {
      requestId: request.requestId,
      customerId: request.customerId,
      cartId: this.status.cartId ?? '',
      status: 'cancelled',
      orders: [],
      subscriptions: [],
      lineErrors: [],
      cancellation: { reason, afterCheckout: false, subscriptions: [] },
    };
  }

  private async finishCancelledAfterCheckout(
    base: Omit<PurchaseResult, 'status' | 'subscriptions' | 'cancellation'>,
    request: CancelArgs,
  ): Promise<PurchaseResult> {
    log.info('cancelling what the purchase bought', {
      reason: request.reason,
      subscriptionIds: this.status.subscriptionIds,
    });
    const outcomes = await Promise.all(
      this.status.subscriptionIds.map((subscriptionId) =>
        calls.cancelPurchasedSubscription.executeWithOptions(
          { summary: `Cancel subscription ${subscriptionId} (${request.reason})` },
          [{ customerId: base.customerId, subscriptionId }],
        ),
      ),
    );
    const cancellations: SubscriptionCancellation[] = outcomes.map((o) => o.cancellation);
    this.setStep('cancelled');
    await condition(allHandlersFinished);
    return {
      ...base,
      status: 'cancelled',
      subscriptions: outcomes.map((o) => o.subscription),
      cancellation: { reason: request.reason, afterCheckout: true, subscriptions: cancellations },
    };
  }

  // ---- Prerequisites (every one checked before the cart) ----

  private async checkPrerequisites(request: ValidPurchaseRequest, items: ResolvedItem[]): Promise<void> {
    const { customerId, country, segment } = request;
    const agreement = await calls.checkCustomerAgreement.executeWithOptions(
      { summary: `Check that customer ${customerId} accepted the Microsoft Customer Agreement` },
      [{ customerId, agreementGiven: request.agreement !== undefined }],
    );
    this.agreementToConfirm = agreement.outcome === 'to-confirm';
    const addOns = items.filter((i) => i.addOnBases !== undefined);
    const lineErrors =
      addOns.length > 0 && patched(ADD_ON_BASES_PATCH)
        ? await calls.checkAddOnBases.executeWithOptions(
            { summary: `Check that the base products of ${addOns.length} add-on(s) are owned or bought with them` },
            [{ customerId, items }],
          )
        : [];
    const withPromotion = items.filter((i) => i.promotionId !== undefined);
    const promotions =
      withPromotion.length === 0
        ? []
        : await calls.checkPurchasePromotions.executeWithOptions(
            { summary: `Check the promotion eligibility of ${withPromotion.length} item(s)` },
            [{ customerId, country, segment, onIneligiblePromotion: request.onIneligiblePromotion ?? 'fail', items }],
          );
    const coTermed = items.filter((i) => i.customTermEndDate !== undefined || i.alignWith !== undefined);
    const customTermEndDates =
      coTermed.length === 0
        ? []
        : await calls.resolveCustomTermEndDates.executeWithOptions(
            { summary: `Check the custom term end date of ${coTermed.length} item(s)` },
            [{ customerId, items: coTermed }],
          );
    this.prerequisites = { promotions, customTermEndDates, ...(lineErrors.length > 0 ? { lineErrors } : {}) };
  }

  private async confirmAgreement(request: ValidPurchaseRequest): Promise<void> {
    if (request.agreement === undefined) return;
    const confirmed = await calls.confirmCustomerAgreement.executeWithOptions(
      { summary: `Confirm customer ${request.customerId}'s Microsoft Customer Agreement` },
      [{ customerId: request.customerId, agreement: request.agreement }],
    );
    log.info('customer agreement', { outcome: confirmed.outcome });
  }

  // ---- Catalog and cart ----

  private resolve(request: ValidPurchaseRequest, refresh: boolean): Promise<ResolvedItem[]> {
    const { country, segment, currency, items } = request;
    return calls.resolvePurchaseItems.executeWithOptions(
      { summary: `Resolve ${items.length} item(s) in the ${country} ${segment} catalog${refresh ? ' (re-read)' : ''}` },
      [{ country, segment, ...(currency !== undefined ? { currency } : {}), items, refresh }],
    );
  }

  private async cartWithRetry(request: ValidPurchaseRequest, resolved: ResolvedItem[]): Promise<Prepared> {
    const items = this.prerequisites === undefined ? resolved : withPrerequisites(resolved, this.prerequisites);
    try {
      const cart = await calls.createPurchaseCart.executeWithOptions(
        { summary: `Create a cart of ${items.length} line(s) for customer ${request.customerId}` },
        [{ customerId: request.customerId, items }],
      );
      this.status.cartId = cart.cartId;
      this.showProgress();
      return { items, cart };
    } catch (err) {
      return this.rebuildIfStale(err, request);
    }
  }

  /** A stale availability (400019) is fixed once, by re-reading the catalog and building a new cart. */
  private async rebuildIfStale(err: unknown, request: ValidPurchaseRequest): Promise<Prepared> {
    if (this.refreshedCatalog) offerKeepsChanging(err);
    if (failureType(err) !== internalFailureTypes.staleAvailability) throw err;
    this.refreshedCatalog = true;
    this.noteError(`Stale availability, re-reading the catalog: ${failureMessage(err)}`);
    return this.cartWithRetry(request, await this.resolve(request, true));
  }

  // ---- Messages and progress ----

  private snapshot(): PurchaseStatus {
    return { ...this.status, orderIds: [...this.status.orderIds], subscriptionIds: [...this.status.subscriptionIds] };
  }

  private validateDecision(schema: z.ZodType, args: unknown): void {
    if (this.status.step !== 'awaiting-approval')
      throw new Error(`Purchase is ${this.status.step}, not awaiting approval`);
    if (this.decision !== undefined) {
      throw new Error(
        `Purchase was already ${this.decision.approved ? 'approved' : 'rejected'} by ${this.decision.by}`,
      );
    }
    parseMessage(schema, args);
  }

  private decide(decision: Decision): PurchaseStatus {
    this.decision = decision;
    return this.snapshot();
  }

  private cancel(args: CancelArgs) {
    this.cancelRequest ??= args;
    if (!this.checkoutStarted || this.status.step === 'provisioning') this.interruptible?.cancel();
    return { step: this.status.step, afterCheckout: this.checkoutStarted };
  }

  private setStep(step: PurchaseStep): void {
    this.status.step = step;
    this.status.updatedAt = new Date().toISOString();
    upsertSearchAttributes([{ key: PcStep, value: step }]);
    this.showProgress();
    log.info('purchase step', { step, cartId: this.status.cartId, orderIds: this.status.orderIds });
  }

  private noteError(message: string): void {
    this.status.lastError = message;
    this.status.updatedAt = new Date().toISOString();
    this.showProgress();
  }

  private showProgress(): void {
    setCurrentDetails(describeProgress({ ...this.status, customerId: this.customerId }));
  }
}

/** Stale again after the one re-read: the offer keeps changing under us, so it cannot be bought now. */
function offerKeepsChanging(err: unknown): never {
  if (!(err instanceof ActivityFailure) || failureType(err) !== internalFailureTypes.staleAvailability) throw err;
  const cause = err.cause as ApplicationFailure;
  throw ApplicationFailure.create({
    type: purchaseFailureTypes.offerNotPurchasable,
    message: cause.message,
    details: cause.details ?? undefined,
    nonRetryable: true,
    cause: err,
  });
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
          {
            summary: `Wait until order ${orderId} is visible and completed (polled from every ${settings.orderPollIntervalMs} ms, growing to every ${settings.orderPollMaxIntervalMs ?? settings.orderPollIntervalMs} ms)`,
          },
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
  const validation = validateWith(schema, args);
  if (!validation.ok) throw new Error(validation.problems.map((p) => `${p.field} ${p.problem}`).join('; '));
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
 * callers read `failure.cause.type`. The type was decided where the fact was known; it is passed through.
 */
function toPurchaseFailure(err: TemporalFailure): TemporalFailure {
  if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure)) return err;
  const cause = err.cause;
  return ApplicationFailure.create({
    type: cause.type ?? internalFailureTypes.partnerCenter,
    message: cause.message,
    details: cause.details ?? undefined,
    nonRetryable: true,
    cause: err,
  });
}
