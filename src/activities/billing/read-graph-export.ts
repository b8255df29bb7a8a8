import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { isSasRefused, type ExportManifest, type GraphBillingClient } from '../../partner-center';
import { billingFailureTypes } from '../../workflows/billing/failures';
import {
  DEFAULT_BILLING_DELAY_HOURS,
  type BillingClock,
  type GraphReconcileInput,
  type ReconcileReport,
  type UnfinishedExportRead,
} from '../../workflows/billing/types';
import { toActivityFailure } from '../common/failures';
import {
  checkpointResumePoint,
  CHECKPOINT_INTERVAL_MS,
  compressTally,
  graphResumePoint,
  previousMatchResume,
  type GraphCheckpoint,
  type GraphReconcileProgress,
  type GraphResumePoint,
} from './checkpoints';
import { graphClientOf, type BillingActivityDeps } from './deps';
import { matchAndReport } from './match';
import { addLine, createTally, type BillingTally } from './seat-model';
import type { TallyHandoff } from './tally-handoff';

/**
 * Lines of a Graph export read per workflow run: past them the read stops at a checkpoint and the run continues
 * as new (the issue: large exports continue-as-new rather than grow history). Half a million lines take the
 * activity ~8 s on the bench's machine; each segment adds a run of a dozen events carrying the checkpoint twice
 * (the activity's result and the next run's input, each within CHECKPOINT_BUDGET_BYTES).
 */
export const EXPORT_SEGMENT_LINES = 500_000;
/** A SAS refused more often than this in a row for one blob is not an expiry: fail. */
const MAX_SAS_REFRESHES = 3;
/** Polls of a running export are at most this far apart, so the heartbeat each poll sends beats the workflow's 1-minute heartbeat timeout. */
const MAX_EXPORT_POLL_INTERVAL_MS = 30_000;

export interface GraphReadDeps extends BillingActivityDeps {
  /** The tallies of segments this worker just stopped, for the next segment's activity (tally-handoff.ts). */
  handoff: TallyHandoff;
}

/**
 * Waits for the export (Retry-After), streams every blob of its manifest and folds the lines into
 * per-subscription totals (memory grows with subscriptions, never with lines), then matches them like
 * the v1 read. The heartbeat carries the operation id and the blob and line to resume from: a retry
 * after a lost worker reads the same operation again (a fresh manifest) and continues there.
 * With `input.segments` it stops after `exportSegmentLines` lines (counted from `input.resumeFrom`, where
 * the previous run stopped) and answers that checkpoint instead, so the workflow continues as new from it.
 */
export async function reconcileGraphExport(
  deps: GraphReadDeps,
  input: GraphReconcileInput,
): Promise<ReconcileReport | UnfinishedExportRead> {
  const { handoff } = deps;
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
      graphClientOf(deps),
      input,
      progress,
      heartbeated ?? runStart,
      input.segments ? linesBefore + (deps.exportSegmentLines ?? EXPORT_SEGMENT_LINES) : undefined,
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
    return await matchAndReport(deps, input, read.tally, clock, progress, () => heartbeat({ ...progress }), false);
  } catch (err) {
    throw toActivityFailure(err, billingFailureTypes.reconciliationFailed);
  }
}

/**
 * Streams the export's blobs from `from` on into the tally, checkpointing (at most every
 * CHECKPOINT_INTERVAL_MS and after each blob) the blob and line to resume from. An expired SAS
 * is renewed by reading the operation again — a fresh manifest, never a new export. With `segmentEnd`
 * (lines of every customer) it stops at the first line past it and answers the checkpoint there, if the
 * tally fits the checkpoint budget; a tally too big to carry reads on to the end.
 */
async function readExport(
  graph: GraphBillingClient,
  input: GraphReconcileInput,
  progress: GraphReconcileProgress,
  from: GraphResumePoint | undefined,
  segmentEnd: number | undefined,
): Promise<{ tally: BillingTally; stoppedAt?: GraphCheckpoint }> {
  const signal = cancellationSignal();
  const tally = from?.tally ?? createTally();
  progress.resumeFrom = from?.checkpoint;
  progress.lines = tally.lines;
  progress.linesRead = from?.checkpoint.linesRead ?? 0;
  heartbeat({ ...progress });
  const manifest = await waitForManifest(graph, input.operationId, progress, signal);
  progress.phase = 'reading-lines';
  progress.blobs = manifest.blobs.length;
  const reader = new ExportReader(graph, manifest, signal, input, progress, tally, segmentEnd);
  for (let blob = from?.checkpoint.blob ?? 0; blob < reader.blobs; blob += 1) {
    const stoppedAt = await reader.readBlob(blob, blob === from?.checkpoint.blob ? from.checkpoint.line : 0);
    if (stoppedAt !== undefined) return { tally, stoppedAt };
    reader.checkpoint(blob + 1, 0);
  }
  return { tally };
}

