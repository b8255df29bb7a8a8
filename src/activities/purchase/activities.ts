import { ApplicationFailure } from '@temporalio/common';
import { activityInfo, cancellationSignal, log } from '@temporalio/activity';
import {
  CatalogResolutionError,
  isPartnerCenterError,
  type CartLineItemInput,
  type CatalogResolver,
  type Order,
  type PartnerCenterClient,
  type ResolvedOffer,
  type Subscription,
  type TokenMode,
} from '../../partner-center';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import { everyLineRefused, invalidPurchaseRequest } from '../../workflows/purchase/rules';
import type {
  AttestationField,
  AwaitOrderInput,
  CancelSubscriptionInput,
  CartOutcome,
  CheckoutInput,
  CheckoutOutcome,
  CreateCartInput,
  InvalidField,
  LineError,
  OrderSummary,
  ProvisionSubscriptionInput,
  PurchaseItem,
  ResolveItemsInput,
  ResolvedItem,
  SubscriptionCancellation,
  SubscriptionSummary,
} from '../../workflows/purchase/types';
import type { WorkerSettings } from '../../workflows/common/settings';
import { ALREADY_SUBMITTED_CODE, matchCartOrders } from './checkout-recovery';
import { createPrerequisiteActivities } from './prerequisites';
import { notYet, toActivityFailure } from '../common/failures';
import { runCorrelationId, stableRequestId } from '../common/request-ids';

export interface PurchaseActivityDeps {
  partnerCenter: PartnerCenterClient;
  catalog: CatalogResolver;
  tokenMode: TokenMode;
  settings: {
    orderPollIntervalMs: number;
    orderPollMaxIntervalMs?: number;
    orderVisibilityDeadlineMs: number;
    approvalTimeoutMs?: number;
    subscriptionChangeDeadlineMs?: number;
    pollTaskQueue?: string;
  };
}

/** How long a purchase waits in `awaiting-approval` unless the worker is configured otherwise. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 7 * 24 * 3600_000;

/** Order states after which no subscription will appear: the purchase cannot be provisioned. */
const FAILED_ORDER_STATUSES = new Set(['cancelled', 'error', 'po_review_rejected', 'suspended']);
/** Order states that are final enough to read subscription ids from. */
const SETTLED_ORDER_STATUSES = new Set(['completed', 'partial_success']);
/** Cart line error AttestationNotAccepted (reference §4.4): the offer needs `attestationAccepted`. */
const ATTESTATION_NOT_ACCEPTED = 10012;

