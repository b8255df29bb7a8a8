import { Context } from '@temporalio/activity';
import { PcCustomerId, PcGdapRelationshipId } from '../../workflows/common/search-attributes';

/**
 * The running onboardings a Partner Center event concerns, found by their search attributes through the worker's own
 * Temporal client: `PcCustomerId` (the tenant that accepted the reseller relationship) or `PcGdapRelationshipId` (the
 * relationship the customer approved). Visibility lags a little behind a run: one that is missed still sees the
 * change at its next poll.
 */
export async function findWaitingOnboardings(
  _deps: unknown,
  input: { tenantId: string } | { relationshipId: string },
): Promise<string[]> {
  const [key, value] =
    'tenantId' in input ? [PcCustomerId.name, input.tenantId] : [PcGdapRelationshipId.name, input.relationshipId];
  const query = `WorkflowType = 'onboardCustomer' AND ExecutionStatus = 'Running' AND ${key} = '${value.replace(/'/g, '')}'`;
  const workflowIds: string[] = [];
  for await (const run of Context.current().client.workflow.list({ query })) workflowIds.push(run.workflowId);
  return workflowIds;
}
