import { sleep } from '@temporalio/workflow';

/** A `purchaseSubscription` whose first command changed (a timer): replaying real histories on it must fail. */
export async function purchaseSubscription(): Promise<void> {
  await sleep('1s');
}