export function createPurchaseActivities(deps: PurchaseActivityDeps) {
  const { partnerCenter: pc, catalog } = deps;
  /** Options for a call that changes something: stable MS-RequestId per logical call. */
  const mutating = (call: string) => ({
    requestId: stableRequestId(call),
    correlationId: runCorrelationId(),
    signal: cancellationSignal(),
  });
  /** Options for a read: a fresh MS-RequestId per attempt, so a poll never gets a replayed answer. */
  const reading = () => ({ correlationId: runCorrelationId(), signal: cancellationSignal() });

  /**
   * A checkout refused as already submitted (800065): an earlier attempt went through and its answer was lost.
   * The cart must say so; its orders are then read from the customer's order list, which lags behind (up to
   * 15 minutes), so until the visibility deadline a missing order is a "not yet" and the attempt is retried.
   */
  async function recoverSubmittedCheckout(input: CheckoutInput): Promise<CheckoutOutcome> {
    const cart = await pc.getCart(input.customerId, input.cartId, reading());
    if (cart.status !== 'ordered') {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.checkoutRejected,
        message: `Checkout of cart ${input.cartId} was refused as already submitted (${ALREADY_SUBMITTED_CODE}), yet the cart is ${cart.status ?? 'without a status'}`,
        details: [{ cartId: input.cartId, cartStatus: cart.status }],
        nonRetryable: true,
      });
    }
    const match = matchCartOrders(cart, await pc.listOrders(input.customerId, reading()));
    if (match.kind === 'ambiguous') {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.orderNotVisible,
        message:
          `Cart ${input.cartId} was ordered by an attempt whose answer was lost, and orders ${match.candidateOrderIds.join(', ')} created since ` +
          `all match its order group(s) ${match.orderGroups.join(', ')}: look up in Partner Center which belong to this purchase`,
        details: [{ cartId: input.cartId, ...match }],
        nonRetryable: true,
      });
    }
    // The list lags behind the submission, so wait from whichever is later: this checkout being scheduled, or the
    // cart being ordered (Partner Center's clock, never later than ours) — a worker outage in between costs no patience.
    const orderedAt = Date.parse(cart.lastModifiedTimestamp ?? ''); // NaN when absent or unreadable
    const waitingSince = Math.max(
      activityInfo().scheduledTimestampMs,
      Number.isNaN(orderedAt) ? 0 : Math.min(orderedAt, Date.now()),
    );
    const waited = Date.now() - waitingSince;
    if (match.missingGroups.length > 0 && waited < deps.settings.orderVisibilityDeadlineMs) {
      throw notYet(
        internalFailureTypes.orderNotYetVisible,
        `Cart ${input.cartId} was ordered (its checkout answer was lost); ${match.orders.length} of ${match.orders.length + match.missingGroups.length} orders are in the customer's order list yet`,
      );
    }
    if (match.orders.length === 0) {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.orderNotVisible,
        message: `Cart ${input.cartId} was ordered (its checkout answer was lost), but none of its orders reached the customer's order list within ${waited} ms`,
        details: [{ cartId: input.cartId }],
        nonRetryable: true,
      });
    }
    log.warn('Checkout answer lost; orders found in the order list', {
      cartId: input.cartId,
      orderIds: match.orders.map((o) => o.id),
      missingGroups: match.missingGroups,
    });
    return {
      orders: match.orders.map(toOrderSummary),
      orderErrors: match.missingGroups.map((orderGroupId) => ({
        orderGroupId,
        code: ALREADY_SUBMITTED_CODE,
        description: `no order of cart ${input.cartId} for this order group reached the customer's order list within ${waited} ms`,
      })),
    };
  }

  return {
    ...createPrerequisiteActivities({ partnerCenter: pc, tokenMode: deps.tokenMode, mutating, reading }),

    /**
     * Worker settings of every workflow, recorded in history so replays see the same values (the name predates
     * the other workflows and is in every recorded history, so it stays).
     */
    async getPurchaseSettings(): Promise<WorkerSettings> {
      const {
        orderPollIntervalMs,
        orderPollMaxIntervalMs,
        orderVisibilityDeadlineMs,
        approvalTimeoutMs,
        subscriptionChangeDeadlineMs,
        pollTaskQueue,
      } = deps.settings;
      return {
        orderPollIntervalMs,
        ...(orderPollMaxIntervalMs !== undefined ? { orderPollMaxIntervalMs } : {}),
        orderVisibilityDeadlineMs,
        approvalTimeoutMs: approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS,
        ...(subscriptionChangeDeadlineMs !== undefined ? { subscriptionChangeDeadlineMs } : {}),
        ...(pollTaskQueue !== undefined ? { pollTaskQueue } : {}),
      };
    },

    /** Binds every item to a purchasable availability; checks quantity bounds and currency. */
    async resolvePurchaseItems(input: ResolveItemsInput): Promise<ResolvedItem[]> {
      if (input.refresh) catalog.invalidate();
      const resolved: ResolvedItem[] = [];
      const quantityProblems: InvalidField[] = [];
      for (const [index, item] of input.items.entries()) {
        const offer = await resolveOffer(catalog, input, item, index, reading());
        const field = `items[${index}]`;
        if (offer.availability.isPurchasable === false) {
          throw ApplicationFailure.create({
            type: purchaseFailureTypes.offerNotPurchasable,
            message: `${field}: ${offer.catalogItemId} is not purchasable`,
            details: [{ item: index, catalogItemId: offer.catalogItemId }],
            nonRetryable: true,
          });
        }
        if (
          offer.term.duration !== item.termDuration ||
          (offer.term.billingCycle !== undefined && offer.term.billingCycle !== item.billingCycle)
        ) {
          throw ApplicationFailure.create({
            type: purchaseFailureTypes.offerNotPurchasable,
            message: `${field}: ${offer.catalogItemId} is not sold as ${item.termDuration} billed ${item.billingCycle}`,
            details: [{ item: index, catalogItemId: offer.catalogItemId }],
            nonRetryable: true,
          });
        }
        const attestation = offer.availability.sku?.attestationProperties ?? offer.sku.attestationProperties;
        const enforcedAttestation =
          attestation?.enforceAttestation === true ? attestationFieldOf(attestation) : undefined;
        if (enforcedAttestation !== undefined && item[enforcedAttestation] !== true) {
          throw attestationRequired(
            index,
            offer.catalogItemId,
            enforcedAttestation,
            attestationText(attestation ?? {}),
          );
        }
        const { minimumQuantity: min, maximumQuantity: max } = offer.sku;
        if ((min !== undefined && item.quantity < min) || (max !== undefined && item.quantity > max)) {
          quantityProblems.push({
            field: `${field}.quantity`,
            problem: `must be within ${min ?? 1}..${max ?? '∞'} for ${offer.catalogItemId}`,
          });
        }
        const offerCurrency = offer.availability.defaultCurrency?.code;
        if (
          input.currency !== undefined &&
          offerCurrency !== undefined &&
          offerCurrency.toUpperCase() !== input.currency
        ) {
          throw ApplicationFailure.create({
            type: purchaseFailureTypes.currencyMismatch,
            message: `${field}: ${offer.catalogItemId} is sold in ${offerCurrency}, not ${input.currency}`,
            details: [
              { item: index, catalogItemId: offer.catalogItemId, expected: input.currency, actual: offerCurrency },
            ],
            nonRetryable: true,
          });
        }
        resolved.push({
          ...toResolvedItem(index, item, offer.catalogItemId),
          ...(enforcedAttestation !== undefined ? { enforcedAttestation } : {}),
          ...addOnBasesOf(offer.sku),
        });
      }
      if (quantityProblems.length > 0) {
        throw invalidPurchaseRequest(quantityProblems);
      }
      return resolved;
    },

    /**
     * Creates the cart; lines Partner Center marks invalid are reported and removed (PUT without them) so
     * checkout buys the valid ones. All lines invalid → `CartRejected` with the Partner Center codes.
     */
    async createPurchaseCart(input: CreateCartInput): Promise<CartOutcome> {
      const lineItems = input.items.map(toCartLine);
      // The partner-of-record attestation is accepted for the whole cart (Cart.partnerOnRecordAttestationAccepted).
      const partnerOnRecord = input.items.some((i) => i.partnerOnRecordAttestationAccepted === true)
        ? { partnerOnRecordAttestationAccepted: true }
        : {};
      const itemOfLine = (id: number) => input.items[id]?.item ?? id;
      try {
        let cart = await pc.createCart(input.customerId, { lineItems, ...partnerOnRecord }, mutating('create-cart'));
        const lineErrors: LineError[] = [];
        for (const line of cart.lineItems) {
          if (line.error !== undefined) {
            lineErrors.push({
              item: itemOfLine(line.id),
              code: line.error.errorCode,
              description: withAddOnBases(
                line.error.errorDescription ?? 'invalid cart line',
                line.error.errorCode,
                input.items[line.id]?.addOnBases,
              ),
            });
          }
        }
        const unattested = lineErrors.find((e) => Number(e.code) === ATTESTATION_NOT_ACCEPTED);
        if (unattested !== undefined) {
          const item = input.items.find((i) => i.item === unattested.item);
          throw attestationRequired(
            unattested.item,
            item?.catalogItemId ?? '',
            item?.enforcedAttestation ?? 'attestationAccepted',
            unattested.description,
          );
        }
        if (lineErrors.length === lineItems.length) {
          throw everyLineRefused(lineErrors, cart.id);
        }
        if (lineErrors.length > 0) {
          const refused = new Set(cart.lineItems.filter((l) => l.error !== undefined).map((l) => l.id));
          cart = await pc.updateCart(
            input.customerId,
            cart.id,
            { lineItems: lineItems.filter((l) => !refused.has(l.id)), ...partnerOnRecord },
            mutating('drop-refused-lines'),
          );
        }
        return {
          cartId: cart.id,
          lines: cart.lineItems
            .filter((l) => l.error === undefined)
            .map((l) => ({
              item: itemOfLine(l.id),
              catalogItemId: l.catalogItemId,
              ...(l.orderGroup !== undefined ? { orderGroup: l.orderGroup } : {}),
            })),
          lineErrors,
        };
      } catch (err) {
        throw toActivityFailure(err, purchaseFailureTypes.cartRejected);
      }
    },

    /**
     * Checks the cart out. Retries (lost response, worker crash) send the same cart with the same
     * MS-RequestId; Partner Center answers a repeated checkout of an ordered cart with the first result.
     */
    async checkoutPurchaseCart(input: CheckoutInput): Promise<CheckoutOutcome> {
      try {
        const result = await pc.checkoutCart(input.customerId, input.cartId, mutating('checkout'));
        return {
          orders: result.orders.map(toOrderSummary),
          orderErrors: result.orderErrors.map((e) => ({
            orderGroupId: e.orderGroupId,
            code: e.code,
            description: e.description ?? 'order group failed',
          })),
        };
      } catch (err) {
        if (!isPartnerCenterError(err) || Number(err.code) !== ALREADY_SUBMITTED_CODE)
          throw toActivityFailure(err, purchaseFailureTypes.checkoutRejected);
      }
      try {
        return await recoverSubmittedCheckout(input);
      } catch (err) {
        throw toActivityFailure(err, purchaseFailureTypes.checkoutRejected);
      }
    },

    /** One poll: the order by id (the customer's order list lags), done once settled with subscription ids. */
    async awaitOrderCompletion(input: AwaitOrderInput): Promise<OrderSummary> {
      let order: Order;
      try {
        order = await pc.getOrder(input.customerId, input.orderId, reading());
      } catch (err) {
        if (isPartnerCenterError(err) && err.kind === 'not-found') {
          throw notYet(internalFailureTypes.orderNotYetVisible, `Order ${input.orderId} is not visible yet`);
        }
        throw toActivityFailure(err, purchaseFailureTypes.provisioningFailed);
      }
      if (FAILED_ORDER_STATUSES.has(order.status)) {
        throw ApplicationFailure.create({
          type: purchaseFailureTypes.provisioningFailed,
          message: `Order ${order.id} ended ${order.status}`,
          details: [{ orderId: order.id, status: order.status }],
          nonRetryable: true,
        });
      }
      const settled = SETTLED_ORDER_STATUSES.has(order.status);
      if (!settled || (order.status === 'completed' && order.lineItems.some((l) => l.subscriptionId === undefined))) {
        throw notYet(internalFailureTypes.orderPending, `Order ${order.id} is ${order.status}`);
      }
      return toOrderSummary(order);
    },

    /**
     * One poll: the subscription is active (and, with App+User tokens, provisioned); then asked-for
     * auto-renew and friendly name are applied with a full-body PATCH.
     */
    async provisionSubscription(input: ProvisionSubscriptionInput): Promise<SubscriptionSummary> {
      try {
        let subscription = await readSubscriptionWhenReady(pc, input.customerId, input.subscriptionId, reading());
        if (subscription.status !== 'active') {
          throw ApplicationFailure.create({
            type: purchaseFailureTypes.provisioningFailed,
            message: `Subscription ${subscription.id} is ${subscription.status}`,
            details: [{ subscriptionId: subscription.id, status: subscription.status }],
            nonRetryable: true,
          });
        }
        if (deps.tokenMode === 'app+user') {
          const provisioning = await pc.getSubscriptionProvisioningStatus(
            input.customerId,
            input.subscriptionId,
            reading(),
          );
          if (provisioning.status === 'failed') {
            throw ApplicationFailure.create({
              type: purchaseFailureTypes.provisioningFailed,
              message: `Provisioning of subscription ${subscription.id} failed`,
              details: [{ subscriptionId: subscription.id, provisioningStatus: provisioning.status }],
              nonRetryable: true,
            });
          }
          if (provisioning.status !== 'success') {
            throw notYet(
              internalFailureTypes.subscriptionNotReady,
              `Subscription ${subscription.id} provisioning is ${provisioning.status}`,
            );
          }
        }
        const wantsName = input.friendlyName !== undefined && input.friendlyName !== subscription.friendlyName;
        if (subscription.autoRenewEnabled !== input.autoRenew || wantsName) {
          const changed = {
            ...subscription,
            autoRenewEnabled: input.autoRenew,
            ...(wantsName ? { friendlyName: input.friendlyName } : {}),
          };
          const update = await pc.updateSubscription(input.customerId, changed, {
            ...mutating('apply-settings'),
            ...etagOf(subscription),
          });
          if (update.kind === 'accepted') {
            throw notYet(
              internalFailureTypes.subscriptionNotReady,
              `Change of subscription ${subscription.id} accepted, waiting for it to apply`,
            );
          }
          subscription = update.subscription;
        }
        return toSubscriptionSummary(subscription);
      } catch (err) {
        throw toActivityFailure(err, purchaseFailureTypes.provisioningFailed);
      }
    },

    /**
     * Cancels a subscription this purchase bought (full-body PATCH `status: deleted`). Partner Center
     * decides the 168-hour window; its refusal is reported, not thrown, so the other subscriptions proceed.
     */
    async cancelPurchasedSubscription(
      input: CancelSubscriptionInput,
    ): Promise<{ cancellation: SubscriptionCancellation; subscription: SubscriptionSummary }> {
      try {
        const subscription = await pc.getSubscription(input.customerId, input.subscriptionId, reading());
        const window = subscription.cancellationAllowedUntilDate;
        if (subscription.status === 'deleted') {
          return {
            cancellation: { subscriptionId: subscription.id, outcome: 'cancelled', detail: 'already cancelled' },
            subscription: toSubscriptionSummary(subscription),
          };
        }
        try {
          const update = await pc.updateSubscription(
            input.customerId,
            { ...subscription, status: 'deleted' },
            { ...mutating('cancel'), ...etagOf(subscription) },
          );
          const after = update.kind === 'updated' ? update.subscription : { ...subscription, status: 'deleted' };
          const refund = refundDescription(subscription);
          return {
            cancellation: {
              subscriptionId: subscription.id,
              outcome: 'cancelled',
              detail: `cancelled${window !== undefined ? ` within the window (allowed until ${window})` : ''}${refund}`,
            },
            subscription: toSubscriptionSummary(after),
          };
        } catch (err) {
          // A refused credential ends the purchase (Unauthorized, MfaRequired); only Partner Center's refusal of this cancel is reported.
          if (!isPartnerCenterError(err) || err.retryable || err.kind === 'unauthorized' || err.kind === 'mfa-required')
            throw err;
          return {
            cancellation: {
              subscriptionId: subscription.id,
              outcome: 'not-cancelled',
              detail: `Partner Center refused: ${err.code ?? err.status ?? ''} ${err.description}`.trim(),
            },
            subscription: toSubscriptionSummary(subscription),
          };
        }
      } catch (err) {
        throw toActivityFailure(err, purchaseFailureTypes.provisioningFailed);
      }
    },
  };
}

