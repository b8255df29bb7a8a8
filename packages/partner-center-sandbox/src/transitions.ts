import { z } from 'zod';
import type { TransitionEventShape } from './api-policy';
import { recordCharge } from './billing';
import {
  billingCyclesFor,
  catalogItemId,
  CATALOG_PRODUCTS,
  TERM_MONTHS,
  unitPrice,
  type BillingCycle,
  type CatalogAvailability,
  type CatalogSku,
} from './catalog';
import { isoTimestamp } from './clock';
import { ApiError, badRequest } from './errors';
import { looseEnum } from './http';
import { CANCELLATION_WINDOW_MS, createOrderedSubscription, refundFraction } from './lifecycle';
import type { Delays, Subscription, Transition, World } from './state';

/**
 * New-commerce transitions (partner-center-api.md §6.9–6.10): upgrades of a paid subscription and the
 * conversion of a trial into paid, both through `transitionEligibilities` and `transitions`. A transition
 * is asynchronous: its events start `Started` and turn `Completed` (or `Failed`) after the order
 * completion delay, when the seats move. The choices the documentation leaves open are in docs/sandbox.md.
 */

export const TRANSITION_TYPES = ['transition_only', 'transition_with_license_transfer'] as const;
export type EligibilityType = 'immediate' | 'scheduled';

const BUSINESS_BASIC = 'CFQ7TTC0LH18:0001';
const BUSINESS_STANDARD = 'CFQ7TTC0LDPB:0001';
const BUSINESS_PREMIUM = 'CFQ7TTC0LCHC:0002';
const OFFICE_E1 = 'CFQ7TTC0LF8Q:0001';
const OFFICE_E3 = 'CFQ7TTC0LF8R:0001';
const M365_E3 = 'CFQ7TTC0LFLX:0002';
const M365_E5 = 'CFQ7TTC0LFLZ:0002';

/** "PRODUCT:SKU" → the paid SKUs it can be upgraded to (the SKU's `upgradeTargetOffers`). */
export const UPGRADE_TARGETS: Readonly<Record<string, readonly string[]>> = {
  [BUSINESS_BASIC]: [BUSINESS_STANDARD, BUSINESS_PREMIUM],
  [BUSINESS_STANDARD]: [BUSINESS_PREMIUM],
  [OFFICE_E1]: [OFFICE_E3, M365_E3],
  [OFFICE_E3]: [M365_E3, M365_E5],
  [M365_E3]: [M365_E5],
};

/**
 * Why a transition is refused. Target-subscription codes 1–4 are documented; the source-side codes
 * (5–8) are the sandbox's own (docs/sandbox.md).
 */
export const ELIGIBILITY_ERRORS = {
  targetNotActive: { code: 1, description: 'The target subscription is not active.' },
  targetInCancellationWindow: { code: 2, description: 'The target subscription is within its cancellation window.' },
  targetShorterTerm: { code: 3, description: "The target subscription's term is shorter than the source's." },
  targetEarlierEnd: { code: 4, description: "The target subscription ends before the source's term end." },
  sourceNotActive: { code: 5, description: 'The subscription is not active.' },
  transitionInProgress: { code: 6, description: 'A transition of this subscription is in progress.' },
  autoRenewOff: { code: 7, description: 'A scheduled transition applies at renewal: auto-renew must be on.' },
  shorterTerm: { code: 8, description: "An immediate transition cannot shorten the subscription's term." },
} as const;
type EligibilityError = (typeof ELIGIBILITY_ERRORS)[keyof typeof ELIGIBILITY_ERRORS];

export interface TargetEligibility {
  availability: CatalogAvailability;
  errors: EligibilityError[];
  subscriptions: Array<{ subscription: Subscription; errors: EligibilityError[] }>;
}

/** The paid SKUs a subscription can move to: a trial to its own paid SKU and that SKU's upgrades. */
function targetSkus(s: Subscription): Array<{ productId: string; sku: CatalogSku }> {
  const product = CATALOG_PRODUCTS.find((p) => p.id === s.productId);
  const paid = s.isTrial ? product?.skus.find((k) => !k.isTrial) : undefined;
  const keys = [
    ...(paid ? [`${s.productId}:${paid.id}`] : []),
    ...(UPGRADE_TARGETS[`${s.productId}:${paid?.id ?? s.skuId}`] ?? []),
  ];
  return keys.flatMap((key) => {
    const [productId, skuId] = key.split(':');
    const sku = CATALOG_PRODUCTS.find((p) => p.id === productId)?.skus.find((k) => k.id === skuId);
    return sku ? [{ productId, sku }] : [];
  });
}

