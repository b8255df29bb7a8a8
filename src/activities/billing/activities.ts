import { gunzipSync, gzipSync } from 'node:zlib';
import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { z } from 'zod';
import {
  isPartnerCenterError,
  LineFieldCheck,
  isSasRefused,
  PartnerCenterNotFoundError,
  type ExportManifest,
  type GraphBillingClient,
  type PartnerCenterClient,
  type SeekCursor,
} from '../../partner-center';
import { seekCursorSchema } from '../../partner-center/paging';
import { reconcileFailureTypes } from '../../workflows/billing/failures';
import {
  addLine,
  buildReport,
  createTally,
  CustomerMatchSchema,
  matchCustomer,
  restoreTally,
  snapshotTally,
  type BillingTally,
  type CustomerFacts,
  type CustomerMatch,
} from './seat-model';
import { TallyHandoff } from './tally-handoff';
import {
  BillingTallySnapshotSchema,
  DEFAULT_BILLING_DELAY_HOURS,
  type BilledSubscription,
  type BillingClock,
  type BillingExport,
  type BillingExportRequest,
  type GraphExportCheckpoint,
  type GraphReconcileInput,
  type ReconcileInput,
  type ReconcileReport,
  type UnfinishedExportRead,
} from '../../workflows/billing/types';
import { toActivityFailure } from '../common/failures';
import { runCorrelationId } from '../common/request-ids';

export interface BillingActivityDeps {
  partnerCenter: PartnerCenterClient;
  /** Microsoft Graph partner billing (the exports); without it a Graph reconciliation fails saying so. */
  graph?: GraphBillingClient;
  /** Reconciliation lines per page; Partner Center's maximum (2000) unless a test wants many pages. */
  reconciliationPageSize?: number;
  /** Customers per page when reconciling every customer; the client's default (500) unless a test wants many pages. */
  customerPageSize?: number;
  /** Lines of a Graph export one workflow run reads before it continues as new (EXPORT_SEGMENT_LINES unless a test wants many runs). */
  exportSegmentLines?: number;
}

/** Partner Center's largest unbilled-reconciliation page. */
export const RECONCILIATION_PAGE_SIZE = 2000;

/**
 * Lines of a Graph export read per workflow run: past them the read stops at a checkpoint and the run continues
 * as new (the issue: large exports continue-as-new rather than grow history). Half a million lines take the
 * activity ~8 s on the bench's machine; each segment adds a run of a dozen events carrying the checkpoint twice
 * (the activity's result and the next run's input, each within CHECKPOINT_BUDGET_BYTES).
 */
export const EXPORT_SEGMENT_LINES = 500_000;

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
 * The customers matched so far and their findings: a retry during matching (a 429 on one customer's
 * subscriptions or orders, a lost worker) reads only the customers after them, so throttling cannot
 * make the matching start over and over. Gzip JSON in base64, within CHECKPOINT_BUDGET_BYTES.
 */
const MatchCheckpointSchema = z.object({
  customers: z.array(z.string()),
  matches: z.array(CustomerMatchSchema),
});
type MatchCheckpoint = z.infer<typeof MatchCheckpointSchema>;

/** The matching checkpoint in both reads' heartbeat details (compressed MatchCheckpoint). */
const MatchResumeSchema = z.object({ matchResume: z.string().optional() });

/**
 * Heartbeat details of the reconciliation activity: its progress (shown as the pending activity's
 * details in the UI) and, once a page has been read, the checkpoint a retry resumes from.
 */
export const ReconcileProgressSchema = z
  .object({
    phase: z.enum(['reading-lines', 'matching']),
    /** Lines of the request's customers read so far. */
    lines: z.number().int(),
    pages: z.number().int(),
    /** Customers to match so far (without a customerId, more appear as the customer list is read). */
    customers: z.number().int(),
    customersMatched: z.number().int(),
    resumeFrom: ReconcileCheckpointSchema.optional(),
  })
  .extend(MatchResumeSchema.shape);
export type ReconcileProgress = z.infer<typeof ReconcileProgressSchema>;