async function resolveOffer(
  catalog: CatalogResolver,
  input: ResolveItemsInput,
  item: PurchaseItem,
  index: number,
  options: { correlationId: string; signal: AbortSignal },
): Promise<ResolvedOffer> {
  const { country, segment } = input;
  const { termDuration, billingCycle } = item;
  const { catalogItemId } = item.offer;
  try {
    if (catalogItemId !== undefined && !input.refresh) {
      return await catalog.getByCatalogItemId(catalogItemId, { country, segment, termDuration, billingCycle }, options);
    }
    // A stale catalog item id keeps its product and SKU; the availability is chosen again by term and billing.
    const [productId, skuId] =
      catalogItemId !== undefined ? catalogItemId.split(':') : [item.offer.productId, item.offer.skuId];
    return await catalog.resolve(
      { productId: productId ?? '', skuId: skuId ?? '', termDuration, billingCycle, country, segment },
      options,
    );
  } catch (err) {
    const field = `items[${index}]`;
    const wanted = catalogItemId ?? `${item.offer.productId}:${item.offer.skuId} (${termDuration}, ${billingCycle})`;
    const details = [{ item: index, offer: item.offer }];
    if (err instanceof CatalogResolutionError && err.reason === 'ambiguous') {
      const problems = [
        {
          field: `${field}.offer`,
          problem: `matches several availabilities, name one by catalogItemId (${err.description})`,
        },
      ];
      throw invalidPurchaseRequest(problems);
    }
    if (err instanceof CatalogResolutionError && err.reason === 'not-purchasable') {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.offerNotPurchasable,
        message: `${field}: ${err.description}`,
        details,
        nonRetryable: true,
      });
    }
    if (
      (err instanceof CatalogResolutionError && err.reason === 'not-found') ||
      (isPartnerCenterError(err) && err.kind === 'not-found')
    ) {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.catalogItemNotFound,
        message: `${field}: ${wanted} is not in the ${country} ${segment} catalog: ${err.description}`,
        details,
        nonRetryable: true,
      });
    }
    throw toActivityFailure(err, purchaseFailureTypes.offerNotPurchasable);
  }
}

