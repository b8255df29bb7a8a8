import type { Client } from '@temporalio/client';
import { eventDigest } from '../partner-center/event-identity';
import { eventWorkflowId, type PartnerCenterEvent, type PartnerCenterEventWorkflow } from '../workflows/events/api';
import { startOnce, type StartOnceHandle } from './start-once';

/** Everything callers of partnerCenterEvent rely on: its schemas, outcomes and failure types. */
export * from '../workflows/events/api';

/**
 * Contract §3f: `pc-event-{sha256 of EventName, ResourceUri and ResourceChangeUtcDate}`, so the same event delivered
 * twice (or by the webhook and the activity log) names the same run (partner-center/event-identity.ts).
 */
export function partnerCenterEventWorkflowId(event: PartnerCenterEvent): string {
  return eventWorkflowId(eventDigest(event));
}

/** Starts the event's run, or finds the one a previous delivery started (running or closed): `newlyStarted` tells. */
export function startPartnerCenterEvent(
  client: Client,
  event: PartnerCenterEvent,
  options: { taskQueue?: string } = {},
): Promise<StartOnceHandle<PartnerCenterEventWorkflow>> {
  return startOnce<PartnerCenterEventWorkflow>(client, 'partnerCenterEvent', {
    workflowId: partnerCenterEventWorkflowId(event),
    taskQueue: options.taskQueue,
    args: [event],
    staticSummary: `Partner Center event ${event.EventName} ${event.ResourceUri}`.slice(0, 200),
  });
}
