import {
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  patched,
  setHandler,
} from '@temporalio/workflow';
import { getWorkerSettings, recordedValidation, validationIsRecorded } from '../common/activity-options';
import type { WorkerSettings } from '../common/settings';
import { validateWith } from '../common/validation';
import type { z } from 'zod';
import { internalFailureTypes } from '../common/failure-types';
import { applicationCause } from '../common/activity-failures';
import { runFailure } from '../common/run-failure';
import { purchaseRunFailures } from './failures';
import {
  invalidPurchaseRequest,
  lineErrorsFromOrderErrors,
  promotionReport,
  provisioningPlan,
  trialsOf,
  subscriptionIdsOf,
  subscriptionItems,
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
  ResolvedItem,
  SubscriptionCancellation,
  SubscriptionSummary,
  ValidPurchaseRequest,
} from './types';
import { emitEvent, withWebhookEvents } from '../common/events';
import { purchaseSchemas } from '../common/schemas';
import {
  awaitOrders,
  cancelPurchasedSubscriptions,
  checkoutCart,
  createCart,
  provisionSubscriptions,
  resolveItems,
} from './calls';
import { checkPrerequisites, confirmAgreement } from './prerequisites';
import { checkGuardCurrency, checkPriceGuard, GUARD_CURRENCY_PATCH, hasPriceGuard } from './quote';
import { PurchaseProgress } from './progress';
import { startLifecycles } from './lifecycles';
import { assignPurchasedLicences } from './licences';
import { checkoutProducedNoOrder, noApprovalInTime, offerKeepsChanging, rejectedBy } from './step-failures';

