import { createBillingActivities, type BillingActivityDeps } from './billing/activities';
import { createCustomerActivities, type CustomerActivityDeps } from './customer/activities';
import { withHeartbeats } from './common/heartbeat';
import { createValidationActivities } from './common/validation';
import { createEventActivities, type EventActivityDeps } from './events/activities';
import { createLicenceActivities, type LicenceActivityDeps } from './licence/activities';
import { createWebhookActivities, withWebhookSettings, type WebhookActivityDeps } from './common/webhooks';
import { createPriceActivities, type PriceActivityDeps } from './prices/activities';
import { createPurchaseActivities, type PurchaseActivityDeps } from './purchase/activities';
import { createSubscriptionActivities, type SubscriptionActivityDeps } from './subscription/activities';

/** What the worker builds from its configuration (src/worker.ts) and hands to the activities of every context. */
export type ActivityDeps = PurchaseActivityDeps &
  SubscriptionActivityDeps &
  BillingActivityDeps &
  WebhookActivityDeps &
  CustomerActivityDeps &
  EventActivityDeps &
  LicenceActivityDeps &
  PriceActivityDeps;

/**
 * Every activity of the worker, bound to its Partner Center client and catalog. The Partner Center calls heartbeat
 * while they run, so a dead worker's call is retried within the heartbeat timeout; not getPurchaseSettings (a local
 * activity cannot heartbeat, nor can the validation ones or the prices' answers from the caches) nor billing and the
 * licence batches (they heartbeat their own checkpoints, which an empty beat would erase).
 */
export function createActivities(deps: ActivityDeps) {
  const { getPurchaseSettings, ...purchaseCalls } = createPurchaseActivities(deps);
  const { assignLicenceBatch, ...licenceReads } = createLicenceActivities(deps);
  const { quoteFromCache, checkGuardCurrency, ...priceCalls } = createPriceActivities(deps);
  return {
    getPurchaseSettings: withWebhookSettings(getPurchaseSettings, deps),
    ...createValidationActivities(),
    ...withHeartbeats(purchaseCalls),
    ...withHeartbeats(priceCalls),
    quoteFromCache,
    checkGuardCurrency,
    ...withHeartbeats(createSubscriptionActivities(deps)),
    ...withHeartbeats(createCustomerActivities(deps)),
    ...createBillingActivities(deps),
    ...createWebhookActivities(deps),
    ...withHeartbeats(createEventActivities(deps)),
    ...withHeartbeats(licenceReads),
    assignLicenceBatch,
  };
}

/** Workflows proxy these (import type only: activity code never enters the workflow bundle). */
export type PurchaseActivities = ReturnType<typeof createPurchaseActivities>;
export type PriceActivities = ReturnType<typeof createPriceActivities>;
export type SubscriptionActivities = ReturnType<typeof createSubscriptionActivities>;
export type BillingActivities = ReturnType<typeof createBillingActivities>;
export type CustomerActivities = ReturnType<typeof createCustomerActivities>;
export type ValidationActivities = ReturnType<typeof createValidationActivities>;
export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
export type LicenceActivities = ReturnType<typeof createLicenceActivities>;
