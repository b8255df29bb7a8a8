/**
 * GDAP on Microsoft Graph, in the partner's tenant (partner-center-lifecycle.md, GDAP): a delegated admin
 * relationship is created, locked for the customer's approval, approved by the customer's admin, then its access
 * assignments give security groups of the partner the relationship's roles. Over the one Graph call of api.ts
 * (token, timeout, one refresh on 401, errors classified); knows nothing of Temporal.
 */
import { z } from 'zod';
import { PartnerCenterUnauthorizedError } from '../errors';
import { optional } from '../schemas/common';
import type { PartnerCenterCall } from '../http/exchange';
import type { PartnerCenterLogger, TokenProvider } from '../types';
import { callGraph, readJson, type GraphCallOptions, type GraphConnection } from './api';
import { readAllPages } from './pages';

const RELATIONSHIPS_PATH = '/v1.0/tenantRelationships/delegatedAdminRelationships';
const DEFAULT_TIMEOUT_MS = 30_000;
/** The Graph permission GDAP needs (delegated, or application with the GDAP service principal). */
export const GDAP_PERMISSION = 'DelegatedAdminRelationship.ReadWrite.All';

export const gdapRelationshipSchema = z.looseObject({
  id: z.string(),
  displayName: optional(z.string()),
  /** created, approvalPending, active, terminated, expired, … (open: Graph adds values). */
  status: z.string(),
  duration: optional(z.string()),
  endDateTime: optional(z.string()),
  customer: optional(z.looseObject({ tenantId: optional(z.string()) })),
});
export type GdapRelationship = z.infer<typeof gdapRelationshipSchema>;

export const gdapAccessAssignmentSchema = z.looseObject({
  id: z.string(),
  /** pending, active, deleting, deleted, error. */
  status: z.string(),
});
export type GdapAccessAssignment = z.infer<typeof gdapAccessAssignmentSchema>;

export interface GdapRelationshipInput {
  displayName: string;
  duration: string;
  customerTenantId: string;
  roleIds: string[];
  autoExtend: boolean;
}

export interface GdapClient {
  /** `POST …/delegatedAdminRelationships` → `created`. */
  createRelationship(input: GdapRelationshipInput, o?: GraphCallOptions): Promise<GdapRelationship>;
  getRelationship(relationshipId: string, o?: GraphCallOptions): Promise<GdapRelationship>;
  /** The partner's relationships of that display name (unique per partner), from every page: how a lost create answer is found. */
  findRelationships(displayName: string, o?: GraphCallOptions): Promise<GdapRelationship[]>;
  /** `POST …/{id}/requests {action: "lockForApproval"}` → `approvalPending`. */
  lockForApproval(relationshipId: string, o?: GraphCallOptions): Promise<void>;
  createAccessAssignment(
    relationshipId: string,
    assignment: { securityGroupId: string; roleIds: string[] },
    o?: GraphCallOptions,
  ): Promise<GdapAccessAssignment>;
  getAccessAssignment(
    relationshipId: string,
    assignmentId: string,
    o?: GraphCallOptions,
  ): Promise<GdapAccessAssignment>;
}

export interface GdapClientOptions {
  /** Graph root without /v1.0, e.g. https://graph.microsoft.com */
  baseUrl: string;
  tokens: TokenProvider;
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: PartnerCenterLogger;
  /** Told of every HTTP exchange (metrics, traces); `route` is the path template. */
  onCall?: (call: PartnerCenterCall) => void;
}

export function createGdapClient(options: GdapClientOptions): GdapClient {
  const connection = gdapConnection(options);
  const call = async <S extends z.ZodType>(
    schema: S,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    o?: GraphCallOptions,
  ) =>
    readJson(
      schema,
      await callGraph(connection, method, path, body, o),
      `${method} ${RELATIONSHIPS_PATH}${routeOf(path)}`,
    );
  const relationship = (id: string) => `/${encodeURIComponent(id)}`;
  return {
    createRelationship: (input, o) => call(gdapRelationshipSchema, 'POST', '', relationshipBody(input), o),
    getRelationship: (id, o) => call(gdapRelationshipSchema, 'GET', relationship(id), undefined, o),
    findRelationships: async (displayName, o) => {
      // Filtered on the server where Graph supports it, and here again where it does not (every page then).
      const filter = encodeURIComponent(`displayName eq '${displayName.replace(/'/g, "''")}'`);
      const relationships = await readAllPages(connection, gdapRelationshipSchema, `?$filter=${filter}`, o);
      return relationships.filter((r) => r.displayName === displayName);
    },
    lockForApproval: async (id, o) => {
      await callGraph(connection, 'POST', `${relationship(id)}/requests`, { action: 'lockForApproval' }, o);
    },
    createAccessAssignment: (id, assignment, o) =>
      call(
        gdapAccessAssignmentSchema,
        'POST',
        `${relationship(id)}/accessAssignments`,
        {
          accessContainer: { accessContainerId: assignment.securityGroupId, accessContainerType: 'securityGroup' },
          accessDetails: { unifiedRoles: assignment.roleIds.map((roleDefinitionId) => ({ roleDefinitionId })) },
        },
        o,
      ),
    getAccessAssignment: (id, assignmentId, o) =>
      call(
        gdapAccessAssignmentSchema,
        'GET',
        `${relationship(id)}/accessAssignments/${encodeURIComponent(assignmentId)}`,
        undefined,
        o,
      ),
  };
}

/** `POST …/delegatedAdminRelationships`: auto-extension is P180D or none (PT0S). */
function relationshipBody(input: GdapRelationshipInput) {
  return {
    displayName: input.displayName,
    duration: input.duration,
    customer: { tenantId: input.customerTenantId },
    accessDetails: { unifiedRoles: input.roleIds.map((roleDefinitionId) => ({ roleDefinitionId })) },
    autoExtendDuration: input.autoExtend ? 'P180D' : 'PT0S',
  };
}

/** The Graph connection of the partner's relationships: its 403 names the permission GDAP needs. */
function gdapConnection(options: GdapClientOptions): GraphConnection {
  return {
    root: `${options.baseUrl.replace(/\/+$/, '')}${RELATIONSHIPS_PATH}`,
    prefix: RELATIONSHIPS_PATH,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? fetch,
    tokens: options.tokens,
    logger: options.logger,
    onCall: options.onCall,
    forbidden: (details, route) =>
      new PartnerCenterUnauthorizedError(
        details,
        `Microsoft Graph HTTP 403 for ${route}: the app registration needs the ${GDAP_PERMISSION} permission on Microsoft Graph, consented in the partner tenant (app-only also needs the GDAP service principal 2832473f-ec63-45fb-976f-5d45a7d4bb91 there) (${details.description})`,
      ),
  };
}

/** `/{id}/accessAssignments/{id}`: how errors name a route (ids left out). */
function routeOf(path: string): string {
  return path.split('?')[0].replace(/\/[^/]+/g, (segment) => (/\d/.test(segment) ? '/{id}' : segment));
}