/** Every target of `s` with the reasons it is refused (none: eligible), for one eligibility type. */
export function eligibilities(world: World, s: Subscription, type: EligibilityType, now: number): TargetEligibility[] {
  const country = world.customers.get(s.customerId)?.country ?? 'US';
  const sourceErrors: EligibilityError[] = [];
  if (s.status !== 'active') sourceErrors.push(ELIGIBILITY_ERRORS.sourceNotActive);
  if (inProgress(world, s.id, now)) sourceErrors.push(ELIGIBILITY_ERRORS.transitionInProgress);
  if (type === 'scheduled' && !s.autoRenewEnabled) sourceErrors.push(ELIGIBILITY_ERRORS.autoRenewOff);
  return targetSkus(s).flatMap(({ productId, sku }) =>
    world.catalog.availabilitiesFor(productId, sku.id, country, 'commercial').map((availability) => {
      const shorter = !s.isTrial && TERM_MONTHS[availability.termDuration] < TERM_MONTHS[s.termDuration];
      const errors = [...sourceErrors, ...(type === 'immediate' && shorter ? [ELIGIBILITY_ERRORS.shorterTerm] : [])];
      // Scheduled transitions (and conversions) cannot go into an existing subscription (§6.9).
      const subscriptions =
        type === 'scheduled'
          ? []
          : [...world.subscriptions.values()]
              .filter(
                (t) =>
                  t.customerId === s.customerId &&
                  t.id !== s.id &&
                  !t.isTrial &&
                  t.productId === productId &&
                  t.skuId === sku.id &&
                  t.status !== 'deleted',
              )
              .map((t) => ({ subscription: t, errors: targetSubscriptionErrors(s, t, now) }));
      return { availability, errors, subscriptions };
    }),
  );
}

function targetSubscriptionErrors(source: Subscription, target: Subscription, now: number): EligibilityError[] {
  return [
    ...(target.status !== 'active' ? [ELIGIBILITY_ERRORS.targetNotActive] : []),
    ...(now <= target.cancellationAllowedUntil ? [ELIGIBILITY_ERRORS.targetInCancellationWindow] : []),
    ...(TERM_MONTHS[target.termDuration] < TERM_MONTHS[source.termDuration]
      ? [ELIGIBILITY_ERRORS.targetShorterTerm]
      : []),
    ...(target.commitmentEnd < source.commitmentEnd ? [ELIGIBILITY_ERRORS.targetEarlierEnd] : []),
  ];
}

function inProgress(world: World, subscriptionId: string, now: number): boolean {
  return [...world.transitions.values()].some((t) => t.fromSubscriptionId === subscriptionId && t.completesAt > now);
}

export function eligibilityJson(s: Subscription, target: TargetEligibility): Record<string, unknown> {
  const { availability } = target;
  const errors = target.errors.map((e) => ({ ...e }));
  return {
    catalogItemId: catalogItemId(availability),
    title: availability.sku.title,
    description: availability.sku.description,
    quantity: s.quantity,
    // Not in the documented shape: the term of the target availability, so a caller needs no catalog read.
    termDuration: availability.termDuration,
    eligibilities: TRANSITION_TYPES.map((transitionType) => ({
      isEligible: errors.length === 0,
      transitionType,
      errors,
    })),
    subscriptionEligibilities: target.subscriptions.map(({ subscription: t, errors: targetErrors }) => ({
      isEligible: targetErrors.length === 0,
      subscriptionId: t.id,
      subscriptionFriendlyName: t.friendlyName,
      subscriptionTermDuration: t.termDuration,
      subscriptionBillingCycle: t.billingCycle,
      errors: targetErrors.map((e) => ({ ...e })),
    })),
    attributes: { objectType: 'TransitionEligibility' },
  };
}

export const transitionInputSchema = z.looseObject({
  fromCatalogItemId: z.string().optional(),
  fromSubscriptionId: z.string().optional(),
  toCatalogItemId: z.string().min(1),
  toSubscriptionId: z.string().nullish(),
  quantity: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  termDuration: looseEnum(['P1M', 'P1Y', 'P3Y']).optional(),
  billingCycle: looseEnum(['monthly', 'annual', 'triennial']).optional(),
  transitionType: looseEnum(TRANSITION_TYPES),
  promotionId: z.string().optional(),
});