/** Where a retry of the Graph export read resumes: the same operation, the blob and line to read next, the totals before them. */
const GraphCheckpointSchema = z.strictObject({
  operationId: z.string(),
  blob: z.number().int().nonnegative(),
  line: z.number().int().nonnegative(),
  /** As in ReconcileCheckpointSchema: the BillingTallySnapshot, gzip JSON in base64. */
  tally: z.string(),
  /** Lines of every customer read before it (GraphExportCheckpoint). */
  linesRead: z.number().int().nonnegative().optional(),
}) satisfies z.ZodType<GraphExportCheckpoint>;
type GraphCheckpoint = z.infer<typeof GraphCheckpointSchema>;

/** Heartbeat details of the Graph export read: progress for the UI, and the checkpoint a retry resumes from. */
export const GraphReconcileProgressSchema = z
  .object({
    phase: z.enum(['waiting-for-export', 'reading-lines', 'matching']),
    operationId: z.string(),
    /** Running answers of the operation so far (each waited its Retry-After). */
    polls: z.number().int(),
    blobs: z.number().int().optional(),
    /** Lines read from the export (of every customer). */
    linesRead: z.number().int(),
    /** Lines of the request's customers. */
    lines: z.number().int(),
    customers: z.number().int(),
    customersMatched: z.number().int(),
    resumeFrom: GraphCheckpointSchema.optional(),
  })
  .extend(MatchResumeSchema.shape);
export type GraphReconcileProgress = z.infer<typeof GraphReconcileProgressSchema>;

/** A Graph read checkpoints at most this often: each checkpoint compresses the totals so far. */
const GRAPH_CHECKPOINT_INTERVAL_MS = 1000;
/** A SAS refused more often than this in a row for one blob is not an expiry: fail. */
const MAX_SAS_REFRESHES = 3;
/** Polls of a running export are at most this far apart, so the heartbeat each poll sends beats the workflow's 1-minute heartbeat timeout. */
const MAX_EXPORT_POLL_INTERVAL_MS = 30_000;

