import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, patched, startChild } from '@temporalio/workflow';
import { taskPriority } from '../common/priority';
import { lifecycleWorkflowId } from '../subscription/ids';
import type { subscriptionLifecycle } from '../subscription/lifecycle';
import type { SubscriptionSummary } from './types';

/** Purchases completed since start a lifecycle per subscription they bought; the ones recorded before do not. */
const LIFECYCLES_PATCH = 'purchase-starts-lifecycles';

/**
 * Contract §3: every subscription a purchase bought gets its lifecycle, started as an abandoned child (it lives on
 * after the purchase ends; the purchase waits only for the start). One already running (adopted, or started by a
 * Partner Center event) is left as it is.
 */
export async function startLifecycles(
  customerId: string,
  subscriptions: readonly SubscriptionSummary[],
): Promise<void> {
  if (subscriptions.length === 0 || !patched(LIFECYCLES_PATCH)) return;
  await Promise.all(
    subscriptions.map(async ({ id, catalogItemId, quantity }) => {
      try {
        await startChild<typeof subscriptionLifecycle>('subscriptionLifecycle', {
          workflowId: lifecycleWorkflowId(id),
          args: [{ customerId, subscriptionId: id }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          priority: taskPriority('background', customerId),
          staticSummary: `Lifecycle of subscription ${id} (${catalogItemId}, ${quantity} seats)`,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }),
  );
}
