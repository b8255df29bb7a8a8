import { z } from 'zod';
import { logChange } from '../activity-log';
import { assignmentJson, durationDays, GLOBAL_ADMINISTRATOR, GUID, MAX_DURATION_DAYS, relationshipJson } from '../gdap';
import type { GdapAccessAssignment, GdapRelationship } from '../state';
import { GraphError, parseBody, type GraphContext, type GraphRoute } from './graph-route';
import { odataPage } from './tenant';

/**
 * GDAP relationships and their access assignments on the Graph host (docs/sandbox.md, Customer onboarding), with the
 * partner's own token: `/v1.0/tenantRelationships/delegatedAdminRelationships…`. Refusals answer Graph's error shape.
 */

const BASE = '/v1.0/tenantRelationships/delegatedAdminRelationships';

const unifiedRolesSchema = z
  .array(z.object({ roleDefinitionId: z.string().regex(GUID, 'must be a GUID') }))
  .min(1, 'must name at least one role');

const relationshipSchema = z.object({
  displayName: z.string().trim().min(1).max(50),
  duration: z.string().refine((d) => durationDays(d) !== undefined, 'must be an ISO 8601 duration in days (P730D)'),
  customer: z.object({ tenantId: z.string().min(1) }),
  accessDetails: z.object({ unifiedRoles: unifiedRolesSchema }),
  autoExtendDuration: z.enum(['PT0S', 'P180D']).default('PT0S'),
});

const requestSchema = z.object({ action: z.enum(['lockForApproval']) });

const assignmentSchema = z.object({
  accessContainer: z.object({
    accessContainerId: z.string().regex(GUID, 'must be a GUID (a security group id)'),
    accessContainerType: z.literal('securityGroup'),
  }),
  accessDetails: z.object({ unifiedRoles: unifiedRolesSchema }),
});

const badRequest = (message: string) => new GraphError(400, 'BadRequest', message);

/** The relationship in the path, if it is the calling partner's (another partner's is not found). */
function relationshipOf(ctx: GraphContext): GdapRelationship {
  const relationship = ctx.deps.runtime.world.gdapRelationships.get(ctx.params.relationshipId.toLowerCase());
  if (relationship === undefined || relationship.partnerTenantId !== ctx.partner.tenantId)
    throw new GraphError(404, 'NotFound', `Delegated admin relationship ${ctx.params.relationshipId} was not found.`);
  return relationship;
}

function createRelationship(ctx: GraphContext): GdapRelationship {
  const input = parseBody(relationshipSchema, ctx);
  const { world, clock } = ctx.deps.runtime;
  if ((durationDays(input.duration) ?? 0) > MAX_DURATION_DAYS || durationDays(input.duration) === 0)
    throw badRequest(`Invalid request: 'duration' ${input.duration} must be between P1D and P${MAX_DURATION_DAYS}D.`);
  const roles = input.accessDetails.unifiedRoles.map((r) => r.roleDefinitionId.toLowerCase());
  if (input.autoExtendDuration === 'P180D' && roles.includes(GLOBAL_ADMINISTRATOR))
    throw badRequest(
      `Invalid request: a relationship with the Global Administrator role (${GLOBAL_ADMINISTRATOR}) cannot be auto-extended ('autoExtendDuration' must be PT0S).`,
    );
  const customer = world.customers.get(input.customer.tenantId.toLowerCase());
  if (customer === undefined || customer.partnerTenantId !== ctx.partner.tenantId)
    throw badRequest(
      `Invalid request: 'customer.tenantId' ${input.customer.tenantId} is not a customer of this partner (no reseller relationship).`,
    );
  const now = clock.now();
  const relationship: GdapRelationship = {
    id: `${world.random.guid()}-${customer.id}`,
    partnerTenantId: ctx.partner.tenantId,
    displayName: input.displayName,
    duration: input.duration.toUpperCase(),
    customerId: customer.id,
    roleDefinitionIds: [...new Set(roles)],
    autoExtendDuration: input.autoExtendDuration,
    status: 'created',
    createdAt: now,
    lastModifiedAt: now,
  };
  world.gdapRelationships.set(relationship.id, relationship);
  return relationship;
}

function createAssignment(ctx: GraphContext, relationship: GdapRelationship): GdapAccessAssignment {
  const input = parseBody(assignmentSchema, ctx);
  const { world, clock } = ctx.deps.runtime;
  if (relationship.status !== 'active')
    throw badRequest(
      `The relationship ${relationship.id} is ${relationship.status}: access can be assigned once it is active.`,
    );
  const roles = input.accessDetails.unifiedRoles.map((r) => r.roleDefinitionId.toLowerCase());
  const outside = roles.filter((role) => !relationship.roleDefinitionIds.includes(role));
  if (outside.length > 0)
    throw badRequest(`Invalid request: role(s) ${outside.join(', ')} are not part of relationship ${relationship.id}.`);
  const assignment: GdapAccessAssignment = {
    id: world.random.guid(),
    relationshipId: relationship.id,
    securityGroupId: input.accessContainer.accessContainerId.toLowerCase(),
    roleDefinitionIds: [...new Set(roles)],
    createdAt: clock.now(),
  };
  world.gdapAccessAssignments.set(assignment.id, assignment);
  return assignment;
}

