import { gunzipSync, gzipSync } from 'node:zlib';
import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { z } from 'zod';
import { isPartnerCenterError, type PartnerCenterClient, type SeekCursor } from '../../partner-center';
import { seekCursorSchema } from '../../partner-center/paging';
import { reconcileFailureTypes } from '../../workflows/billing/failures';
import {
  addLine,
  buildReport,
  createTally,
  matchCustomer,
  restoreTally,
  snapshotTally,
  type BillingTally,
  type CustomerFacts,
  type CustomerMatch,
} from './seat-model';
import {
  BillingTallySnapshotSchema,
  DEFAULT_BILLING_DELAY_HOURS,
  type BilledSubscription,
  type BillingClock,
  type ReconcileInput,
  type ReconcileReport,
} from '../../workflows/billing/types';
import { toActivityFailure } from '../common/failures';
import { runCorrelationId } from '../common/request-ids';

export interface BillingActivityDeps {
  partnerCenter: PartnerCenterClient;
  /** Reconciliation lines per page; Partner Center's maximum (2000) unless a test wants many pages. */
  reconciliationPageSize?: number;
  /** Customers per page when reconciling every customer; the client's default (500) unless a test wants many pages. */
  customerPageSize?: number;
}

/** Partner Center's largest unbilled-reconciliation page. */
export const RECONCILIATION_PAGE_SIZE = 2000;

/**
 * Largest checkpoint (compressed tally, base64) kept in heartbeat details. The tally grows with the
 * subscriptions billed, and Temporal fails an attempt whose heartbeat details pass its blob limit
 * (2 MB by default, warnings from 512 KB), so a retry would fail the same way. Compressed, the budget
 * holds the totals of a few thousand subscriptions (the ids are most of it). Past it, heartbeats keep
 * the last checkpoint that fitted: a retry then re-reads only the pages after that one.
 */
export const CHECKPOINT_BUDGET_BYTES = 256 * 1024;

/** Where a retry of the reconciliation activity resumes: the next page and the totals of the pages before it. */
const ReconcileCheckpointSchema = z.strictObject({
  /** The page to read next; absent once every page has been read. */
  next: seekCursorSchema.optional(),
  /** Pages read up to here. */
  pages: z.number().int().nonnegative(),
  /** The BillingTallySnapshot of those pages, gzip-compressed JSON in base64 (see CHECKPOINT_BUDGET_BYTES). */
  tally: z.string(),
  /** Partner Center's clock on the last page read (see readPages). */
  serverTime: z.string().optional(),
});
type ReconcileCheckpoint = z.infer<typeof ReconcileCheckpointSchema>;

/**
 * Heartbeat details of the reconciliation activity: its progress (shown as the pending activity's
 * details in the UI) and, once a page has been read, the checkpoint a retry resumes from.
 */
export const ReconcileProgressSchema = z.object({
  phase: z.enum(['reading-lines', 'matching']),
  /** Lines of the request's customers read so far. */
  lines: z.number().int(),
  pages: z.number().int(),
  /** Customers to match so far (without a customerId, more appear as the customer list is read). */
  customers: z.number().int(),
  customersMatched: z.number().int(),
  resumeFrom: ReconcileCheckpointSchema.optional(),
});
export type ReconcileProgress = z.infer<typeof ReconcileProgressSchema>;

interface ResumePoint {
  checkpoint: ReconcileCheckpoint;
  tally: BillingTally;
}

/** The lines read: their totals, and Partner Center's clock when it served the last page. */
interface LinesRead {
  tally: BillingTally;
  serverTime?: string;
}

