import { isPartnerCenterError, type SeekCursor } from '../../partner-center';
import type { BilledSubscription, BillingClock, ReconcileInput, ReconcileReport } from '../../workflows/billing/types';
import { readOptions } from '../common/request-ids';
import { CHECKPOINT_INTERVAL_MS, compress, matchResumePoint } from './checkpoints';
import { matchCustomer, type CustomerMatch } from './customer-match';
import type { BillingActivityDeps } from './deps';
import { buildReport } from './report';
import type { BillingTally, CustomerFacts } from './seat-model';

/** Matching progress both reads report. */
export interface MatchProgress {
  phase: string;
  customers: number;
  customersMatched: number;
  matchResume?: string;
}

type MatchDeps = Pick<BillingActivityDeps, 'partnerCenter' | 'customerPageSize'>;

/**
 * Matches the folded lines with the subscriptions and orders of the request's customer — or, without one,
 * of every customer of the partner (page by page) and of any other that has lines — and builds the report.
 * `beatEachCustomer` false: it beats with its checkpoint, at most once a second (and on a failed read). The SDK
 * serialises the whole details (both checkpoints) on every beat: per customer, that cost the bench's worker ~40 MiB
 * more RSS matching the 500 customers of a Graph export (docs/benchmarks.md, billing export).
 */
export async function matchAndReport(
  deps: MatchDeps,
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

  const matching = new CustomerMatching(deps, input, clock, billedByCustomer, progress, beat, beatEachCustomer);
  if (input.customerId !== undefined) {
    progress.customers = 1;
    await matching.match(input.customerId);
  } else {
    // Every customer of the partner, also those without a line: a purchase never billed shows only there.
    let cursor: SeekCursor | undefined;
    do {
      const page = await deps.partnerCenter.listCustomersPage({ size: deps.customerPageSize }, cursor, readOptions());
      const unseen = page.items.map((c) => c.id.toLowerCase()).filter((id) => !matching.seen(id));
      progress.customers += unseen.length;
      for (const customer of page.items) await matching.match(customer.id.toLowerCase());
      cursor = page.next;
    } while (cursor !== undefined);
    // Lines of customers not (or no longer) listed: their charges are all unexpected.
    for (const customerId of [...billedByCustomer.keys()]) await matching.match(customerId);
  }
  return buildReport(input, tally, matching.matches, matching.matches.length);
}

/**
 * The customers matched so far, from the previous attempt's matching checkpoint on, and that checkpoint kept in
 * the progress: at most once a second, and on a failed read.
 */
class CustomerMatching {
  readonly matches: CustomerMatch[];
  private readonly done: Set<string>;
  private checkpointsFit = true;
  private checkpointedAt = Date.now();

  constructor(
    private readonly deps: MatchDeps,
    private readonly input: ReconcileInput,
    private readonly clock: BillingClock,
    private readonly billedByCustomer: Map<string, BilledSubscription[]>,
    private readonly progress: MatchProgress,
    private readonly beat: () => void,
    private readonly beatEachCustomer: boolean,
  ) {
    const resumed = matchResumePoint(progress.matchResume);
    this.done = new Set(resumed?.customers);
    this.matches = resumed?.matches ?? [];
    progress.customersMatched = this.done.size;
  }

  /** Whether the customer is among those with lines or already matched. */
  seen(customerId: string): boolean {
    return this.billedByCustomer.has(customerId) || this.done.has(customerId);
  }

  async match(customerId: string): Promise<void> {
    const billed = this.billedByCustomer.get(customerId) ?? [];
    this.billedByCustomer.delete(customerId);
    if (this.done.has(customerId)) return;
    let facts: CustomerFacts;
    try {
      facts = await customerFacts(this.deps, customerId);
    } catch (err) {
      // The attempt ends here (a 429 is retried after its Retry-After): its last heartbeat resumes after the customers done.
      this.checkpoint();
      this.beat();
      throw err;
    }
    this.matches.push(matchCustomer(customerId, billed, facts, this.input, this.clock));
    this.done.add(customerId);
    this.progress.customersMatched += 1;
    // Compressing every finding so far per customer would be quadratic: at most once a second, and on a failed read.
    const due = Date.now() - this.checkpointedAt >= CHECKPOINT_INTERVAL_MS;
    if (due) this.checkpoint();
    if (due || this.beatEachCustomer) this.beat();
  }

  private checkpoint(): void {
    const compressed = this.checkpointsFit ? compress({ customers: [...this.done], matches: this.matches }) : undefined;
    if (compressed !== undefined) this.progress.matchResume = compressed;
    else this.checkpointsFit = false;
    this.checkpointedAt = Date.now();
  }
}

/** A customer's subscriptions and orders. One that is not (or no longer) the partner's has none: its charges are all unexpected. */
async function customerFacts(deps: MatchDeps, customerId: string): Promise<CustomerFacts> {
  if (customerId === '') return { subscriptions: [], orders: [] };
  try {
    const [subscriptions, orders] = await Promise.all([
      deps.partnerCenter.listSubscriptions(customerId, readOptions()),
      deps.partnerCenter.listOrders(customerId, readOptions()),
    ]);
    return { subscriptions, orders };
  } catch (err) {
    if (isPartnerCenterError(err) && err.kind === 'not-found') return { subscriptions: [], orders: [] };
    throw err;
  }
}