/** Matching progress both reads report. */
interface MatchProgress {
  phase: string;
  customers: number;
  customersMatched: number;
  matchResume?: string;
}

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
  const handoff = new TallyHandoff();
  const pageSize = deps.reconciliationPageSize ?? RECONCILIATION_PAGE_SIZE;
  const customerPageSize = deps.customerPageSize;
  const segmentLines = deps.exportSegmentLines ?? EXPORT_SEGMENT_LINES;
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
    // The workflow sends a period with every v1 read (validation requires one without an invoice id).
    if (input.period === undefined) throw new Error('The v1 unbilled read needs a period');
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

  /**
   * Matches the folded lines with the subscriptions and orders of the request's customer — or, without one,
   * of every customer of the partner (page by page) and of any other that has lines — and builds the report.
   * `beatEachCustomer` false: it beats with its checkpoint, at most once a second (and on a failed read). The SDK
   * serialises the whole details (both checkpoints) on every beat: per customer, that cost the bench's worker ~40 MiB
   * more RSS matching the 500 customers of a Graph export (docs/benchmarks.md, billing export).
   */
  async function matchAndReport(
    input: ReconcileInput,
    tally: BillingTally,
    clock: BillingClock,
    progress: MatchProgress,
    beat: () => void,
    beatEachCustomer: boolean,
  ): Promise<ReconcileReport> {
    const billedByCustomer = new Map<string, BilledSubscription[]>();
    for (const billed of tally.bySubscription.values()) {
      const list = billedByCustomer.get(billed.customerId) ?? [];
      list.push(billed);
      billedByCustomer.set(billed.customerId, list);
    }
    progress.phase = 'matching';
    progress.customers = billedByCustomer.size;
    beat();

    const resumed = matchResumePoint(progress.matchResume);
    const done = new Set(resumed?.customers);
    const matches: CustomerMatch[] = resumed?.matches ?? [];
    progress.customersMatched = done.size;
    let checkpointsFit = true;
    let checkpointedAt = Date.now();
    const checkpoint = () => {
      const compressed = checkpointsFit ? compress({ customers: [...done], matches }) : undefined;
      if (compressed !== undefined) progress.matchResume = compressed;
      else checkpointsFit = false;
      checkpointedAt = Date.now();
    };
    const match = async (customerId: string) => {
      const billed = billedByCustomer.get(customerId) ?? [];
      billedByCustomer.delete(customerId);
      if (done.has(customerId)) return;
      let facts: CustomerFacts;
      try {
        facts = await customerFacts(customerId);
      } catch (err) {
        // The attempt ends here (a 429 is retried after its Retry-After): its last heartbeat resumes after the customers done.
        checkpoint();
        beat();
        throw err;
      }
      matches.push(matchCustomer(customerId, billed, facts, input, clock));
      done.add(customerId);
      progress.customersMatched += 1;
      // Compressing every finding so far per customer would be quadratic: at most once a second, and on a failed read.
      const due = Date.now() - checkpointedAt >= GRAPH_CHECKPOINT_INTERVAL_MS;
      if (due) checkpoint();
      if (due || beatEachCustomer) beat();
    };
    if (input.customerId !== undefined) {
      progress.customers = 1;
      await match(input.customerId);
    } else {
      // Every customer of the partner, also those without a line: a purchase never billed shows only there.
      let cursor: SeekCursor | undefined;
      do {
        const page = await pc.listCustomersPage({ size: customerPageSize }, cursor, reading());
        const unseen = page.items
          .map((c) => c.id.toLowerCase())
          .filter((id) => !billedByCustomer.has(id) && !done.has(id));
        progress.customers += unseen.length;
        for (const customer of page.items) await match(customer.id.toLowerCase());
        cursor = page.next;
      } while (cursor !== undefined);
      // Lines of customers not (or no longer) listed: their charges are all unexpected.
      for (const customerId of [...billedByCustomer.keys()]) await match(customerId);
    }
    return buildReport(input, tally, matches, matches.length);
  }

  function graphClient(): GraphBillingClient {
    if (deps.graph === undefined)
      throw new Error(
        'This worker has no Microsoft Graph client (MICROSOFT_GRAPH_BASE_URL): it cannot read billing exports',
      );
    return deps.graph;
  }

  /** The invoice's billing period ([start, day after end)) and currency, from the invoice list (App-only can read it). */
  async function invoicePeriod(invoiceId: string): Promise<NonNullable<BillingExport['invoice']>> {
    for await (const invoice of pc.listInvoices({}, reading())) {
      if (invoice.id.toUpperCase() !== invoiceId.toUpperCase()) continue;
      const start = Date.parse(invoice.billingPeriodStartDate ?? '');
      const end = Date.parse(invoice.billingPeriodEndDate ?? '');
      if (Number.isNaN(start) || Number.isNaN(end)) break;
      return {
        periodStart: new Date(start).toISOString(),
        periodEnd: new Date(end + 24 * 3_600_000).toISOString(),
        currency: (invoice.currencyCode ?? 'USD').toUpperCase(),
      };
    }
    throw new PartnerCenterNotFoundError({
      status: 404,
      description: `Invoice ${invoiceId} is not among the partner's invoices (or has no billing period)`,
    });
  }

  /**
   * Streams the export's blobs from `from` on into the tally, checkpointing (at most every
   * GRAPH_CHECKPOINT_INTERVAL_MS and after each blob) the blob and line to resume from. An expired SAS
   * is renewed by reading the operation again — a fresh manifest, never a new export. With `segmentEnd`
   * (lines of every customer) it stops at the first line past it and answers the checkpoint there, if the
   * tally fits the checkpoint budget; a tally too big to carry reads on to the end.
   */
  async function readExport(
    input: GraphReconcileInput,
    progress: GraphReconcileProgress,
    from: GraphResumePoint | undefined,
    segmentEnd: number | undefined,
  ): Promise<{ tally: BillingTally; stoppedAt?: GraphCheckpoint }> {
    const graph = graphClient();
    const signal = cancellationSignal();
    const tally = from?.tally ?? createTally();
    progress.resumeFrom = from?.checkpoint;
    progress.lines = tally.lines;
    progress.linesRead = from?.checkpoint.linesRead ?? 0;
    const manifestNow = () =>
      graph.waitForExport(input.operationId, {
        signal,
        maxWaitMs: MAX_EXPORT_POLL_INTERVAL_MS,
        onPoll: () => {
          progress.polls += 1;
          heartbeat({ ...progress });
        },
      });
    heartbeat({ ...progress });
    let manifest: ExportManifest = await manifestNow();
    progress.phase = 'reading-lines';
    progress.blobs = manifest.blobs.length;
    let checkpointsFit = true;
    let checkpointedAt = Date.now();
    const checkpoint = (blob: number, line: number) => {
      const compressed = checkpointsFit ? compressTally(tally) : undefined;
      if (compressed !== undefined)
        progress.resumeFrom = {
          operationId: input.operationId,
          blob,
          line,
          tally: compressed,
          linesRead: progress.linesRead,
        };
      else checkpointsFit = false;
      progress.lines = tally.lines;
      heartbeat({ ...progress });
      checkpointedAt = Date.now();
    };
    /** At the segment's end: the checkpoint to stop at, or undefined to read on (the tally no longer fits). */
    const segmentStop = (blob: number, line: number): GraphCheckpoint | undefined => {
      segmentEnd = undefined;
      checkpoint(blob, line);
      return checkpointsFit ? progress.resumeFrom : undefined;
    };
    for (let blob = from?.checkpoint.blob ?? 0; blob < manifest.blobs.length; blob += 1) {
      let next = blob === from?.checkpoint.blob ? from.checkpoint.line : 0;
      for (let refreshes = 0; ; refreshes += 1) {
        try {
          for await (const batch of graph.exportLines(manifest, blob, { fromLine: next, signal })) {
            for (const { lineNumber, line } of batch) {
              // Checked before the line counts, so a segment never ends after the export's last line.
              const stoppedAt =
                segmentEnd !== undefined && progress.linesRead >= segmentEnd
                  ? segmentStop(blob, lineNumber)
                  : undefined;
              if (stoppedAt !== undefined) return { tally, stoppedAt };
              next = lineNumber + 1;
              progress.linesRead += 1;
              if (
                line !== undefined &&
                (input.customerId === undefined || line.customerId?.toLowerCase() === input.customerId)
              )
                addLine(tally, line);
            }
            if (Date.now() - checkpointedAt >= GRAPH_CHECKPOINT_INTERVAL_MS) checkpoint(blob, next);
          }
          break;
        } catch (err) {
          if (!isSasRefused(err) || refreshes >= MAX_SAS_REFRESHES) throw err;
          log.info('The export SAS was refused (expired); reading the operation again for a fresh manifest', { blob });
          manifest = await manifestNow();
        }
      }
      checkpoint(blob + 1, 0);
    }
    return { tally };
  }

  return {
    /**
     * Requests the Microsoft Graph export (billed: of the invoice; unbilled: of the period and currency) and
     * answers its operation id, which the workflow records: nothing after it requests the export again.
     * For an invoice also its billing period and currency, which the matching needs.
     *
     * The operation is heartbeated as soon as Graph accepts the request, so a retry after a crash before the
     * workflow recorded it (a lost worker, a timeout) reuses that export — unless Graph no longer knows it or
     * it failed — instead of requesting a second one. What remains: an acceptance lost in transit (the 202
     * never reaching us, or the worker dying before its heartbeat was sent) still leads to a second export,
     * since Graph takes no idempotency key for export requests.
     */
    async requestBillingExport(request: BillingExportRequest): Promise<BillingExport> {
      try {
        const graph = graphClient();
        const previous = await stillUsableExport(graph, activityInfo().heartbeatDetails);
        if (previous !== undefined) return previous;
        const invoice = 'invoiceId' in request ? await invoicePeriod(request.invoiceId) : undefined;
        const { operationId } = await graph.requestExport(
          'invoiceId' in request
            ? { kind: 'billed', invoiceId: request.invoiceId }
            : {
                kind: 'unbilled',
                billingPeriod: request.period === 'previous' ? 'last' : 'current',
                currencyCode: request.currency,
              },
          { signal: cancellationSignal() },
        );
        const requested: BillingExport = { operationId, ...(invoice !== undefined ? { invoice } : {}) };
        heartbeat(requested);
        return requested;
      } catch (err) {
        throw toActivityFailure(err, reconcileFailureTypes.reconciliationFailed);
      }
    },

    /**
     * Waits for the export (Retry-After), streams every blob of its manifest and folds the lines into
     * per-subscription totals (memory grows with subscriptions, never with lines), then matches them like
     * the v1 read. The heartbeat carries the operation id and the blob and line to resume from: a retry
     * after a lost worker reads the same operation again (a fresh manifest) and continues there.
     * With `input.segments` it stops after `exportSegmentLines` lines (counted from `input.resumeFrom`, where
     * the previous run stopped) and answers that checkpoint instead, so the workflow continues as new from it.
     */
    async reconcileGraphExport(input: GraphReconcileInput): Promise<ReconcileReport | UnfinishedExportRead> {
      const progress: GraphReconcileProgress = {
        phase: 'waiting-for-export',
        operationId: input.operationId,
        polls: 0,
        linesRead: 0,
        lines: 0,
        customers: 0,
        customersMatched: 0,
        ...previousMatchResume(activityInfo().heartbeatDetails),
      };
      try {
        const heartbeated = graphResumePoint(activityInfo().heartbeatDetails, input.operationId, handoff);
        if (heartbeated !== undefined)
          log.info('Resuming the export read', {
            blob: heartbeated.checkpoint.blob,
            line: heartbeated.checkpoint.line,
            lines: heartbeated.tally.lines,
          });
        // Unreadable (another version's tally): read from the first line again, like unreadable heartbeat details.
        const runStart =
          heartbeated === undefined && input.resumeFrom
            ? checkpointResumePoint(input.resumeFrom, input.operationId, handoff)
            : undefined;
        const linesBefore = input.resumeFrom?.linesRead ?? 0;
        const started = performance.now();
        const read = await readExport(
          input,
          progress,
          heartbeated ?? runStart,
          input.segments ? linesBefore + segmentLines : undefined,
        );
        // Reading apart from matching: the bench compares it with download, gunzip and parse alone.
        log.info('Read the export', {
          linesRead: progress.linesRead - linesBefore,
          readMs: Math.round(performance.now() - started),
          done: read.stoppedAt === undefined,
        });
        if (read.stoppedAt !== undefined) {
          // The next segment's activity, if it runs here, takes this tally rather than decompressing it.
          handoff.give(read.stoppedAt.tally, read.tally);
          return { done: false, checkpoint: read.stoppedAt };
        }
        const clock: BillingClock = {
          now: input.asOf,
          delayHours: input.billingDelayHours ?? DEFAULT_BILLING_DELAY_HOURS,
        };
        return await matchAndReport(input, read.tally, clock, progress, () => heartbeat({ ...progress }), false);
      } catch (err) {
        throw toActivityFailure(err, reconcileFailureTypes.reconciliationFailed);
      }
    },

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
    async reconcileUnbilledCharges(input: ReconcileInput): Promise<ReconcileReport> {
      const progress: ReconcileProgress = {
        phase: 'reading-lines',
        lines: 0,
        pages: 0,
        customers: 0,
        customersMatched: 0,
        ...previousMatchResume(activityInfo().heartbeatDetails),
      };
      try {
        const { tally, serverTime } = await readLines(input, progress);
        const clock: BillingClock = {
          now: serverTime ?? input.asOf,
          delayHours: input.billingDelayHours ?? DEFAULT_BILLING_DELAY_HOURS,
        };

        return await matchAndReport(input, tally, clock, progress, () => heartbeat({ ...progress }), true);
      } catch (err) {
        throw toActivityFailure(err, reconcileFailureTypes.reconciliationFailed);
      }
    },
  };
}

