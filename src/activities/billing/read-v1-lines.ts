import { activityInfo, heartbeat, log } from '@temporalio/activity';
import { isPartnerCenterError, LineFieldCheck, type SeekCursor } from '../../partner-center';
import { billingFailureTypes } from '../../workflows/billing/failures';
import {
  DEFAULT_BILLING_DELAY_HOURS,
  type BillingClock,
  type ReconcileInput,
  type ReconcileReport,
} from '../../workflows/billing/types';
import { toActivityFailure } from '../common/failures';
import { readOptions } from '../common/request-ids';
import {
  checkpointOf,
  previousMatchResume,
  resumePoint,
  type ReconcileProgress,
  type ResumePoint,
} from './checkpoints';
import type { BillingActivityDeps } from './deps';
import { matchAndReport } from './match';
import { addLine, createTally, type BillingTally } from './seat-model';

/** Partner Center's largest unbilled-reconciliation page. */
export const RECONCILIATION_PAGE_SIZE = 2000;

type V1ReadDeps = Pick<BillingActivityDeps, 'partnerCenter' | 'reconciliationPageSize' | 'customerPageSize'>;

/** The lines read: their totals, and Partner Center's clock when it served the last page. */
interface LinesRead {
  tally: BillingTally;
  serverTime?: string;
}

/**
 * Reads the period's unbilled new-commerce reconciliation lines, folds them into per-subscription
 * totals, reads the subscriptions and orders of the requested customer — or, without one, of every
 * customer of the partner (page by page) and of any other that has lines — and returns the capped report.
 *
 * Why one activity that aggregates (rather than an activity per page): matching needs each
 * subscription's totals across all pages, so per-page activities would have to carry state as large
 * as the partner's subscription base through history (and continueAsNew). Folding the lines here keeps
 * worker memory proportional to subscriptions and the workflow history at one activity plus a capped
 * report, however many lines there are. After each page the heartbeat carries the progress (visible
 * in the UI; cancellation reaches the activity through it) and a checkpoint: the next page's cursor
 * and the totals so far. A retry — after a 429, whose Retry-After becomes the next-retry delay, a
 * lost worker or a timeout — resumes from it instead of the first page; a retry during matching
 * reads no line again, re-reads the customer list and reads only the customers not yet matched
 * (the matching checkpoint: the customers done and their findings).
 * Ages within the billing delay are measured on Partner Center's clock (the `Date` of the last lines
 * page, kept in the checkpoint), the one that stamped the orders; the workflow's `asOf` without one.
 */
export async function reconcileUnbilledCharges(deps: V1ReadDeps, input: ReconcileInput): Promise<ReconcileReport> {
  const progress: ReconcileProgress = {
    phase: 'reading-lines',
    lines: 0,
    pages: 0,
    customers: 0,
    customersMatched: 0,
    ...previousMatchResume(activityInfo().heartbeatDetails),
  };
  try {
    const { tally, serverTime } = await readLines(deps, input, progress);
    const clock: BillingClock = {
      now: serverTime ?? input.asOf,
      delayHours: input.billingDelayHours ?? DEFAULT_BILLING_DELAY_HOURS,
    };

    return await matchAndReport(deps, input, tally, clock, progress, () => heartbeat({ ...progress }), true);
  } catch (err) {
    throw toActivityFailure(err, billingFailureTypes.reconciliationFailed);
  }
}

/**
 * Folds the pages from `from` on (else from the first) into the tally, heartbeating after each page
 * the progress and the checkpoint to resume from.
 */
async function readPages(
  deps: V1ReadDeps,
  input: ReconcileInput,
  progress: ReconcileProgress,
  from: ResumePoint | undefined,
): Promise<LinesRead> {
  // The workflow sends a period with every v1 read (validation requires one without an invoice id).
  if (input.period === undefined) throw new Error('The v1 unbilled read needs a period');
  const query = {
    currencyCode: input.currency,
    period: input.period,
    size: deps.reconciliationPageSize ?? RECONCILIATION_PAGE_SIZE,
  };
  const tally = from?.tally ?? createTally();
  let next: SeekCursor | undefined = from?.checkpoint.next;
  let serverTime = from?.checkpoint.serverTime;
  let more = from === undefined || next !== undefined;
  let checkpointsFit = true;
  progress.lines = tally.lines;
  progress.pages = from?.checkpoint.pages ?? 0;
  progress.resumeFrom = from?.checkpoint;
  while (more) {
    const page = await deps.partnerCenter.unbilledReconciliationLineItemsPage(query, next, readOptions());
    const fields = new LineFieldCheck();
    for (const line of page.items) {
      fields.see(line, line);
      if (input.customerId === undefined || line.customerId?.toLowerCase() === input.customerId) addLine(tally, line);
    }
    fields.verify(`Partner Center unbilled line items page ${progress.pages + 1}`);
    next = page.next;
    more = next !== undefined;
    serverTime = page.serverTime ?? serverTime;
    progress.pages += 1;
    progress.lines = tally.lines;
    // The tally hardly ever shrinks: once a checkpoint is too big, later ones would be too.
    const checkpoint = checkpointsFit ? checkpointOf(tally, next, progress.pages, serverTime) : undefined;
    if (checkpoint !== undefined) progress.resumeFrom = checkpoint;
    else checkpointsFit = false;
    // Every page, also one of other customers' lines: a long read must not look like a dead worker.
    heartbeat({ ...progress });
  }
  return { tally, ...(serverTime !== undefined ? { serverTime } : {}) };
}

/** All lines of the period: from the retried attempt's checkpoint when there is one. */
async function readLines(deps: V1ReadDeps, input: ReconcileInput, progress: ReconcileProgress): Promise<LinesRead> {
  const from = resumePoint(activityInfo().heartbeatDetails);
  if (from === undefined) return readPages(deps, input, progress, undefined);
  log.info('Resuming the reconciliation read', {
    pages: from.checkpoint.pages,
    lines: from.tally.lines,
    done: from.checkpoint.next === undefined,
  });
  try {
    return await readPages(deps, input, progress, from);
  } catch (err) {
    // Partner Center documents no lifetime for continuation tokens: one refused before any page was
    // read means reading again from the first page, not failing the reconciliation.
    const refused = isPartnerCenterError(err) && (err.kind === 'business' || err.kind === 'not-found');
    if (!refused || progress.pages !== from.checkpoint.pages) throw err;
    log.warn('Partner Center refused the saved continuation; reading from the first page again', {
      status: err.status,
      code: err.code,
    });
    return readPages(deps, input, progress, undefined);
  }
}
