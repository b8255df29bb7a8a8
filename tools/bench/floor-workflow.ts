import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { FloorActivities } from './floor';

/**
 * Temporal's own floor for a purchase: the same shape (three local activities: settings, validation, one after the
 * order; six activities: resolve, the customer's agreement, cart, checkout, order, subscription) with no work in any
 * of them, no search attributes, no details, no schemas. Bundled apart from the product's workflows.
 */
const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '10s' });
const calls = proxyActivities<FloorActivities>({ startToCloseTimeout: '1m' });

export async function temporalFloor(requestId: string): Promise<string> {
  await local.noOpLocal();
  await local.noOpLocal();
  for (let step = 0; step < 6; step++) await calls.noOp(step);
  await local.noOpLocal();
  return requestId;
}