/** Not eligible (900258), too many or too few seats (900259), a target subscription that cannot take them (900260). */
const NOT_ELIGIBLE = 900258;
const BAD_QUANTITY = 900259;
const TARGET_NOT_ELIGIBLE = 900260;

type TransitionInput = z.infer<typeof transitionInputSchema>;

/** Checks a POST …/transitions against the immediate eligibilities and starts the transition. */
export function startTransition(
  world: World,
  s: Subscription,
  input: TransitionInput,
  now: number,
  delays: Delays,
): Transition {
  const target = eligibleTarget(world, s, input, now);
  checkTransitionQuantity(s, input);
  const { availability } = target;
  if (input.termDuration !== undefined && input.termDuration !== availability.termDuration)
    throw badRequest('termDuration', `must be ${availability.termDuration} for ${input.toCatalogItemId}`);
  const billingCycle = transitionBillingCycle(s, availability, input);
  if (input.toSubscriptionId) checkReceivingSubscription(s, target, input.toSubscriptionId);
  const transition: Transition = {
    id: world.random.guid(),
    customerId: s.customerId,
    fromSubscriptionId: s.id,
    fromCatalogItemId: `${s.productId}:${s.skuId}:${s.availabilityId}`,
    toCatalogItemId: catalogItemId(availability),
    ...(input.toSubscriptionId ? { toSubscriptionId: input.toSubscriptionId.toLowerCase() } : {}),
    quantity: input.quantity,
    transitionType: input.transitionType as Transition['transitionType'],
    termDuration: availability.termDuration,
    billingCycle,
    createdAt: now,
    completesAt: now + delays.orderCompletionMs,
    events: [
      { name: 'Conversion', status: 'Started', at: now },
      ...(input.transitionType === 'transition_with_license_transfer'
        ? [{ name: 'LicenseReassignment' as const, status: 'Started' as const, at: now }]
        : []),
    ],
  };
  world.transitions.set(transition.id, transition);
  return transition;
}

/** The immediate target the input names, refused (900258) when it is none or has eligibility errors. */
function eligibleTarget(world: World, s: Subscription, input: TransitionInput, now: number): TargetEligibility {
  const target = eligibilities(world, s, 'immediate', now).find(
    (t) => catalogItemId(t.availability).toUpperCase() === input.toCatalogItemId.toUpperCase(),
  );
  if (!target)
    throw new ApiError(
      400,
      NOT_ELIGIBLE,
      `${input.toCatalogItemId} is not a transition target of subscription ${s.id}.`,
    );
  if (target.errors.length > 0)
    throw new ApiError(
      400,
      NOT_ELIGIBLE,
      `Subscription ${s.id} is not eligible for a transition to ${input.toCatalogItemId}: ${target.errors.map((e) => e.description).join(' ')}`,
      {},
      target.errors.map((e) => ({ ...e })),
    );
  return target;
}

/** A paid subscription moves at most its seats; a trial converts at least all of them. */
function checkTransitionQuantity(s: Subscription, input: TransitionInput): void {
  if (input.quantity > s.quantity && !s.isTrial)
    throw new ApiError(
      400,
      BAD_QUANTITY,
      `Subscription ${s.id} has ${s.quantity} seats; ${input.quantity} cannot move.`,
    );
  if (s.isTrial && input.quantity < s.quantity)
    throw new ApiError(
      400,
      BAD_QUANTITY,
      `A trial converts at least its ${s.quantity} seats (asked ${input.quantity}).`,
    );
}

/** The billing cycle asked for, else the source's when the target offers it, else the target's first. */
function transitionBillingCycle(
  s: Subscription,
  availability: CatalogAvailability,
  input: TransitionInput,
): BillingCycle {
  const cycles = billingCyclesFor(availability.sku, availability.termDuration);
  const billingCycle: BillingCycle =
    (input.billingCycle as BillingCycle | undefined) ?? (cycles.includes(s.billingCycle) ? s.billingCycle : cycles[0]);
  if (!cycles.includes(billingCycle))
    throw new ApiError(
      400,
      900270,
      `The billing cycle ${billingCycle} is not valid for the term ${availability.termDuration}.`,
    );
  return billingCycle;
}

