import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { SeekCursor } from '../../partner-center';
import { seekCursorSchema } from '../../partner-center/paging';
import { BillingTallySnapshotSchema, type GraphExportCheckpoint } from '../../workflows/billing/types';
import { CustomerMatchSchema } from './customer-match';
import { restoreTally, snapshotTally, type BillingTally } from './seat-model';
import type { TallyHandoff } from './tally-handoff';

/**
 * What both reads heartbeat: their progress (the pending activity's details in the UI) and the checkpoints a
 * retry resumes from, compressed within CHECKPOINT_BUDGET_BYTES.
 */

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
export type ReconcileCheckpoint = z.infer<typeof ReconcileCheckpointSchema>;

/**
 * The customers matched so far and their findings: a retry during matching (a 429 on one customer's
 * subscriptions or orders, a lost worker) reads only the customers after them, so throttling cannot
 * make the matching start over and over. Gzip JSON in base64, within CHECKPOINT_BUDGET_BYTES.
 */
const MatchCheckpointSchema = z.object({
  customers: z.array(z.string()),
  matches: z.array(CustomerMatchSchema),
});
export type MatchCheckpoint = z.infer<typeof MatchCheckpointSchema>;

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
export type GraphCheckpoint = z.infer<typeof GraphCheckpointSchema>;

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

/** Both reads checkpoint at most this often: each checkpoint compresses the totals (or findings) so far. */
export const CHECKPOINT_INTERVAL_MS = 1000;

export interface ResumePoint {
  checkpoint: ReconcileCheckpoint;
  tally: BillingTally;
}

export interface GraphResumePoint {
  checkpoint: GraphCheckpoint;
  tally: BillingTally;
}

/** Checkpoint data as gzip JSON in base64, if it fits CHECKPOINT_BUDGET_BYTES. */
export function compress(value: unknown): string | undefined {
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
export function compressTally(tally: BillingTally): string | undefined {
  return compress(snapshotTally(tally));
}

/** A checkpoint's tally back, if readable. */
function decompressTally(compressed: string): BillingTally | undefined {
  const snapshot = decompress(BillingTallySnapshotSchema, compressed);
  return snapshot === undefined ? undefined : restoreTally(snapshot);
}

/** The customers a previous attempt matched, if it checkpointed any (readable). */
export function matchResumePoint(compressed: string | undefined): MatchCheckpoint | undefined {
  return compressed === undefined ? undefined : decompress(MatchCheckpointSchema, compressed);
}

/** The matching checkpoint a previous attempt heartbeated (kept in every heartbeat until matching uses it). */
export function previousMatchResume(details: unknown): { matchResume?: string } {
  const matchResume = MatchResumeSchema.safeParse(details).data?.matchResume;
  return matchResume === undefined ? {} : { matchResume };
}

/** The Graph checkpoint a previous attempt heartbeated for the same operation, if any and readable. */
export function graphResumePoint(
  details: unknown,
  operationId: string,
  handoff: TallyHandoff,
): GraphResumePoint | undefined {
  const checkpoint = GraphReconcileProgressSchema.safeParse(details).data?.resumeFrom;
  return checkpoint === undefined ? undefined : checkpointResumePoint(checkpoint, operationId, handoff);
}

/** A checkpoint of the same operation with its tally: handed over by this worker, else decompressed if readable. */
export function checkpointResumePoint(
  checkpoint: GraphCheckpoint,
  operationId: string,
  handoff: TallyHandoff,
): GraphResumePoint | undefined {
  if (checkpoint.operationId !== operationId) return undefined;
  const tally = handoff.take(checkpoint.tally) ?? decompressTally(checkpoint.tally);
  return tally === undefined ? undefined : { checkpoint, tally };
}

/** Where the checkpoint after `pages` pages fits the budget: the next page and the totals so far; else undefined. */
export function checkpointOf(
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
export function resumePoint(details: unknown): ResumePoint | undefined {
  const checkpoint = ReconcileProgressSchema.safeParse(details).data?.resumeFrom;
  if (checkpoint === undefined) return undefined;
  const tally = decompressTally(checkpoint.tally);
  return tally === undefined ? undefined : { checkpoint, tally };
}