export function createBillingActivities(deps: BillingActivityDeps) {
  const pc = deps.partnerCenter;
  const pageSize = deps.reconciliationPageSize ?? RECONCILIATION_PAGE_SIZE;
  const customerPageSize = deps.customerPageSize;
  /** Reads only: a fresh MS-RequestId per call and attempt. */
  const reading = () => ({ correlationId: runCorrelationId(), signal: cancellationSignal() });

  /** A customer's subscriptions and orders. One that is not (or no longer) the partner's has none: its charges are all unexpected. */
  async function customerFacts(customerId: string): Promise<CustomerFacts> {
    if (customerId === '') return { subscriptions: [], orders: [] };
    try {
      const [subscriptions, orders] = await Promise.all([
        pc.listSubscriptions(customerId, reading()),
        pc.listOrders(customerId, reading()),
      ]);
      return { subscriptions, orders };
    } catch (err) {
      if (isPartnerCenterError(err) && err.kind === 'not-found') return { subscriptions: [], orders: [] };
      throw err;
    }
  }

  /**
   * Folds the pages from `from` on (else from the first) into the tally, heartbeating after each page
   * the progress and the checkpoint to resume from.
   */
  async function readPages(
    input: ReconcileInput,
    progress: ReconcileProgress,
    from: ResumePoint | undefined,
  ): Promise<LinesRead> {
    const query = { currencyCode: input.currency, period: input.period, size: pageSize };
    const tally = from?.tally ?? createTally();
    let next: SeekCursor | undefined = from?.checkpoint.next;
    let serverTime = from?.checkpoint.serverTime;
    let more = from === undefined || next !== undefined;
    let checkpointsFit = true;
    progress.lines = tally.lines;
    progress.pages = from?.checkpoint.pages ?? 0;
    progress.resumeFrom = from?.checkpoint;
    while (more) {
      const page = await pc.unbilledReconciliationLineItemsPage(query, next, reading());
      for (const line of page.items) {
        if (input.customerId === undefined || line.customerId?.toLowerCase() === input.customerId) addLine(tally, line);
      }
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
  async function readLines(input: ReconcileInput, progress: ReconcileProgress): Promise<LinesRead> {
    const from = resumePoint(activityInfo().heartbeatDetails);
    if (from === undefined) return readPages(input, progress, undefined);
    log.info('Resuming the reconciliation read', {
      pages: from.checkpoint.pages,
      lines: from.tally.lines,
      done: from.checkpoint.next === undefined,
    });
    try {
      return await readPages(input, progress, from);
    } catch (err) {
      // Partner Center documents no lifetime for continuation tokens: one refused before any page was
      // read means reading again from the first page, not failing the reconciliation.
      const refused = isPartnerCenterError(err) && (err.kind === 'business' || err.kind === 'not-found');
      if (!refused || progress.pages !== from.checkpoint.pages) throw err;
      log.warn('Partner Center refused the saved continuation; reading from the first page again', {
        status: err.status,
        code: err.code,
      });
      return readPages(input, progress, undefined);
    }
  }

  return {
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
     * reads no line again and only re-reads the customer list and the customers' subscriptions and orders.
     * Ages within the billing delay are measured on Partner Center's clock (the `Date` of the last lines
     * page, kept in the checkpoint), the one that stamped the orders; the workflow's `asOf` without one.
     */
    async reconcileUnbilledCharges(input: ReconcileInput): Promise<ReconcileReport> {
      const progress: ReconcileProgress = {
        phase: 'reading-lines',
        lines: 0,
        pages: 0,
        customers: 0,
        customersMatched: 0,
      };
      try {
        const { tally, serverTime } = await readLines(input, progress);
        const clock: BillingClock = {
          now: serverTime ?? input.asOf,
          delayHours: input.billingDelayHours ?? DEFAULT_BILLING_DELAY_HOURS,
        };

        const billedByCustomer = new Map<string, BilledSubscription[]>();
        for (const billed of tally.bySubscription.values()) {
          const list = billedByCustomer.get(billed.customerId) ?? [];
          list.push(billed);
          billedByCustomer.set(billed.customerId, list);
        }
        progress.phase = 'matching';
        progress.customers = billedByCustomer.size;
        heartbeat({ ...progress });

        const matches: CustomerMatch[] = [];
        const match = async (customerId: string) => {
          matches.push(
            matchCustomer(
              customerId,
              billedByCustomer.get(customerId) ?? [],
              await customerFacts(customerId),
              input,
              clock,
            ),
          );
          billedByCustomer.delete(customerId);
          progress.customersMatched += 1;
          heartbeat({ ...progress });
        };
        if (input.customerId !== undefined) {
          progress.customers = 1;
          await match(input.customerId);
        } else {
          // Every customer of the partner, also those without a line: a purchase never billed shows only there.
          let cursor: SeekCursor | undefined;
          do {
            const page = await pc.listCustomersPage({ size: customerPageSize }, cursor, reading());
            const unseen = page.items.map((c) => c.id.toLowerCase()).filter((id) => !billedByCustomer.has(id));
            progress.customers += unseen.length;
            for (const customer of page.items) await match(customer.id.toLowerCase());
            cursor = page.next;
          } while (cursor !== undefined);
          // Lines of customers not (or no longer) listed: their charges are all unexpected.
          for (const customerId of [...billedByCustomer.keys()]) await match(customerId);
        }
        return buildReport(input, tally, matches, matches.length);
      } catch (err) {
        throw toActivityFailure(err, reconcileFailureTypes.reconciliationFailed);
      }
    },
  };
}

/** Where the checkpoint after `pages` pages fits the budget: the next page and the totals so far; else undefined. */
function checkpointOf(
  tally: BillingTally,
  next: SeekCursor | undefined,
  pages: number,
  serverTime: string | undefined,
): ReconcileCheckpoint | undefined {
  const compressed = gzipSync(JSON.stringify(snapshotTally(tally))).toString('base64');
  if (compressed.length > CHECKPOINT_BUDGET_BYTES) return undefined;
  return {
    ...(next !== undefined ? { next } : {}),
    pages,
    tally: compressed,
    ...(serverTime !== undefined ? { serverTime } : {}),
  };
}

/** The checkpoint a previous attempt heartbeated, if any and readable (details of another version start over). */
function resumePoint(details: unknown): ResumePoint | undefined {
  const checkpoint = ReconcileProgressSchema.safeParse(details).data?.resumeFrom;
  if (checkpoint === undefined) return undefined;
  try {
    const snapshot = BillingTallySnapshotSchema.safeParse(
      JSON.parse(gunzipSync(Buffer.from(checkpoint.tally, 'base64')).toString('utf8')),
    );
    return snapshot.success ? { checkpoint, tally: restoreTally(snapshot.data) } : undefined;
  } catch {
    return undefined;
  }
}

/** Workflows proxy these (import type only). */
export type BillingActivities = ReturnType<typeof createBillingActivities>;
