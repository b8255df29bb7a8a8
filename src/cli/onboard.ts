import type { Client } from '@temporalio/client';
import {
  getOnboarding,
  onboardStatusQuery,
  startOnboarding,
  validateOnboardRequest,
  type OnboardRequest,
  type OnboardResult,
  type OnboardStatus,
} from '../client';
import type { Action } from './action';
import { UsageError } from './errors';
import { Problems, type Values } from './flags';
import type { Output } from './output';
import { readRequestFile } from './purchase-flags';

/** `pcw onboard --file onboard.json [--wait]`: starts onboardCustomer (or attaches to it) and, with --wait, follows it. */

/** How often `--wait` reads the run's status: its waits last minutes to days, a second is plenty. */
const FOLLOW_INTERVAL_MS = 1000;

export function planOnboard(values: Values): Action {
  if (values.file === undefined) throw new UsageError(['onboard needs --file onboard.json (an OnboardRequest)']);
  const request = readRequestFile(values.file);
  const problems = new Problems();
  problems.validation(validateOnboardRequest(request), () => undefined, values.file);
  problems.done();
  return async ({ client, taskQueue, out }) => {
    const handle = await startOnboarding(client, request as OnboardRequest, { taskQueue });
    const { requestId } = request as OnboardRequest;
    if (values.wait !== true) {
      out.emit(
        { workflowId: handle.workflowId, newlyStarted: handle.newlyStarted },
        `${handle.newlyStarted ? 'started' : 'attached to'} ${handle.workflowId}`,
      );
      return;
    }
    const result = await follow(client, out, requestId);
    out.emit(result, describeResult(result));
  };
}

/** Prints each step and each link a person must open as it appears; the result once the run ends (its failure thrown). */
async function follow(client: Client, out: Output, requestId: string): Promise<OnboardResult> {
  const handle = getOnboarding(client, requestId);
  const progress = out.progress();
  const shown = new Set<string>();
  const ended = handle.result().then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  try {
    for (;;) {
      const status = await handle.query(onboardStatusQuery).catch(() => undefined);
      if (status !== undefined) for (const line of newLines(status, shown)) progress.step(line);
      const end = await Promise.race([ended, pause(FOLLOW_INTERVAL_MS)]);
      if (end === undefined) continue;
      if ('error' in end) throw end.error;
      return end.result;
    }
  } finally {
    progress.stop();
  }
}

/** The lines of `status` not printed yet: the step, and the links a person must open. */
function newLines(status: OnboardStatus, shown: Set<string>): string[] {
  const lines = [
    `step ${status.step}`,
    ...(status.invitationUrl !== undefined
      ? [`the customer's admin accepts the reseller relationship at ${status.invitationUrl}`]
      : []),
    ...(status.gdapApprovalUrl !== undefined
      ? [`the customer's admin approves GDAP relationship ${status.gdapRelationshipId} at ${status.gdapApprovalUrl}`]
      : []),
  ];
  const fresh = lines.filter((line) => !shown.has(line));
  for (const line of fresh) shown.add(line);
  return fresh;
}

function describeResult(result: OnboardResult): string {
  return [
    `onboarded customer ${result.customerId} (${result.domain}, tenant ${result.tenantId}, ${result.created ? 'created' : 'invited'})`,
    ...(result.adminUserPrincipalName !== undefined ? [`first admin: ${result.adminUserPrincipalName}`] : []),
    ...(result.adminPasswordNote !== undefined ? [result.adminPasswordNote] : []),
    ...(result.gdap !== undefined
      ? [`GDAP relationship ${result.gdap.relationshipId} active until ${result.gdap.endDateTime}`]
      : []),
  ].join('\n');
}

function pause(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}
