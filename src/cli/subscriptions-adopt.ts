import type { Client } from '@temporalio/client';
import { startSubscriptionLifecycle, type RenewalPolicy } from '../client';
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
}

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
        if (!out.json)
          out.emit(
            counts,
            `customer ${customerId}: ${counts.adopted} adopted, ${counts.alreadyAdopted} already adopted, ${counts.ended} ended`,
          );
      },
    });
    out.emit(
      summary,
      `${summary.adopted} subscription(s) adopted, ${summary.alreadyAdopted} already adopted, ${summary.ended} ended, across ${summary.customers} customer(s)`,
    );
  };
}

export interface AdoptOptions {
  taskQueue: string;
  policy?: RenewalPolicy;
  /** One customer; absent: every customer of the partner, paged. */
  customerId?: string;
  /** Told of each customer once its subscriptions are adopted. */
  onCustomer?: (customerId: string, counts: Omit<AdoptionSummary, 'customers'>) => void;
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
  const summary: AdoptionSummary = { customers: 0, adopted: 0, alreadyAdopted: 0, ended: 0 };
  const customers = options.customerId !== undefined ? [options.customerId] : customerIdsOf(pc);
  for await (const customerId of customers) {
    const counts = await adoptCustomer(client, pc, customerId, options);
    summary.customers += 1;
    summary.adopted += counts.adopted;
    summary.alreadyAdopted += counts.alreadyAdopted;
    summary.ended += counts.ended;
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
): Promise<Omit<AdoptionSummary, 'customers'>> {
  const counts = { adopted: 0, alreadyAdopted: 0, ended: 0 };
  const subscriptions: Subscription[] = await pc.listSubscriptions(customerId);
  for (const subscription of subscriptions) {
    if (ENDED.has(String(subscription.status).toLowerCase())) {
      counts.ended += 1;
      continue;
    }
    const handle = await startSubscriptionLifecycle(
      client,
      { customerId, subscriptionId: subscription.id, ...(options.policy ? { policy: options.policy } : {}) },
      { taskQueue: options.taskQueue },
    );
    if (handle.newlyStarted) counts.adopted += 1;
    else counts.alreadyAdopted += 1;
  }
  return counts;
}