/** The export's manifest once it is ready: each poll (its Retry-After, at most MAX_EXPORT_POLL_INTERVAL_MS) heartbeats. */
function waitForManifest(
  graph: GraphBillingClient,
  operationId: string,
  progress: GraphReconcileProgress,
  signal: AbortSignal,
): Promise<ExportManifest> {
  return graph.waitForExport(operationId, {
    signal,
    maxWaitMs: MAX_EXPORT_POLL_INTERVAL_MS,
    onPoll: () => {
      progress.polls += 1;
      heartbeat({ ...progress });
    },
  });
}

/** One read of an export's lines into a tally: the manifest it reads from, and the checkpoint it keeps in the progress. */
class ExportReader {
  private checkpointsFit = true;
  private checkpointedAt = Date.now();

  constructor(
    private readonly graph: GraphBillingClient,
    private manifest: ExportManifest,
    private readonly signal: AbortSignal,
    private readonly input: GraphReconcileInput,
    private readonly progress: GraphReconcileProgress,
    private readonly tally: BillingTally,
    private segmentEnd: number | undefined,
  ) {}

  /** Blobs of the manifest (a fresh one after an expired SAS lists the same export's). */
  get blobs(): number {
    return this.manifest.blobs.length;
  }

  /**
   * Folds one blob's lines from `fromLine` on into the tally, renewing an expired SAS; the checkpoint where the
   * segment ended, if it ended in this blob.
   */
  async readBlob(blob: number, fromLine: number): Promise<GraphCheckpoint | undefined> {
    let next = fromLine;
    for (let refreshes = 0; ; refreshes += 1) {
      try {
        const batches = this.graph.exportLines(this.manifest, blob, { fromLine: next, signal: this.signal });
        for await (const batch of batches) {
          for (const { lineNumber, line } of batch) {
            // Checked before the line counts, so a segment never ends after the export's last line.
            const stoppedAt = this.segmentEnded() ? this.segmentStop(blob, lineNumber) : undefined;
            if (stoppedAt !== undefined) return stoppedAt;
            next = lineNumber + 1;
            this.progress.linesRead += 1;
            if (
              line !== undefined &&
              (this.input.customerId === undefined || line.customerId?.toLowerCase() === this.input.customerId)
            )
              addLine(this.tally, line);
          }
          if (Date.now() - this.checkpointedAt >= CHECKPOINT_INTERVAL_MS) this.checkpoint(blob, next);
        }
        return undefined;
      } catch (err) {
        if (!isSasRefused(err) || refreshes >= MAX_SAS_REFRESHES) throw err;
        log.info('The export SAS was refused (expired); reading the operation again for a fresh manifest', { blob });
        this.manifest = await waitForManifest(this.graph, this.input.operationId, this.progress, this.signal);
      }
    }
  }

  /** Keeps the blob and line to resume from in the progress (if the tally fits the budget) and heartbeats it. */
  checkpoint(blob: number, line: number): void {
    const compressed = this.checkpointsFit ? compressTally(this.tally) : undefined;
    if (compressed !== undefined)
      this.progress.resumeFrom = {
        operationId: this.input.operationId,
        blob,
        line,
        tally: compressed,
        linesRead: this.progress.linesRead,
      };
    else this.checkpointsFit = false;
    this.progress.lines = this.tally.lines;
    heartbeat({ ...this.progress });
    this.checkpointedAt = Date.now();
  }

  private segmentEnded(): boolean {
    return this.segmentEnd !== undefined && this.progress.linesRead >= this.segmentEnd;
  }

  /** At the segment's end: the checkpoint to stop at, or undefined to read on (the tally no longer fits). */
  private segmentStop(blob: number, line: number): GraphCheckpoint | undefined {
    this.segmentEnd = undefined;
    this.checkpoint(blob, line);
    return this.checkpointsFit ? this.progress.resumeFrom : undefined;
  }
}
