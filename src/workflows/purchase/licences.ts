import { executeChild, isCancellation, patched, ParentClosePolicy } from '@temporalio/workflow';
import { applicationCause } from '../common/activity-failures';
import { taskPriority } from '../common/priority';
import { licenceWorkflowId, purchaseLicenceRequestId } from '../licence/ids';
import type { assignLicences } from '../licence/workflow';
import type { LicenceUserResult } from '../licence/types';
import type { PurchaseResult, ResolvedItem, ValidPurchaseRequest } from './types';

/** Purchases with `assignTo` started since assign the licences; histories recorded before never reach this. */
const LICENCES_PATCH = 'purchase-assigns-licences';

/**
 * Contract §3 (v3): for each item with `assignTo`, once its subscription is provisioned, an `assignLicences` child
 * (`licences-{requestId}-{item}`) gives those users its licences; the purchase waits for them and reports each user.
 * A child that fails (the licences never showed in the tenant, no GDAP role) does not undo what was bought: each of
 * its users is reported `noLicenceAvailable` with the failure, so a partial assignment is never silent.
 */
export async function assignPurchasedLicences(
  request: ValidPurchaseRequest,
  bought: ReadonlyArray<{ subscriptionId: string; item?: ResolvedItem }>,
): Promise<PurchaseResult['licences']> {
  const wanted = bought.flatMap(({ subscriptionId, item }) => {
    const users = item === undefined ? undefined : request.items[item.item]?.assignTo;
    return item !== undefined && users !== undefined ? [{ item: item.item, subscriptionId, users }] : [];
  });
  if (wanted.length === 0 || !patched(LICENCES_PATCH)) return undefined;
  return Promise.all(
    wanted.map(async ({ item, subscriptionId, users }) => ({
      item,
      subscriptionId,
      users: await assignItem(request, item, subscriptionId, users),
    })),
  );
}

async function assignItem(
  request: ValidPurchaseRequest,
  item: number,
  subscriptionId: string,
  users: string[],
): Promise<LicenceUserResult[]> {
  const requestId = purchaseLicenceRequestId(request.requestId, item);
  try {
    const result = await executeChild<typeof assignLicences>('assignLicences', {
      workflowId: licenceWorkflowId(requestId),
      args: [{ requestId, customerId: request.customerId, subscriptionId, assign: users }],
      // The purchase owns it: cancelled with the purchase, never left running on its own.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      priority: taskPriority('batch', request.customerId),
      staticSummary: `Licences of item ${item} (subscription ${subscriptionId}) for ${users.length} user(s)`,
    });
    return result.users;
  } catch (err) {
    if (isCancellation(err)) throw err;
    // The child's own failure (LicencesNotVisible, Unauthorized…), or one already running under that id.
    const failure = applicationCause(err);
    const reason = failure !== undefined ? `${failure.type ?? 'Error'}: ${failure.message}` : String(err);
    const detail = `licence assignment ${licenceWorkflowId(requestId)} failed: ${reason}`;
    return users.map((user) => ({ user, outcome: 'noLicenceAvailable' as const, detail }));
  }
}
