/** Every workflow of the worker (bundled through `require.resolve('./workflows')`). */
export { purchaseSubscription } from './purchase';
export { changeSubscription } from './change-subscription';
export { reconcileBilling } from './reconcile-billing';