/** Subscriptions appear a little after their order completes: not found / pending are "not yet". */
async function readSubscriptionWhenReady(
  pc: PartnerCenterClient,
  customerId: string,
  subscriptionId: string,
  options: { correlationId: string; signal: AbortSignal },
): Promise<Subscription> {
  let subscription: Subscription;
  try {
    subscription = await pc.getSubscription(customerId, subscriptionId, options);
  } catch (err) {
    if (isPartnerCenterError(err) && err.kind === 'not-found') {
      throw notYet(internalFailureTypes.subscriptionNotReady, `Subscription ${subscriptionId} is not visible yet`);
    }
    throw err;
  }
  if (subscription.status === 'pending' || subscription.status === 'none') {
    throw notYet(internalFailureTypes.subscriptionNotReady, `Subscription ${subscriptionId} is ${subscription.status}`);
  }
  return subscription;
}

function etagOf(subscription: Subscription): { etag?: string } {
  const etag = subscription.attributes?.etag;
  return etag === undefined ? {} : { etag };
}

function refundDescription(subscription: Subscription): string {
  const options = subscription.refundOptions ?? [];
  if (options.length === 0) return '';
  return `; refund options: ${options.map((o) => `${o.type}${o.expiresAt !== undefined ? ` until ${o.expiresAt}` : ''}`).join(', ')}`;
}

