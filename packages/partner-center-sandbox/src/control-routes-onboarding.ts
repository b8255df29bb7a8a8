import { acceptRelationshipSchema, qualificationResultSchema, type RaisedEvent } from './control-onboarding';
import type { ControlRoute } from './control-routes';
import { ApiError } from './errors';
import { deliverEvent } from './event-delivery';
import { approveRelationship, relationshipJson } from './gdap';
import { parseWith } from './http';
import { acceptRelationship, qualificationJson } from './onboarding';
import type { ServerDeps } from './server-deps';

/**
 * What the customer does in the onboarding story (docs/sandbox.md, Customer onboarding), as control routes: accept
 * the partner's reseller invitation, get its qualification reviewed, approve a GDAP relationship. Acceptance and
 * approval raise their Partner Center events through the signed event delivery (event-delivery.ts).
 */

const PARTNER_CENTER = 'https://api.partnercenter.microsoft.com/v1';
const GRAPH = 'https://graph.microsoft.com/v1.0';

/** Delivers the event when a webhook is registered; a missing or failing receiver loses it, as Partner Center's does. */
async function raise(deps: ServerDeps, name: string, resourceUri: string, resourceName: string): Promise<RaisedEvent> {
  try {
    const delivery = await deliverEvent(deps, {
      event: { EventName: name, ResourceUri: resourceUri, ResourceName: resourceName, AuditUri: '' },
    });
    return { name, delivery };
  } catch {
    return { name, delivery: null };
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
      const event = await raise(
        deps,
        'reseller-relationship-accepted-by-customer',
        `${PARTNER_CENTER}/customers/${customer.id}`,
        'customer',
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
      qualification.vettingStatus = result.status;
      qualification.vettingReason = result.reason;
      deps.onChange?.();
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
      approveRelationship(world, relationship, clock.now());
      deps.onChange?.();
      const event = await raise(
        deps,
        'granular-admin-relationship-approved',
        `${GRAPH}/tenantRelationships/delegatedAdminRelationships/${relationship.id}`,
        'delegatedAdminRelationship',
      );
      return { status: 200, body: { relationship: relationshipJson(world, relationship), event } };
    },
  },
];
