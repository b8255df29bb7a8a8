import type { Client } from '@temporalio/client';
import { AUDIT_BACKFILL_INTERVAL, AUDIT_BACKFILL_SCHEDULE_ID, ensureAuditBackfillSchedule } from '../client';
import type { PartnerCenterSettings } from '../config';
import { PartnerCenterNotFoundError, type PartnerCenterClient, type ValidationEvent } from '../partner-center';
import { connectPartnerCenter } from '../partner-center-connection';
import { CliFailure, UsageError } from './errors';
import { Problems, type Values } from './flags';
import { table, type Output } from './output';
import { lastValidation, rememberValidation, type RememberedValidation } from './validation-memory';

/**
 * `pcw pc-webhooks register --url URL [--events a,b] | status | test`: Partner Center's webhook registration, straight
 * from its API (no Temporal), as docs/partner-center-events.md describes; `status` adds the results of the last
 * validation event `test` asked for (validation-memory.ts). The command line is checked first.
 */
export type PcWebhooksAction = (
  settings: PartnerCenterSettings,
  out: Output,
  temporal: TemporalAccess,
) => Promise<void>;

/** Temporal for `register` (the backfill Schedule), connected only when used: the other subcommands never need it. */
export interface TemporalAccess {
  /** TEMPORAL_TASK_QUEUE: where the Schedule starts its runs, as the worker's own start would create it. */
  taskQueue: string;
  withClient(body: (client: Client) => Promise<void>): Promise<void>;
}

/** The events this worker acts on (docs/partner-center-events.md), registered when --events is not given. */
export const DEFAULT_WEBHOOK_EVENTS = [
  'subscription-updated',
  'invoice-ready',
  'reseller-relationship-accepted-by-customer',
  'granular-admin-relationship-approved',
];

/** How long `test` waits for the validation event's delivery result, polling every second. */
const VALIDATION_WAIT_MS = 60_000;
const VALIDATION_POLL_MS = 1_000;

export function planPcWebhooks(args: string[], values: Values): PcWebhooksAction {
  const [subcommand, ...rest] = args;
  const problems = new Problems();
  if (rest.length > 0) problems.add(`pc-webhooks ${subcommand} takes no arguments (got ${rest.join(' ')})`);
  for (const flag of ['url', 'events'] as const)
    if (values[flag] !== undefined && subcommand !== 'register')
      problems.add(`--${flag} applies to \`pcw pc-webhooks register\` only`, flag);
  switch (subcommand) {
    case 'register':
      return planRegister(values, problems);
    case 'status':
      problems.done();
      return (settings, out) => showStatus(settings, out);
    case 'test':
      problems.done();
      return async (settings, out) => validate(settings, out);
    default:
      throw new UsageError([
        subcommand === undefined
          ? 'pc-webhooks needs a subcommand: register --url URL [--events a,b], status or test'
          : `unknown pc-webhooks subcommand "${subcommand}" (register, status or test)`,
      ]);
  }
}

function planRegister(values: Values, problems: Problems): PcWebhooksAction {
  const url = values.url;
  if (url === undefined)
    problems.add('pc-webhooks register needs --url URL (where Partner Center sends events)', 'url');
  else if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    problems.add(`--url must be an https URL (got "${url}")`, 'url');
  const events =
    values.events === undefined
      ? DEFAULT_WEBHOOK_EVENTS
      : values.events
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '');
  if (events.length === 0) problems.add('--events must name at least one event (comma-separated)', 'events');
  problems.done();
  // Temporal first: when it is not reachable, nothing is changed at Partner Center either.
  return (settings, out, temporal) =>
    temporal.withClient(async (temporalClient) => {
      const pc = client(settings);
      const existing = await pc.getWebhookRegistration();
      const registration = await pc.registerWebhook(
        { WebhookUrl: url!, WebhookEvents: events },
        existing === undefined ? 'create' : 'update',
      );
      const schedule = await ensureBackfill(temporalClient, temporal.taskQueue);
      out.emit(
        { ...registration, created: existing === undefined, backfillSchedule: schedule.json },
        `${existing === undefined ? 'registered' : 'updated the registration'}: ${registration.webhookUrl}\n  events ${registration.webhookEvents.join(', ')}\n${schedule.line}`,
      );
    });
}

/**
 * The Schedule `pc-audit-backfill` (contract §3f: created by the worker or here, idempotently), so the activity log
 * catches what a webhook delivery misses even before a worker has started. One written with other encryption keys
 * is left as it is, as the worker leaves it.
 */
