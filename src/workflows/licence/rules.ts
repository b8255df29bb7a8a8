import type { ApplicationFailure } from '@temporalio/workflow';
import type { WorkerSettings } from '../common/settings';
import { invalidRequest, type InvalidField } from '../common/validation';
import { licenceFailureTypes } from './failures';
import type { LicenceChange, ValidLicenceRequest } from './types';

/** LICENCE_VISIBILITY_DEADLINE's default (contract §2), for settings recorded without it. */
export const DEFAULT_LICENCE_VISIBILITY_DEADLINE_MS = 2 * 3600_000;

/**
 * Users per assignment activity. Each user costs one or two Graph calls (read the user, then assign or remove), so a
 * batch is at most 50 calls of about a second each under load, well inside its timeout, and 500 users are 20
 * activities: a short history, and 20 units of the task queue's rate budget instead of 500 (docs/licences.md).
 */
export const LICENCE_BATCH_SIZE = 25;

export function licenceVisibilityDeadlineMs(settings: WorkerSettings): number {
  return settings.licenceVisibilityDeadlineMs ?? DEFAULT_LICENCE_VISIBILITY_DEADLINE_MS;
}

/**
 * The request's changes in the order they are made, in batches: removals first (they free seats for the
 * assignments), then assignments in the order listed, so when seats run short the first users listed get them.
 */
export function licenceBatches(request: Pick<ValidLicenceRequest, 'assign' | 'remove'>): LicenceChange[][] {
  const changes: LicenceChange[] = [
    ...request.remove.map((user) => ({ user, action: 'remove' as const })),
    ...request.assign.map((user) => ({ user, action: 'assign' as const })),
  ];
  const batches: LicenceChange[][] = [];
  for (let start = 0; start < changes.length; start += LICENCE_BATCH_SIZE)
    batches.push(changes.slice(start, start + LICENCE_BATCH_SIZE));
  return batches;
}

/** `assign 3, remove 1 user(s) on subscription …`: the run's summary. */
export function describeLicenceRequest(request: Pick<ValidLicenceRequest, 'assign' | 'remove'>): string {
  const parts = [
    request.assign.length > 0 ? `assign ${request.assign.length}` : undefined,
    request.remove.length > 0 ? `remove ${request.remove.length}` : undefined,
  ].filter((part) => part !== undefined);
  return `${parts.join(', ')} user${request.assign.length + request.remove.length === 1 ? '' : 's'}`;
}

export function invalidLicenceRequest(problems: readonly InvalidField[]): ApplicationFailure {
  return invalidRequest(licenceFailureTypes.invalidRequest, 'licence request', problems);
}