/** Runs started since carry the prerequisite checks (agreement, promotions, co-terminosity) before their cart. */
const PREREQUISITES_PATCH = 'purchase-prerequisites';
/** Runs started since check a request's price guard after the catalog is resolved, before anything else. */
const PRICE_GUARD_PATCH = 'purchase-price-guard';

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
  private readonly progress = new PurchaseProgress();
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
    setHandler(purchaseStatusQuery, () => this.progress.snapshot());
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
        if (terminalSteps.includes(this.progress.step)) throw new Error(`Purchase already ${this.progress.step}`);
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
      const licences = await assignPurchasedLicences(request, subscriptionItems(orders, bought.items));
      const result: PurchaseResult = {
        ...base,
        status: lineErrors.length > 0 ? 'partial' : 'completed',
        subscriptions,
        ...trialsOf(subscriptions),
        ...(licences !== undefined ? { licences } : {}),
      };
      await startLifecycles(request.customerId, subscriptions);
      this.progress.setStep(result.status);
      await condition(allHandlersFinished);
      return result;
    } catch (err) {
      const failure = runFailure(err, purchaseRunFailures);
      this.progress.noteError(failure.message);
      this.progress.setStep(isCancellation(err) ? 'cancelled' : 'failed');
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
    this.progress.setCustomer(validation.request.customerId);
    return validation.request;
  }

  /** Resolve, approve and cart; undefined when a cancel ended it first (nothing is bought). */
  private async prepare(request: ValidPurchaseRequest, settings: WorkerSettings): Promise<Prepared | undefined> {
    // A cancel accepted while validating or reading settings had no scope to interrupt yet.
    if (this.cancelRequest !== undefined) return undefined;
    this.interruptible = new CancellationScope();
    try {
      const prepared = await this.interruptible.run(async () => {
        this.progress.setStep('resolving');
        if (hasPriceGuard(request) && patched(GUARD_CURRENCY_PATCH)) await checkGuardCurrency(request);
        const items = await resolveItems(request, false);
        if (hasPriceGuard(request) && patched(PRICE_GUARD_PATCH)) await checkPriceGuard(request, items);
        if (patched(PREREQUISITES_PATCH)) {
          // Awaited inline, not in a method around it: an extra await would shift the commands that follow.
          const checked = await checkPrerequisites(request, items);
          this.agreementToConfirm = checked.agreementToConfirm;
          this.prerequisites = checked.overlay;
        }
        if (request.requireApproval) await this.awaitApproval(settings);
        this.progress.setStep('carting');
        if (this.agreementToConfirm) await confirmAgreement(request);
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
    this.progress.setStep('checking-out');
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
    if (checkout.orders.length === 0) throw checkoutProducedNoOrder(cart, checkout);
    this.progress.setOrders(checkout.orders.map((o) => o.orderId));
    return bought;
  }

  /** Wait until every order is completed and names its subscriptions. */
  private async awaitOrders(
    request: ValidPurchaseRequest,
    checkout: CheckoutOutcome,
    settings: WorkerSettings,
  ): Promise<OrderSummary[]> {
    this.progress.setStep('awaiting-order');
    const orders = await awaitOrders(request.customerId, checkout, settings);
    this.progress.setSubscriptions(subscriptionIdsOf(orders));
    return orders;
  }

  /** Wait for active subscriptions and apply autoRenew / friendlyName; undefined when a cancel interrupted it. */
  private async provision(
    request: ValidPurchaseRequest,
    orders: OrderSummary[],
    items: ResolvedItem[],
    settings: WorkerSettings,
  ): Promise<SubscriptionSummary[] | undefined> {
    this.progress.setStep('provisioning');
    this.interruptible = new CancellationScope();
    try {
      return await this.interruptible.run(() =>
        provisionSubscriptions(provisioningPlan(request.customerId, orders, items), settings),
      );
    } catch (err) {
      if (!(this.cancelRequest !== undefined && isCancellation(err))) throw err;
      return undefined;
    } finally {
      this.interruptible = undefined;
    }
  }

  private async awaitApproval(settings: WorkerSettings): Promise<void> {
    this.progress.setStep('awaiting-approval');
    emitEvent('purchase.awaiting-approval', { customerId: this.progress.customerId, status: this.progress.snapshot() });
    const decided = await condition(() => this.decision !== undefined, settings.approvalTimeoutMs);
    const decision = this.decision;
    if (!decided || decision === undefined) throw noApprovalInTime(settings);
    if (!decision.approved) throw rejectedBy(decision.by, decision.reason);
    log.info('purchase approved', { by: decision.by });
  }

  private async finishCancelledBeforeCheckout(request: ValidPurchaseRequest): Promise<PurchaseResult> {
    const reason = this.cancelRequest?.reason ?? 'cancelled';
    this.progress.setStep('cancelled');
    await condition(allHandlersFinished);
    return {
      requestId: request.requestId,
      customerId: request.customerId,
      cartId: this.progress.cartId ?? '',
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
      subscriptionIds: this.progress.subscriptionIds,
    });
    const outcomes = await cancelPurchasedSubscriptions(base.customerId, this.progress.subscriptionIds, request.reason);
    const cancellations: SubscriptionCancellation[] = outcomes.map((o) => o.cancellation);
    this.progress.setStep('cancelled');
    await condition(allHandlersFinished);
    return {
      ...base,
      status: 'cancelled',
      subscriptions: outcomes.map((o) => o.subscription),
      cancellation: { reason: request.reason, afterCheckout: true, subscriptions: cancellations },
    };
  }

  // ---- Catalog and cart ----

  private async cartWithRetry(request: ValidPurchaseRequest, resolved: ResolvedItem[]): Promise<Prepared> {
    const items = this.prerequisites === undefined ? resolved : withPrerequisites(resolved, this.prerequisites);
    try {
      const cart = await createCart(request.customerId, items);
      this.progress.setCart(cart.cartId);
      return { items, cart };
    } catch (err) {
      return this.rebuildIfStale(err, request);
    }
  }

  /** A stale availability (400019) is fixed once, by re-reading the catalog and building a new cart. */
  private async rebuildIfStale(err: unknown, request: ValidPurchaseRequest): Promise<Prepared> {
    if (this.refreshedCatalog) offerKeepsChanging(err);
    const stale = applicationCause(err);
    if (stale?.type !== internalFailureTypes.staleAvailability) throw err;
    this.refreshedCatalog = true;
    this.progress.noteError(`Stale availability, re-reading the catalog: ${stale.message}`);
    return this.cartWithRetry(request, await resolveItems(request, true));
  }

  // ---- Messages ----

  private validateDecision(schema: z.ZodType, args: unknown): void {
    if (this.progress.step !== 'awaiting-approval')
      throw new Error(`Purchase is ${this.progress.step}, not awaiting approval`);
    if (this.decision !== undefined) {
      throw new Error(
        `Purchase was already ${this.decision.approved ? 'approved' : 'rejected'} by ${this.decision.by}`,
      );
    }
    parseMessage(schema, args);
  }

  private decide(decision: Decision): PurchaseStatus {
    this.decision = decision;
    return this.progress.snapshot();
  }

  private cancel(args: CancelArgs) {
    this.cancelRequest ??= args;
    if (!this.checkoutStarted || this.progress.step === 'provisioning') this.interruptible?.cancel();
    return { step: this.progress.step, afterCheckout: this.checkoutStarted };
  }
}

/** Update validators reject bad arguments before anything reaches history. */
function parseMessage(schema: z.ZodType, args: unknown): void {
  const validation = validateWith(schema, args);
  if (!validation.ok) throw new Error(validation.problems.map((p) => `${p.field} ${p.problem}`).join('; '));
}
