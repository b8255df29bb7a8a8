import type { Client } from '@temporalio/client';
import {
  leadTimeProblem,
  listedSubscription,
  startSubscriptionLifecycle,
  validateRenewalPolicy,
  type RenewalPolicy,
} from '../client';
import type { PartnerCenterClient, Subscription } from '../partner-center';
import type { Action } from './action';
import { CliFailure, UsageError } from './errors';
import type { Values } from './flags';

/** A subscription in one of these states has nothing left to renew: it gets no lifecycle. */
const ENDED = new Set(['deleted', 'expired', 'cancelled']);

export interface AdoptionSummary {
  customers: number;
  /** Lifecycles this command started. */
  adopted: number;
  /** Subscriptions that already had one (adopted before, or started by their purchase). */
  alreadyAdopted: number;
  /** Deleted or expired subscriptions, left alone. */
  ended: number;
  /** Subscriptions the policy does not fit (a lead time over their term): no lifecycle was started for them. */
  skipped: SkippedSubscription[];
}

export interface SkippedSubscription {
  customerId: string;
  subscriptionId: string;
  /** Names the policy field and its rule, e.g. `leadTime must not be longer than the subscription's term P1M …`. */
  reason: string;
}

type CustomerCounts = Omit<AdoptionSummary, 'customers'>;

/**
 * `pcw subscriptions adopt --customer GUID | --all [policy flags]`: a lifecycle for every live subscription of one
 * customer or of every customer (paged). Idempotent: a subscription that has one keeps it (and its policy).
 */
export function planAdopt(values: Values, policy: RenewalPolicy | undefined): Action {
  const customer = values.customer;
  if ((customer === undefined) === (values.all !== true))
    throw new UsageError(['subscriptions adopt needs exactly one of --customer GUID or --all']);
  return async ({ client, taskQueue, out, partnerCenter }) => {
    if (partnerCenter === undefined)
      throw new CliFailure(
        'PartnerCenterNotConfigured',
        'subscriptions adopt reads the subscriptions from Partner Center: set AZURE_TENANT_ID, AZURE_CLIENT_ID and a credential (see pcw doctor)',
      );
    const summary = await adoptSubscriptions(client, partnerCenter(), {
      taskQueue,
      policy,
      ...(customer !== undefined ? { customerId: customer } : {}),
      onCustomer: (customerId, counts) => {
        if (out.json) return;
        out.emit(counts, `customer ${customerId}: ${describeCounts(counts)}`);
        for (const { subscriptionId, reason } of counts.skipped)
          out.emit(counts, `  skipped ${subscriptionId}: ${reason}`);
      },
    });
    out.emit(summary, `${describeCounts(summary)}, across ${summary.customers} customer(s)`);
  };
}

export interface AdoptOptions {
  taskQueue: string;
  policy?: RenewalPolicy;
  /** One customer; absent: every customer of the partner, paged. */
  customerId?: string;
  /** Told of each customer once its subscriptions are adopted. */
  onCustomer?: (customerId: string, counts: CustomerCounts) => void;
}

function describeCounts(counts: CustomerCounts): string {
  const skipped = counts.skipped.length > 0 ? `, ${counts.skipped.length} skipped` : '';
  return `${counts.adopted} subscription(s) adopted, ${counts.alreadyAdopted} already adopted, ${counts.ended} ended${skipped}`;
}

/**
 * The adoption itself (`pcw subscriptions adopt`, and the lifecycles bench): lists the customers' subscriptions and
 * starts a lifecycle for each live one that has none.
 */
export async function adoptSubscriptions(
  client: Client,
  pc: PartnerCenterClient,
  options: AdoptOptions,
): Promise<AdoptionSummary> {
  const summary: AdoptionSummary = { customers: 0, adopted: 0, alreadyAdopted: 0, ended: 0, skipped: [] };
  const customers = options.customerId !== undefined ? [options.customerId] : customerIdsOf(pc);
  for await (const customerId of customers) {
    const counts = await adoptCustomer(client, pc, customerId, options);
    summary.customers += 1;
    summary.adopted += counts.adopted;
    summary.alreadyAdopted += counts.alreadyAdopted;
    summary.ended += counts.ended;
    summary.skipped.push(...counts.skipped);
    options.onCustomer?.(customerId, counts);
  }
  return summary;
}

async function* customerIdsOf(pc: PartnerCenterClient): AsyncIterable<string> {
  for await (const customer of pc.listCustomers()) yield customer.id;
}

async function adoptCustomer(
  client: Client,
  pc: PartnerCenterClient,
  customerId: string,
  options: { taskQueue: string; policy?: RenewalPolicy },
): Promise<CustomerCounts> {
  const counts: CustomerCounts = { adopted: 0, alreadyAdopted: 0, ended: 0, skipped: [] };
  const subscriptions: Subscription[] = await pc.listSubscriptions(customerId);
  const listedAt = new Date();
  for (const subscription of subscriptions) {
    if (ENDED.has(String(subscription.status).toLowerCase())) {
      counts.ended += 1;
      continue;
    }
    const listed = listedSubscription(subscription, listedAt);
    const misfit = policyMisfit(options.policy, listed);
    if (misfit !== undefined) {
      counts.skipped.push({ customerId, subscriptionId: subscription.id, reason: misfit });
      continue;
    }
    // The subscription as listed: its lifecycle starts from it instead of reading it again.
    const handle = await startSubscriptionLifecycle(
      client,
      { customerId, subscriptionId: subscription.id, ...(options.policy ? { policy: options.policy } : {}), listed },
      { taskQueue: options.taskQueue },
    );
    if (handle.newlyStarted) counts.adopted += 1;
    else counts.alreadyAdopted += 1;
  }
  return counts;
}

/**
 * Why the caller's policy does not fit this subscription (its lead time is longer than the term, which the lifecycle
 * would refuse at its start), or undefined. Only a lead time the caller gave: the worker's default fits every
 * lifecycle it starts (a monthly term is not reviewed unless includeMonthly).
 */
function policyMisfit(policy: RenewalPolicy | undefined, listed: { termDuration: string }): string | undefined {
  if (policy?.leadTime === undefined) return undefined;
  const validation = validateRenewalPolicy(policy);
  if (!validation.ok) return undefined; // the lifecycle names every problem of an invalid policy itself
  const problem = leadTimeProblem(validation.request, listed, {});
  return problem === undefined ? undefined : `${problem.field} ${problem.problem}`;
}
