import { createHash } from 'node:crypto';
import { activityInfo, cancellationSignal } from '@temporalio/activity';

/** A GUID that is a pure function of its input (name-based, RFC 4122 version 5 layout). */
export function guidFrom(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * MS-RequestId of one logical Partner Center call made by the running activity: run id + activity id
 * (+ which call), never the attempt, so every retry — also after a worker crash — repeats the same call.
 */
export function stableRequestId(call: string): string {
  const info = activityInfo();
  return guidFrom(`${executionOf(info)}:${info.activityId}:${call}`);
}

/** MS-CorrelationId: one per workflow run, so all calls of a purchase can be traced together. */
export function runCorrelationId(): string {
  return guidFrom(`correlation:${executionOf(activityInfo())}`);
}

/** Options for a Partner Center read: a fresh MS-RequestId per call and attempt, so a poll never gets a replayed answer. */
export function readOptions(): { correlationId: string; signal: AbortSignal } {
  return { correlationId: runCorrelationId(), signal: cancellationSignal() };
}

/** Options for a call that changes something: an MS-RequestId stable across the attempts of one logical call. */
export function changeOptions(call: string): { requestId: string; correlationId: string; signal: AbortSignal } {
  return { requestId: stableRequestId(call), correlationId: runCorrelationId(), signal: cancellationSignal() };
}

/** The workflow run the activity belongs to; a standalone activity run stands in for it. */
function executionOf(info: ReturnType<typeof activityInfo>): string {
  return info.workflowExecution?.runId ?? info.activityRunId ?? info.activityId;
}