/** Checkpoint data as gzip JSON in base64, if it fits CHECKPOINT_BUDGET_BYTES. */
function compress(value: unknown): string | undefined {
  const compressed = gzipSync(JSON.stringify(value)).toString('base64');
  return compressed.length > CHECKPOINT_BUDGET_BYTES ? undefined : compressed;
}

/** Checkpoint data back, if readable (details of another version start over). */
function decompress<T>(schema: z.ZodType<T>, compressed: string): T | undefined {
  try {
    return schema.safeParse(JSON.parse(gunzipSync(Buffer.from(compressed, 'base64')).toString('utf8'))).data;
  } catch {
    return undefined;
  }
}

/** The tally compressed for a checkpoint, if it fits CHECKPOINT_BUDGET_BYTES. */
function compressTally(tally: BillingTally): string | undefined {
  return compress(snapshotTally(tally));
}

/** A checkpoint's tally back, if readable. */
function decompressTally(compressed: string): BillingTally | undefined {
  const snapshot = decompress(BillingTallySnapshotSchema, compressed);
  return snapshot === undefined ? undefined : restoreTally(snapshot);
}

/** The customers a previous attempt matched, if it checkpointed any (readable). */
function matchResumePoint(compressed: string | undefined): MatchCheckpoint | undefined {
  return compressed === undefined ? undefined : decompress(MatchCheckpointSchema, compressed);
}

