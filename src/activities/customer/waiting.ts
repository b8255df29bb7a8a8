import { Context } from '@temporalio/activity';
import { PcCustomerId, PcGdapRelationshipId } from '../../workflows/common/search-attributes';

/**
 * The running onboardings a Partner Center event concerns, found by their search attributes through the worker's own
 * Temporal client: `PcCustomerId` (the tenant that accepted the reseller relationship) or `PcGdapRelationshipId` (the
 * relationship the customer approved). Visibility lags a little behind a run's search attributes, so an event that
 * arrives right after the run reached its wait is looked for again for a few seconds; one still missed sees the
 * change at its next poll.
 */
export async function findWaitingOnboardings(
  _deps: unknown,
  input: { tenantId: string } | { relationshipId: string },
): Promise<string[]> {
  const [key, value] =
    'tenantId' in input ? [PcCustomerId.name, input.tenantId] : [PcGdapRelationshipId.name, input.relationshipId];
  const query = `WorkflowType = 'onboardCustomer' AND ExecutionStatus = 'Running' AND ${key} = '${value.replace(/'/g, '')}'`;
  const context = Context.current();
  for (const pauseMs of VISIBILITY_RETRY_PAUSES_MS) {
    if (pauseMs > 0) await context.sleep(pauseMs);
    context.heartbeat();
    const workflowIds: string[] = [];
    for await (const run of context.client.workflow.list({ query })) workflowIds.push(run.workflowId);
    if (workflowIds.length > 0) return workflowIds;
  }
  return [];
}

/** When nothing is found: look again after these pauses (4.5 s in all), the lag of a loaded visibility store. */
const VISIBILITY_RETRY_PAUSES_MS = [0, 500, 1_000, 3_000];
