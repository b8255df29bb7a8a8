import { randomInt } from 'node:crypto';
import type { Sandbox, SandboxOptions } from 'partner-center-sandbox';
import { createPartnerCenterClient, createTokenProvider, type PartnerCenterClient } from '../../../src/partner-center';
import { viewSubscriptionLifecycle, type LifecycleState } from '../../../src/client';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import { startRig, type PurchaseRig } from '../purchase/harness';

/**
 * Lifecycles against the sandbox (test/integration/subscription/lifecycle-sandbox*.test.ts): the purchase rig (dev
 * server, real worker options, sandbox over HTTP), a Partner Center client to look at what the worker did, and the
 * seeding of a subscription whose renewal review is a few seconds away.
 */

export const DAY_MS = 86_400_000;
export const BUSINESS_BASIC = { productId: 'CFQ7TTC0LH18', skuId: '0001' };

export interface LifecycleSandbox {
  rig: PurchaseRig;
  /** The sandbox's customers (each starts without subscriptions: a test per customer sees no other of the SKU). */
  customerIds: string[];
  /** Partner Center as the worker sees it. */
  pc: PartnerCenterClient;
  /** The lifecycle's state once `done` holds (it moves on its own timers). */
  stateWhen(subscriptionId: string, done: (state: LifecycleState) => boolean): Promise<LifecycleState>;
  close(): Promise<void>;
}

/**
 * A sandbox of its own seed: subscription ids derive from the seed, and lifecycles (`subscription-{id}`) other test
 * files leave open on the shared dev server must not be found as this file's.
 */
export async function startLifecycleSandbox(options: SandboxOptions = {}): Promise<LifecycleSandbox> {
  const seed = randomInt(2, 2 ** 31);
  const rig = await startRig({ orderCompletionDelayMs: 0, orderListDelayMs: 0, seed, ...options });
  const pc = createPartnerCenterClient({
    baseUrl: rig.sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(rig.sandbox)),
  });
  return {
    rig,
    customerIds: rig.sandbox.customerIds,
    pc,
    async stateWhen(subscriptionId, done) {
      const until = Date.now() + 60_000;
      for (;;) {
        const view = await viewSubscriptionLifecycle(rig.client, subscriptionId);
        const state = (view.status ?? view.result) as LifecycleState | undefined;
        if (state !== undefined && done(state)) return state;
        if (Date.now() > until) throw new Error(`lifecycle never got there; last: ${JSON.stringify(view)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    close: () => rig.close(),
  };
}

export interface RenewingSubscription {
  id: string;
  /** The term's last day (tomorrow, UTC). */
  lastDay: string;
  /** A lead time (`{n}s`) that puts the review `reviewInMs` from now. */
  leadTime: string;
  /** When the review is due (ms since epoch). */
  reviewAt: number;
}

/**
 * A Business Basic subscription (or one of `offer`) of `customerId` of `quantity` seats whose term's last day is
 * tomorrow, `assigned` licences of its SKU assigned in the customer's tenant, and the lead time that makes its review
 * due `reviewInMs` from now.
 */
export async function seedRenewingSubscription(
  { control }: Sandbox,
  customerId: string,
  { quantity, assigned, reviewInMs }: { quantity: number; assigned: number; reviewInMs: number },
  offer: { productId: string; skuId: string } = BUSINESS_BASIC,
): Promise<RenewingSubscription> {
  const { id } = await control.seedSubscription({ customerId, ...offer, termDuration: 'P1Y', quantity });
  const lastDay = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
  await control.setTermEnd(id, lastDay);
  const leadSeconds = Math.floor((Date.parse(lastDay) - Date.now() - reviewInMs) / 1000);
  await control.setAssignedSeats(customerId, { productId: offer.productId, assigned });
  return { id, lastDay, leadTime: `${leadSeconds}s`, reviewAt: Date.parse(lastDay) - leadSeconds * 1000 };
}
