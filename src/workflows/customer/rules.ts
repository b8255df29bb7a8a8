import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { detailLines } from '../common/details';
import { describeInvalid, type InvalidField } from '../common/validation';
import { onboardFailureTypes } from './failures';
import type { OnboardStatus, OnboardStep } from './types';

/** Workflow-side decisions of the onboarding: pure functions of recorded values. */

/** Kept in step with GLOBAL_ADMIN_AUTO_EXTEND_RULE (request.ts), which the workflow bundle must not load (zod). */
const GLOBAL_ADMIN_AUTO_EXTEND_PREFIX = 'must be false when roles include Global Administrator';

export const terminalOnboardSteps: readonly OnboardStep[] = ['completed', 'failed', 'cancelled'];

/** Steps before the customer exists: a cancel there leaves nothing behind. */
const BEFORE_CREATION: readonly OnboardStep[] = ['validating', 'checking-domain'];

export function isBeforeCreation(step: OnboardStep): boolean {
  return BEFORE_CREATION.includes(step);
}

/** `contoso` → `contoso.onmicrosoft.com` */
export function domainOf(domainPrefix: string): string {
  return `${domainPrefix}.onmicrosoft.com`;
}

/** Where the customer's admin approves a GDAP relationship (Microsoft 365 admin center). */
export function gdapApprovalUrl(relationshipId: string): string {
  return `https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/${encodeURIComponent(relationshipId)}`;
}

/** The GDAP relationship's display name: the request's, else one derived from the request id (unique per request). */
export function gdapDisplayName(requestId: string, displayName: string | undefined): string {
  return displayName ?? `onboard-${requestId}`.slice(0, 50);
}

/** The result's note on the admin's password, which Partner Center returned once and the run never kept. */
export function adminPasswordNote(adminUserPrincipalName: string | undefined): string {
  const who = adminUserPrincipalName ?? "the customer's first admin";
  return `The one-time password Partner Center returned for ${who} was not kept: reset it in Partner Center (Customers › the customer › Users › Reset password) or in the Microsoft 365 admin center before first sign-in.`;
}

/**
 * A bad request, every problem named: refused as GdapRefused when its only problem is a relationship Microsoft
 * would refuse (Global Administrator with auto-extension), else as InvalidOnboardRequest.
 */
export function invalidOnboardRequest(problems: readonly InvalidField[]): ApplicationFailure {
  const gdapOnly = problems.every((p) => p.problem.startsWith(GLOBAL_ADMIN_AUTO_EXTEND_PREFIX));
  return ApplicationFailure.create({
    type: gdapOnly ? onboardFailureTypes.gdapRefused : onboardFailureTypes.invalidRequest,
    message: describeInvalid('onboard request', problems),
    details: [problems],
    nonRetryable: true,
  });
}

/** A wait that ran out: the customer did not act in time. */
export function notInTime(type: string, what: string, timeoutMs: number, details: Record<string, unknown>) {
  return ApplicationFailure.create({
    type,
    message: `${what} within ${formatDuration(timeoutMs)}`,
    details: [details],
    nonRetryable: true,
  });
}

/** How a cancelled onboarding ends: it says what exists, since nothing created is deleted. */
export function cancelledOnboarding(reason: string, status: OnboardStatus): CancelledFailure {
  const exists = [
    status.customerId !== undefined ? `customer ${status.customerId}` : undefined,
    status.gdapRelationshipId !== undefined ? `GDAP relationship ${status.gdapRelationshipId}` : undefined,
  ].filter((fact): fact is string => fact !== undefined);
  const left = exists.length === 0 ? 'nothing was created' : `${exists.join(' and ')} exist(s) and stay`;
  return new CancelledFailure(`Onboarding cancelled at ${status.step} (${reason}): ${left}`, [
    {
      reason,
      step: status.step,
      ...(status.customerId !== undefined ? { customerId: status.customerId } : {}),
      ...(status.tenantId !== undefined ? { tenantId: status.tenantId } : {}),
      ...(status.gdapRelationshipId !== undefined ? { gdapRelationshipId: status.gdapRelationshipId } : {}),
    },
  ]);
}

/** `30d`, `2h`, `45s`: a timeout as the settings write it. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * The Temporal UI's current details of an onboarding. The links a person must open are shown whole: detailLines clips
 * long values, and a clipped link does not open.
 */
export function describeOnboarding(status: OnboardStatus): string {
  const facts = detailLines([
    ['Step', status.step],
    ['Customer', status.customerId],
    ['GDAP relationship', status.gdapRelationshipId],
    ['Last error', status.lastError],
  ]);
  const links = [
    ['Invitation', status.invitationUrl],
    ['GDAP approval', status.gdapApprovalUrl],
  ].flatMap(([label, url]) => (url === undefined ? [] : [`- **${label}:** ${url}`]));
  return [facts, ...links].join('\n');
}
