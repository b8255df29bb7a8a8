import { ApplicationFailure } from '@temporalio/common';
import { activityInfo, cancellationSignal, log } from '@temporalio/activity';
import { onboardFailureTypes, onboardPendingTypes } from '../../workflows/customer/failures';
import type { ActiveGdapRelationship, GdapRelationshipRef } from '../../workflows/customer/types';
import { notYet, toActivityFailure } from '../common/failures';
import { gdapClientOf, type CustomerActivityDeps } from './deps';

/** GDAP in the partner's tenant: create, lock for approval, wait for the customer, then the access assignments. */

/** Statuses after which the customer can no longer approve. */
const ENDED_RELATIONSHIP_STATUSES = new Set(['terminated', 'terminating', 'expired', 'terminationrequested']);

export interface GdapRelationshipRequest {
  displayName: string;
  duration: string;
  customerTenantId: string;
  roleIds: string[];
  autoExtend: boolean;
}

/**
 * Creates the relationship, once: attempts after the first look for it by its display name (unique per partner,
 * derived from the request id) before creating another.
 */
export async function createGdapRelationship(
  deps: Pick<CustomerActivityDeps, 'gdap'>,
  input: GdapRelationshipRequest,
): Promise<GdapRelationshipRef> {
  const options = { signal: cancellationSignal() };
  try {
    if (activityInfo().attempt > 1) {
      const [earlier] = await gdapClientOf(deps).findRelationships(input.displayName, options);
      if (earlier !== undefined) {
        log.warn('GDAP relationship creation answer lost; found by its display name', { relationshipId: earlier.id });
        return { relationshipId: earlier.id, status: earlier.status };
      }
    }
    const created = await gdapClientOf(deps).createRelationship(input, options);
    return { relationshipId: created.id, status: created.status };
  } catch (err) {
    throw toActivityFailure(err, onboardFailureTypes.gdapRefused);
  }
}

/** Locks the relationship for the customer's approval (nothing to do once it is past `created`). */
export async function lockGdapRelationship(
  deps: Pick<CustomerActivityDeps, 'gdap'>,
  input: { relationshipId: string },
): Promise<void> {
  const options = { signal: cancellationSignal() };
  try {
    const relationship = await gdapClientOf(deps).getRelationship(input.relationshipId, options);
    if (relationship.status.toLowerCase() !== 'created') return;
    await gdapClientOf(deps).lockForApproval(input.relationshipId, options);
  } catch (err) {
    throw toActivityFailure(err, onboardFailureTypes.gdapRefused);
  }
}

/** One poll: `active` → done; still pending → not yet; ended → GdapNotApproved. */
export async function awaitGdapApproval(
  deps: Pick<CustomerActivityDeps, 'gdap'>,
  input: { relationshipId: string },
): Promise<ActiveGdapRelationship> {
  let relationship;
  try {
    relationship = await gdapClientOf(deps).getRelationship(input.relationshipId, { signal: cancellationSignal() });
  } catch (err) {
    throw toActivityFailure(err, onboardFailureTypes.gdapNotApproved);
  }
  const status = relationship.status.toLowerCase();
  if (ENDED_RELATIONSHIP_STATUSES.has(status))
    throw ApplicationFailure.create({
      type: onboardFailureTypes.gdapNotApproved,
      message: `GDAP relationship ${input.relationshipId} is ${relationship.status}: the customer can no longer approve it`,
      details: [{ relationshipId: input.relationshipId, status: relationship.status }],
      nonRetryable: true,
    });
  if (status !== 'active')
    throw notYet(
      onboardPendingTypes.gdapApprovalPending,
      `GDAP relationship ${input.relationshipId} is ${relationship.status}`,
    );
  return { relationshipId: relationship.id, endDateTime: relationship.endDateTime ?? '' };
}

/** Gives a security group roles of the relationship; its id is recorded, then awaited until active. */
export async function createGdapAccessAssignment(
  deps: Pick<CustomerActivityDeps, 'gdap'>,
  input: { relationshipId: string; securityGroupId: string; roleIds: string[] },
): Promise<string> {
  try {
    const assignment = await gdapClientOf(deps).createAccessAssignment(
      input.relationshipId,
      { securityGroupId: input.securityGroupId, roleIds: input.roleIds },
      { signal: cancellationSignal() },
    );
    return assignment.id;
  } catch (err) {
    throw toActivityFailure(err, onboardFailureTypes.gdapRefused);
  }
}

/** One poll: an access assignment goes `pending` → `active`. */
export async function awaitGdapAccessAssignment(
  deps: Pick<CustomerActivityDeps, 'gdap'>,
  input: { relationshipId: string; assignmentId: string },
): Promise<string> {
  let status: string;
  try {
    status = (
      await gdapClientOf(deps).getAccessAssignment(input.relationshipId, input.assignmentId, {
        signal: cancellationSignal(),
      })
    ).status;
  } catch (err) {
    throw toActivityFailure(err, onboardFailureTypes.gdapRefused);
  }
  if (status.toLowerCase() === 'active') return input.assignmentId;
  if (status.toLowerCase() === 'error')
    throw ApplicationFailure.create({
      type: onboardFailureTypes.gdapRefused,
      message: `Access assignment ${input.assignmentId} of GDAP relationship ${input.relationshipId} failed`,
      details: [input],
      nonRetryable: true,
    });
  throw notYet(onboardPendingTypes.accessAssignmentPending, `Access assignment ${input.assignmentId} is ${status}`);
}