function checkReceivingSubscription(s: Subscription, target: TargetEligibility, toSubscriptionId: string): void {
  const into = target.subscriptions.find((t) => t.subscription.id === toSubscriptionId.toLowerCase());
  if (!into || into.errors.length > 0)
    throw new ApiError(
      400,
      TARGET_NOT_ELIGIBLE,
      `Subscription ${toSubscriptionId} cannot receive the seats of ${s.id}.`,
      {},
      (into?.errors ?? []).map((e) => ({ ...e })),
    );
}

/** Completes the transitions that are due: the seats leave the source and land in the target. */
export function settleTransitions(world: World, now: number, delays: Delays): void {
  for (const t of world.transitions.values()) {
    if (t.completesAt > now || t.events.every((e) => e.status !== 'Started')) continue;
    const source = world.subscriptions.get(t.fromSubscriptionId);
    // The source changed meanwhile (suspended, cancelled): nothing moves.
    const ok = source !== undefined && source.status === 'active' && (source.isTrial || source.quantity >= t.quantity);
    if (ok) moveSeats(world, t, source, delays);
    t.events = t.events.map((e) => ({ ...e, status: ok ? 'Completed' : 'Failed', at: t.completesAt }));
  }
}

function moveSeats(world: World, t: Transition, source: Subscription, delays: Delays): void {
  const at = t.completesAt;
  const existing = t.toSubscriptionId ? world.subscriptions.get(t.toSubscriptionId) : undefined;
  if (existing) {
    existing.quantity += t.quantity;
    existing.refundableBatches.push({ quantity: t.quantity, allowedUntil: at + CANCELLATION_WINDOW_MS });
    existing.etag = world.random.token(16);
    recordCharge(world, existing, 'addQuantity', t.quantity, at);
  } else {
    const [productId, skuId] = t.toCatalogItemId.split(':');
    const sku = CATALOG_PRODUCTS.find((p) => p.id === productId)?.skus.find((k) => k.id === skuId);
    const customer = world.customers.get(t.customerId);
    const created = createOrderedSubscription(world, at, delays, {
      customerId: t.customerId,
      currencyCode: source.currencyCode,
      line: {
        offerId: t.toCatalogItemId,
        quantity: t.quantity,
        termDuration: t.termDuration,
        billingCycle: t.billingCycle,
        friendlyName: source.friendlyName,
        unitPrice: sku && customer ? unitPrice(sku, customer.country, t.termDuration, t.billingCycle) : 0,
      },
    });
    t.toSubscriptionId = created.id;
  }
  const remaining = source.isTrial ? 0 : source.quantity - t.quantity;
  if (!source.isTrial) recordCharge(world, source, 'removeQuantity', -t.quantity, at, refundFraction(source, at));
  source.quantity = source.isTrial ? source.quantity : remaining;
  source.refundableBatches = source.refundableBatches.filter(() => remaining > 0);
  // Moving seats is an immediate change: it deletes every scheduled change of the source (partner-center-lifecycle.md).
  source.scheduledNextTerm = undefined;
  if (remaining === 0) {
    // A converted trial ends; a paid subscription with no seats left is cancelled, its remaining term credited.
    source.status = source.isTrial ? 'expired' : 'deleted';
    source.autoRenewEnabled = false;
  }
  source.etag = world.random.token(16);
}

/** The transition as the API answers it, its events in the policy's shape (api-policy.ts). */
export function transitionJson(t: Transition, shape: TransitionEventShape): Record<string, unknown> {
  return {
    id: t.id,
    fromCatalogItemId: t.fromCatalogItemId,
    toCatalogItemId: t.toCatalogItemId,
    fromSubscriptionId: t.fromSubscriptionId,
    ...(t.toSubscriptionId ? { toSubscriptionId: t.toSubscriptionId } : {}),
    quantity: t.quantity,
    termDuration: t.termDuration,
    billingCycle: t.billingCycle,
    transitionType: t.transitionType,
    creationDate: isoTimestamp(t.createdAt),
    events: transitionEvents(t, shape).map((e) => ({ name: e.name, status: e.status, timestamp: isoTimestamp(e.at) })),
    attributes: { objectType: 'Transition' },
  };
}

/** As a log, a step that ended keeps its `Started` event (at the transition's start) before the one that ended it. */
function transitionEvents(t: Transition, shape: TransitionEventShape): Transition['events'] {
  if (shape === 'state') return t.events;
  const ended = t.events.filter((e) => e.status !== 'Started');
  return [...t.events.map((e) => ({ name: e.name, status: 'Started' as const, at: t.createdAt })), ...ended];
}
