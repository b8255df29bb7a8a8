import type { BillingTally } from './seat-model';

/**
 * The tallies of export-read segments this worker has just stopped, for the next segment's activity, which
 * usually runs on the same worker seconds later: it takes the live tally instead of decompressing it out of its
 * checkpoint. Why: restoring 5,000 subscriptions allocates ~10 MiB (the JSON text, `JSON.parse`, zod's copy) that
 * the read keeps past V8's young generation, so each segment left that much garbage in the old generation until
 * a full GC — the worker's heap grew by segment (3,000,000 lines, 6 segments: +65 MiB).
 *
 * A tally is keyed by its checkpoint's compressed tally, so what is taken equals what decompressing would give;
 * it is taken once, since the taker folds lines into it. Kept `keepMs` at most, `capacity` at most: a chain that
 * stops between segments (cancelled, or its next run on another worker) leaves nothing behind for long.
 */
export class TallyHandoff {
  private readonly tallies = new Map<string, { tally: BillingTally; expiry: NodeJS.Timeout }>();

  constructor(
    private readonly keepMs = 60_000,
    private readonly capacity = 4,
  ) {}

  /** Keeps the tally a segment stopped with, under its checkpoint's compressed tally. */
  give(checkpointTally: string, tally: BillingTally): void {
    this.take(checkpointTally);
    if (this.tallies.size >= this.capacity) this.take(this.tallies.keys().next().value as string);
    const expiry = setTimeout(() => this.take(checkpointTally), this.keepMs).unref();
    this.tallies.set(checkpointTally, { tally, expiry });
  }

  /** The tally kept under this checkpoint's compressed tally, if any: once. */
  take(checkpointTally: string): BillingTally | undefined {
    const kept = this.tallies.get(checkpointTally);
    if (kept === undefined) return undefined;
    clearTimeout(kept.expiry);
    this.tallies.delete(checkpointTally);
    return kept.tally;
  }
}
