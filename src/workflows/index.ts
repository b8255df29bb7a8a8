/** Every workflow of the worker (bundled through `require.resolve('./workflows')`). */
export { purchaseSubscription } from './purchase/workflow';
export { quotePurchase } from './purchase/quote';
export { changeSubscription } from './subscription/workflow';
export { subscriptionLifecycle } from './subscription/lifecycle';
export { reconcileBilling } from './billing/workflow';
export { deliverWebhookEvent } from './common/webhook-workflow';
export { partnerCenterEvent } from './events/workflow';
export { onboardCustomer } from './customer/workflow';
export { auditBackfill } from './events/backfill';
export { assignLicences } from './licence/workflow';
