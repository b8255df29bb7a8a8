import { bindActivities } from '../common/bind-activities';
import { checkAddOnBases } from './add-on-bases';
import { checkCustomerAgreement, confirmCustomerAgreement } from './agreement';
import { createPurchaseCart } from './cart';
import { checkoutPurchaseCart } from './checkout';
import type { PurchaseActivityDeps } from './deps';
import { awaitOrderCompletion } from './order';
import { checkPurchasePromotions } from './promotions';
import { resolvePurchaseItems } from './resolve-items';
import { getPurchaseSettings } from './settings';
import { cancelPurchasedSubscription, provisionSubscription } from './subscriptions';
import { resolveCustomTermEndDates } from './term-end-dates';

export type { PurchaseActivityDeps } from './deps';

/** Activities of `purchase`, each in the file of its step, bound to the worker's Partner Center client and catalog. */
export function createPurchaseActivities(deps: PurchaseActivityDeps) {
  return bindActivities(deps, {
    // The checks a new-commerce purchase must pass before its cart is created (docs/sandbox.md, Purchase
    // prerequisites): reads only, except the agreement confirmation, which the workflow schedules once, right before the cart.
    checkCustomerAgreement,
    confirmCustomerAgreement,
    checkPurchasePromotions,
    checkAddOnBases,
    resolveCustomTermEndDates,

    getPurchaseSettings,
    resolvePurchaseItems,
    createPurchaseCart,
    checkoutPurchaseCart,
    awaitOrderCompletion,
    provisionSubscription,
    cancelPurchasedSubscription,
  });
}
