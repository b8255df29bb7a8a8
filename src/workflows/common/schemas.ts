import type * as BillingSchemas from '../billing/types';
import type * as CustomerSchemas from '../customer/types';
import type * as PurchaseSchemas from '../purchase/types';
import type * as LifecycleSchemas from '../subscription/lifecycle-types';
import type * as SubscriptionSchemas from '../subscription/types';

/**
 * The zod schemas, loaded the first time a run needs them. The SDK gives each workflow run its own copy of every
 * module the workflow code loads (reusable V8 context, one module cache per run), so a schema module imported at the
 * top of workflow code costs every run zod and all the schemas: ~3.5 MiB a cached run, and most of the CPU of a new
 * run's first task. A run needs them only to check an update's arguments and, replaying a history recorded before
 * validation was a local activity, to validate its input. Everything else the workflows import is free of zod
 * (test/unit/workflows/bundle-weight.test.ts keeps it so).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a static import would load the module with every run */
export const purchaseSchemas = (): typeof PurchaseSchemas => require('../purchase/types');
export const subscriptionSchemas = (): typeof SubscriptionSchemas => require('../subscription/types');
export const lifecycleSchemas = (): typeof LifecycleSchemas => require('../subscription/lifecycle-types');
export const billingSchemas = (): typeof BillingSchemas => require('../billing/types');
export const customerSchemas = (): typeof CustomerSchemas => require('../customer/types');
/* eslint-enable @typescript-eslint/no-require-imports */