function toResolvedItem(index: number, item: PurchaseItem, catalogItemId: string): ResolvedItem {
  return {
    item: index,
    catalogItemId,
    quantity: item.quantity,
    termDuration: item.termDuration,
    billingCycle: item.billingCycle,
    autoRenew: item.autoRenew,
    ...(item.friendlyName !== undefined ? { friendlyName: item.friendlyName } : {}),
    ...(item.promotionId !== undefined ? { promotionId: item.promotionId } : {}),
    ...(item.attestationAccepted !== undefined ? { attestationAccepted: item.attestationAccepted } : {}),
    ...(item.partnerOnRecordAttestationAccepted !== undefined
      ? { partnerOnRecordAttestationAccepted: item.partnerOnRecordAttestationAccepted }
      : {}),
    ...(item.customTermEndDate !== undefined ? { customTermEndDate: item.customTermEndDate } : {}),
    ...(item.alignWith !== undefined ? { alignWith: item.alignWith } : {}),
    ...(item.provisioningContext !== undefined ? { provisioningContext: item.provisioningContext } : {}),
  };
}

/**
 * Cart line errors of an add-on whose base is missing or too small (reference §4.3–4.4, 2026 "Add-ons"). 10019
 * (fewer seats than the add-on's minimum) is not about the base: Partner Center's words say how many are needed.
 */
