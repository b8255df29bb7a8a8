import { TemporalFailure, getExternalWorkflowHandle, log, patched, workflowInfo } from '@temporalio/workflow';
import { lifecycleWorkflowId } from './ids';
import { subscriptionChangedSignal } from './messages';

/** Changes completed since tell the subscription's lifecycle; the ones recorded before do not. */
const NOTICE_PATCH = 'change-notifies-lifecycle';

/**
 * A completed change tells the subscription's lifecycle, which re-reads it: an immediate change deletes every
 * scheduled change (Partner Center's rule), so a plan it had scheduled may be gone. Not a change the lifecycle
 * started itself (it re-reads after its child anyway). No lifecycle: nothing to tell.
 */
export async function noticeLifecycle(subscriptionId: string): Promise<void> {
  const lifecycleId = lifecycleWorkflowId(subscriptionId);
  if (workflowInfo().parent?.workflowId === lifecycleId || !patched(NOTICE_PATCH)) return;
  try {
    await getExternalWorkflowHandle(lifecycleId).signal(subscriptionChangedSignal, { source: 'changeSubscription' });
  } catch (err) {
    if (!(err instanceof TemporalFailure)) throw err;
    log.info('no lifecycle to tell of the change', { lifecycleId, reason: err.message });
  }
}