/** The matching checkpoint a previous attempt heartbeated (kept in every heartbeat until matching uses it). */
function previousMatchResume(details: unknown): { matchResume?: string } {
  const matchResume = MatchResumeSchema.safeParse(details).data?.matchResume;
  return matchResume === undefined ? {} : { matchResume };
}

/** The export a previous attempt of requestBillingExport heartbeated (BillingExport). */
const RequestedExportSchema = z.object({
  operationId: z.string(),
  invoice: z.object({ periodStart: z.string(), periodEnd: z.string(), currency: z.string() }).optional(),
});

/**
 * The export a previous attempt requested, if it heartbeated one and Graph still has it, running or done; a
 * failed or unknown operation (expired, another tenant's) means requesting anew.
 */
async function stillUsableExport(graph: GraphBillingClient, details: unknown): Promise<BillingExport | undefined> {
  const previous = RequestedExportSchema.safeParse(details).data;
  if (previous === undefined) return undefined;
  try {
    const state = await graph.getExportOperation(previous.operationId, { signal: cancellationSignal() });
    if (state.status !== 'failed') {
      log.info('Reusing the export a previous attempt requested', { operationId: previous.operationId });
      return previous;
    }
    log.warn('The export a previous attempt requested failed: requesting it anew', {
      operationId: previous.operationId,
      code: state.code,
    });
  } catch (err) {
    if (!isPartnerCenterError(err) || err.kind !== 'not-found') throw err;
    log.warn('Graph no longer knows the export a previous attempt requested: requesting it anew', {
      operationId: previous.operationId,
    });
  }
  return undefined;
}