const ADD_ON_BASE_CODES = new Set([400041, 10018]);

/** An add-on SKU's base products, from its dynamic attributes (their keys may change: read leniently). */
function addOnBasesOf(sku: { dynamicAttributes?: Record<string, unknown> }): { addOnBases?: string[] } {
  const attributes = sku.dynamicAttributes ?? {};
  const bases = attributes.prerequisiteSkus;
  if (attributes.isAddon !== true && attributes.isAddon !== 'true') return {};
  return Array.isArray(bases) && bases.length > 0 ? { addOnBases: bases.map(String) } : {};
}

/** An add-on's line error says which base products it needs, whatever Partner Center's wording. */
export function withAddOnBases(description: string, code: number | string, bases: string[] | undefined): string {
  if (!ADD_ON_BASE_CODES.has(Number(code)) || bases === undefined || bases.every((b) => description.includes(b)))
    return description;
  return `${description} (the add-on needs one of the base products ${bases.join(', ')}, owned or in the same cart, with at least as many seats)`;
}

/** The attestation type Partner Center gives the partner-of-record attestation (docs/sandbox.md, Attestation). */
const PARTNER_ON_RECORD = 'partneronrecord';

/** Which item field accepts an enforced attestation: the partner-of-record one by its type, else the customer's. */
function attestationFieldOf(attestation: { attestationType?: string }): AttestationField {
  return attestation.attestationType?.toLowerCase() === PARTNER_ON_RECORD
    ? 'partnerOnRecordAttestationAccepted'
    : 'attestationAccepted';
}

