import type { WorkerSettings } from '../../workflows/common/settings';
import type { PurchaseActivityDeps } from './deps';

/** How long a purchase waits in `awaiting-approval` unless the worker is configured otherwise. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 7 * 24 * 3600_000;

/**
 * Worker settings of every workflow, recorded in history so replays see the same values (the name predates
 * the other workflows and is in every recorded history, so it stays).
 */
export async function getPurchaseSettings(deps: Pick<PurchaseActivityDeps, 'settings'>): Promise<WorkerSettings> {
  const {
    orderPollIntervalMs,
    orderPollMaxIntervalMs,
    orderVisibilityDeadlineMs,
    approvalTimeoutMs,
    subscriptionChangeDeadlineMs,
    renewalReviewLeadMs,
    relationshipAcceptTimeoutMs,
    gdapApprovalTimeoutMs,
    licenceVisibilityDeadlineMs,
  } = deps.settings;
  return {
    orderPollIntervalMs,
    ...(orderPollMaxIntervalMs !== undefined ? { orderPollMaxIntervalMs } : {}),
    orderVisibilityDeadlineMs,
    approvalTimeoutMs: approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS,
    ...(subscriptionChangeDeadlineMs !== undefined ? { subscriptionChangeDeadlineMs } : {}),
    ...(renewalReviewLeadMs !== undefined ? { renewalReviewLeadMs } : {}),
    ...(relationshipAcceptTimeoutMs !== undefined ? { relationshipAcceptTimeoutMs } : {}),
    ...(gdapApprovalTimeoutMs !== undefined ? { gdapApprovalTimeoutMs } : {}),
    ...(licenceVisibilityDeadlineMs !== undefined ? { licenceVisibilityDeadlineMs } : {}),
  };
}