/** The Graph checkpoint a previous attempt heartbeated for the same operation, if any and readable. */
function graphResumePoint(details: unknown, operationId: string, handoff: TallyHandoff): GraphResumePoint | undefined {
  const checkpoint = GraphReconcileProgressSchema.safeParse(details).data?.resumeFrom;
  return checkpoint === undefined ? undefined : checkpointResumePoint(checkpoint, operationId, handoff);
}

/** A checkpoint of the same operation with its tally: handed over by this worker, else decompressed if readable. */
function checkpointResumePoint(
  checkpoint: GraphCheckpoint,
  operationId: string,
  handoff: TallyHandoff,
): GraphResumePoint | undefined {
  if (checkpoint.operationId !== operationId) return undefined;
  const tally = handoff.take(checkpoint.tally) ?? decompressTally(checkpoint.tally);
  return tally === undefined ? undefined : { checkpoint, tally };
}

interface GraphResumePoint {
  checkpoint: GraphCheckpoint;
  tally: BillingTally;
}

/** Where the checkpoint after `pages` pages fits the budget: the next page and the totals so far; else undefined. */
function checkpointOf(
  tally: BillingTally,
  next: SeekCursor | undefined,
  pages: number,
  serverTime: string | undefined,
): ReconcileCheckpoint | undefined {
  const compressed = compressTally(tally);
  if (compressed === undefined) return undefined;
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
  const tally = decompressTally(checkpoint.tally);
  return tally === undefined ? undefined : { checkpoint, tally };
}

/** Workflows proxy these (import type only). */
export type BillingActivities = ReturnType<typeof createBillingActivities>;