/** `AttestationRequired`, naming the item, which attestation, and what must be attested to. */
function attestationRequired(
  item: number,
  catalogItemId: string,
  field: AttestationField,
  text: string,
): ApplicationFailure {
  const who = field === 'attestationAccepted' ? 'the customer attests' : 'you attest as its partner of record';
  return ApplicationFailure.create({
    type: purchaseFailureTypes.attestationRequired,
    message: `items[${item}]: ${catalogItemId} requires ${field === 'attestationAccepted' ? 'an attestation' : 'the partner-of-record attestation'} before it can be bought; set ${field}: true once ${who}: "${text}"`,
    details: [{ item, catalogItemId, field, attestation: text }],
    nonRetryable: true,
  });
}

/** The attestation's text where Partner Center gives one, else its type. */
function attestationText(attestation: { attestationType?: string; [key: string]: unknown }): string {
  const text = attestation.attestationText ?? attestation.text ?? attestation.description;
  return typeof text === 'string' && text.trim() !== ''
    ? text
    : (attestation.attestationType ?? 'attestation required');
}

/** Cart line ids are positions in the activity's item list (Partner Center lets the client choose them). */
function toCartLine(item: ResolvedItem, position: number): CartLineItemInput {
  return {
    id: position,
    catalogItemId: item.catalogItemId,
    quantity: item.quantity,
    termDuration: item.termDuration,
    billingCycle: item.billingCycle,
    ...(item.friendlyName !== undefined ? { friendlyName: item.friendlyName } : {}),
    ...(item.promotionId !== undefined ? { promotionId: item.promotionId } : {}),
    ...(item.attestationAccepted !== undefined ? { attestationAccepted: item.attestationAccepted } : {}),
    ...(item.customTermEndDate !== undefined ? { customTermEndDate: item.customTermEndDate } : {}),
    ...(item.provisioningContext !== undefined ? { provisioningContext: item.provisioningContext } : {}),
  };
}

function toOrderSummary(order: Order): OrderSummary {
  return {
    orderId: order.id,
    status: order.status,
    lineItems: order.lineItems.map((l) => ({
      lineItemNumber: l.lineItemNumber,
      catalogItemId: l.offerId,
      quantity: l.quantity,
      ...(l.subscriptionId !== undefined ? { subscriptionId: l.subscriptionId } : {}),
    })),
  };
}

function toSubscriptionSummary(s: Subscription): SubscriptionSummary {
  return {
    id: s.id,
    catalogItemId: s.offerId,
    quantity: s.quantity,
    status: s.status,
    termDuration: s.termDuration ?? '',
    billingCycle: s.billingCycle ?? '',
    autoRenewEnabled: s.autoRenewEnabled ?? false,
    ...(s.commitmentEndDate !== undefined ? { commitmentEndDate: s.commitmentEndDate } : {}),
    ...(s.cancellationAllowedUntilDate !== undefined
      ? { cancellationAllowedUntilDate: s.cancellationAllowedUntilDate }
      : {}),
    ...(s.isTrial === true ? { isTrial: true as const } : {}),
  };
}