async function ensureBackfill(temporalClient: Client, taskQueue: string) {
  const { created, unreadable } = await ensureAuditBackfillSchedule(temporalClient, { taskQueue });
  const json = { id: AUDIT_BACKFILL_SCHEDULE_ID, created, every: AUDIT_BACKFILL_INTERVAL, taskQueue, unreadable };
  const line =
    unreadable !== undefined
      ? `  backfill Schedule ${AUDIT_BACKFILL_SCHEDULE_ID} left as it is: its input cannot be decoded with these PAYLOAD_ENCRYPTION_KEYS (${unreadable})`
      : `  backfill Schedule ${AUDIT_BACKFILL_SCHEDULE_ID} ${created ? 'created' : 'updated'}: every ${String(AUDIT_BACKFILL_INTERVAL)} on task queue ${taskQueue}`;
  return { json, line };
}

/** The registration, and the results of the last validation event `test` asked for with these settings. */
async function showStatus(settings: PartnerCenterSettings, out: Output): Promise<void> {
  const pc = client(settings);
  const registration = await pc.getWebhookRegistration();
  const last = await lastValidationResults(pc, settings);
  const validationLines = last === undefined ? '  last validation: none (pcw pc-webhooks test)' : validationText(last);
  if (registration === undefined) {
    out.emit(
      { registered: false, lastValidation: last ?? null },
      `no webhook is registered: Partner Center sends no events (pcw pc-webhooks register --url URL)\n${validationLines}`,
    );
    return;
  }
  out.emit(
    { registered: true, ...registration, lastValidation: last ?? null },
    `registered: ${registration.webhookUrl}\n  events ${registration.webhookEvents.join(', ')}\n${validationLines}`,
  );
}

type LastValidation = RememberedValidation & { result?: ValidationEvent; expired?: true };

/** Partner Center keeps a validation event's results 7 days: an older (or unknown) one answers 404, said so. */
async function lastValidationResults(
  pc: PartnerCenterClient,
  settings: PartnerCenterSettings,
): Promise<LastValidation | undefined> {
  const remembered = lastValidation(settings);
  if (remembered === undefined) return undefined;
  try {
    return { ...remembered, result: await pc.getValidationEvent(remembered.correlationId) };
  } catch (err) {
    if (err instanceof PartnerCenterNotFoundError) return { ...remembered, expired: true };
    throw err;
  }
}

function validationText(last: LastValidation): string {
  const head = `  last validation ${last.correlationId} (asked ${last.requestedAt})`;
  if (last.result === undefined) return `${head}: its results are no longer kept (7 days)`;
  return `${head}: ${last.result.status ?? 'unknown'}\n${attemptsTable(last.result)}`;
}

const attemptsTable = (result: ValidationEvent) =>
  table(
    ['ATTEMPT', 'SENT', 'RESPONSE'],
    result.events.map((e) => [String(e.attempt ?? ''), e.sentAt ?? '', String(e.responseCode ?? '')]),
  );

/** Asks for a validation event, then polls its delivery until an attempt is answered 2xx or Partner Center gives up. */
async function validate(settings: PartnerCenterSettings, out: Output): Promise<void> {
  const pc = client(settings);
  if ((await pc.getWebhookRegistration()) === undefined)
    throw new CliFailure('NoWebhookRegistration', 'no webhook is registered (pcw pc-webhooks register --url URL)');
  const correlationId = await pc.requestValidationEvent();
  rememberValidation(settings, { correlationId, requestedAt: new Date().toISOString() });
  const until = Date.now() + VALIDATION_WAIT_MS;
  let result = await pc.getValidationEvent(correlationId);
  while (!settled(result) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, VALIDATION_POLL_MS));
    result = await pc.getValidationEvent(correlationId);
  }
  out.emit(result, `validation event ${correlationId}: ${result.status ?? 'unknown'}\n${attemptsTable(result)}`);
  if (!delivered(result))
    throw new CliFailure(
      'ValidationEventNotDelivered',
      `the validation event ${correlationId} was not answered 2xx${settled(result) ? '' : ` within ${VALIDATION_WAIT_MS / 1000} s`}`,
      { correlationId, status: result.status },
    );
}

const delivered = (result: ValidationEvent) =>
  result.events.some((e) => Number(e.responseCode) >= 200 && Number(e.responseCode) < 300);

function settled(result: ValidationEvent): boolean {
  const status = (result.status ?? '').toLowerCase();
  return delivered(result) || ['completed', 'failed', 'succeeded'].includes(status);
}

function client(settings: PartnerCenterSettings) {
  return connectPartnerCenter(settings).client;
}