function assignmentsOf(ctx: GraphContext, relationship: GdapRelationship): GdapAccessAssignment[] {
  return [...ctx.deps.runtime.world.gdapAccessAssignments.values()].filter((a) => a.relationshipId === relationship.id);
}

const assignmentView = (ctx: GraphContext, a: GdapAccessAssignment) =>
  assignmentJson(a, ctx.deps.runtime.clock.now(), ctx.deps.runtime.delays);

/** A GDAP change in the partner's activity log (activity-log.ts). */
function logGdapChange(
  ctx: GraphContext,
  customerId: string,
  operationType: string,
  values: { resourceOldValue?: unknown; resourceNewValue: unknown },
): void {
  const resourceType = operationType.endsWith('access_assignment')
    ? 'granular_admin_access_assignment'
    : 'granular_admin_relationship';
  logChange(
    ctx.deps.runtime,
    { customerId, resourceType, operationType, ...values },
    { partnerId: ctx.partner.tenantId },
  );
}

export const gdapRoutes: GraphRoute[] = [
  {
    method: 'POST',
    template: BASE,
    permission: 'delegatedAdmin',
    handle: (ctx) => {
      const relationship = createRelationship(ctx);
      ctx.deps.onChange?.();
      logGdapChange(ctx, relationship.customerId, 'create_granular_admin_relationship', {
        resourceNewValue: relationshipJson(ctx.deps.runtime.world, relationship),
      });
      return { status: 201, body: relationshipJson(ctx.deps.runtime.world, relationship) };
    },
  },
  {
    method: 'GET',
    template: BASE,
    permission: 'delegatedAdmin',
    handle: (ctx) => {
      const { world } = ctx.deps.runtime;
      const mine = [...world.gdapRelationships.values()].filter((r) => r.partnerTenantId === ctx.partner.tenantId);
      return odataPage(
        ctx,
        mine.map((r) => relationshipJson(world, r)),
        BASE,
      );
    },
  },
  {
    method: 'GET',
    template: `${BASE}/{relationshipId}`,
    permission: 'delegatedAdmin',
    handle: (ctx) => ({ status: 200, body: relationshipJson(ctx.deps.runtime.world, relationshipOf(ctx)) }),
  },
  {
    method: 'POST',
    template: `${BASE}/{relationshipId}/requests`,
    permission: 'delegatedAdmin',
    handle: (ctx) => {
      const relationship = relationshipOf(ctx);
      const { action } = parseBody(requestSchema, ctx);
      if (relationship.status !== 'created')
        throw badRequest(
          `The relationship ${relationship.id} is ${relationship.status}: it can be locked for approval only when created.`,
        );
      const now = ctx.deps.runtime.clock.now();
      const before = relationshipJson(ctx.deps.runtime.world, relationship);
      relationship.status = 'approvalPending';
      relationship.lastModifiedAt = now;
      ctx.deps.onChange?.();
      logGdapChange(ctx, relationship.customerId, 'update_granular_admin_relationship', {
        resourceOldValue: before,
        resourceNewValue: relationshipJson(ctx.deps.runtime.world, relationship),
      });
      const at = new Date(now).toISOString();
      const id = ctx.deps.runtime.world.random.guid();
      return { status: 201, body: { id, action, status: 'succeeded', createdDateTime: at, lastModifiedDateTime: at } };
    },
  },
  {
    method: 'POST',
    template: `${BASE}/{relationshipId}/accessAssignments`,
    permission: 'delegatedAdmin',
    handle: (ctx) => {
      const relationship = relationshipOf(ctx);
      const assignment = createAssignment(ctx, relationship);
      ctx.deps.onChange?.();
      logGdapChange(ctx, relationship.customerId, 'create_granular_admin_access_assignment', {
        resourceNewValue: assignmentView(ctx, assignment),
      });
      return { status: 201, body: assignmentView(ctx, assignment) };
    },
  },
  {
    method: 'GET',
    template: `${BASE}/{relationshipId}/accessAssignments`,
    permission: 'delegatedAdmin',
    handle: (ctx) => {
      const relationship = relationshipOf(ctx);
      const items = assignmentsOf(ctx, relationship).map((a) => assignmentView(ctx, a));
      return odataPage(ctx, items, `${BASE}/${relationship.id}/accessAssignments`);
    },
  },
  {
    method: 'GET',
    template: `${BASE}/{relationshipId}/accessAssignments/{assignmentId}`,
    permission: 'delegatedAdmin',
    handle: (ctx) => {
      const relationship = relationshipOf(ctx);
      const wanted = ctx.params.assignmentId.toLowerCase();
      const assignment = assignmentsOf(ctx, relationship).find((a) => a.id === wanted);
      if (assignment === undefined)
        throw new GraphError(404, 'NotFound', `Access assignment ${ctx.params.assignmentId} was not found.`);
      return { status: 200, body: assignmentView(ctx, assignment) };
    },
  },
];
