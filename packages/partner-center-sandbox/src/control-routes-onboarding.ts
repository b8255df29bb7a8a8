import { logChange } from './activity-log';
import { changeEvent, GRAPH_V1, PARTNER_CENTER_V1 } from './change-events';
import { acceptRelationshipSchema, qualificationResultSchema, type RaisedEvent } from './control-onboarding';
import type { ControlRoute } from './control-route';
import { ApiError } from './errors';
import { deliverEvent, type SandboxEvent } from './event-delivery';
import { approveRelationship, relationshipJson } from './gdap';
import { parseWith } from './http';
import { acceptRelationship, qualificationJson } from './onboarding';
import type { ServerDeps } from './server-deps';

/**
 * What the customer does in the onboarding story (docs/sandbox.md, Customer onboarding), as control routes: accept
 * the partner's reseller invitation, get its qualification reviewed, approve a GDAP relationship. Acceptance and
 * approval raise their Partner Center events through the signed event delivery (event-delivery.ts).
 */

/**
 * Delivers the event of a logged change now when a webhook is registered and delivery is not suppressed; a missing
 * or failing receiver loses it, as Partner Center's does (the activity log keeps the change).
 */
async function raise(deps: ServerDeps, event: SandboxEvent): Promise<RaisedEvent> {
  if (deps.events.suppressed) return { name: event.EventName, delivery: null };
  try {
    return { name: event.EventName, delivery: await deliverEvent(deps, { event }) };
  } catch {
    return { name: event.EventName, delivery: null };
  }
}

export const onboardingControlRoutes: ControlRoute[] = [
  {
    method: 'POST',
    template: '/_sandbox/customers/{tenantId}/accept-relationship',
    handle: async ({ deps, body, params }) => {
      const options = parseWith(acceptRelationshipSchema, body());
      const { customer, created } = acceptRelationship(deps.runtime.world, deps.partners[0], params.tenantId, options);
      deps.onChange?.();
      const record = logChange(deps.runtime, {
        customerId: customer.id,
        resourceType: 'partner_customer_relationship',
        operationType: 'accept_partner_customer_relationship',
        resourceNewValue: { id: customer.id, domain: customer.domain, relationshipToPartner: 'reseller' },
      });
      const event = await raise(
        deps,
        changeEvent(
          'reseller-relationship-accepted-by-customer',
          `${PARTNER_CENTER_V1}/customers/${customer.id}`,
          'customer',
          record,
        ),
      );
      return { status: 200, body: { customerId: customer.id, domain: customer.domain, created, event } };
    },
  },
  {
    method: 'POST',
    template: '/_sandbox/customers/{customerId}/qualification-result',
    handle: ({ deps, body, params }) => {
      const result = parseWith(qualificationResultSchema, body());
      const qualification = deps.runtime.world.qualifications.get(params.customerId.toLowerCase());
      if (qualification === undefined)
        throw new ApiError(404, 0, `Customer ${params.customerId} has no qualification request.`);
      const before = qualificationJson(qualification);
      qualification.vettingStatus = result.status;
      qualification.vettingReason = result.reason;
      deps.onChange?.();
      logChange(deps.runtime, {
        customerId: params.customerId,
        resourceType: 'customer',
        operationType: 'update_customer_qualification',
        resourceOldValue: before,
        resourceNewValue: qualificationJson(qualification),
      });
      return { status: 200, body: qualificationJson(qualification) };
    },
  },
  {
    method: 'POST',
    template: '/_sandbox/gdap/{relationshipId}/approve',
    handle: async ({ deps, params }) => {
      const { world, clock } = deps.runtime;
      const relationship = world.gdapRelationships.get(params.relationshipId.toLowerCase());
      if (relationship === undefined)
        throw new ApiError(404, 0, `Delegated admin relationship ${params.relationshipId} was not found.`);
      if (relationship.status === 'active')
        return { status: 200, body: { relationship: relationshipJson(world, relationship), event: null } };
      if (relationship.status !== 'approvalPending')
        throw new ApiError(
          409,
          0,
          `Relationship ${relationship.id} is ${relationship.status}: lock it for approval first.`,
        );
      const before = relationshipJson(world, relationship);
      approveRelationship(world, relationship, clock.now());
      deps.onChange?.();
      const record = logChange(deps.runtime, {
        customerId: relationship.customerId,
        resourceType: 'granular_admin_relationship',
        operationType: 'approve_granular_admin_relationship',
        resourceOldValue: before,
        resourceNewValue: relationshipJson(world, relationship),
      });
      const event = await raise(
        deps,
        changeEvent(
          'granular-admin-relationship-approved',
          `${GRAPH_V1}/tenantRelationships/delegatedAdminRelationships/${relationship.id}`,
          'delegatedAdminRelationship',
          record,
        ),
      );
      return { status: 200, body: { relationship: relationshipJson(world, relationship), event } };
    },
  },
];
