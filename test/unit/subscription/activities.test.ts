import { ApplicationFailureCategory } from '@temporalio/common';
import { createSubscriptionActivities } from '../../../src/activities/subscription/activities';
import {
  createCatalogResolver,
  createPartnerCenterClient,
  createTokenProvider,
  type PartnerCenterClient,
} from '../../../src/partner-center';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import type { PatchChange as SubscriptionChange } from '../../../src/workflows/subscription/types';
import { activityContext, applicationFailureOf } from '../../support/activities';

/**
 * The change activities under MockActivityEnvironment, against the real Partner Center client (real
 * msal-node tokens) and the sandbox over loopback HTTP. A fetch wrapper records what goes on the wire.
 */

interface SentRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

let sandbox: Sandbox;
let client: PartnerCenterClient;
let customerId: string;
let catalogItemId: string;
const sent: SentRequest[] = [];

const recordingFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const headers = Object.fromEntries(
    Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const body = typeof init?.body === 'string' && init.body !== '' ? (JSON.parse(init.body) as unknown) : undefined;
  sent.push({ method: init?.method ?? 'GET', path: url.pathname, headers, body });
  return fetch(input, init);
};

beforeAll(async () => {
  sandbox = await startSandbox({ orderCompletionDelayMs: 0 });
  customerId = sandbox.customerIds[0]!;
  client = createPartnerCenterClient({
    baseUrl: sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
    fetch: recordingFetch,
  });
  const offer = await createCatalogResolver(client).resolve({
    productId: 'CFQ7TTC0LH18',
    skuId: '0001',
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    country: 'US',
    segment: 'commercial',
  });
  catalogItemId = offer.catalogItemId;
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(async () => {
  await sandbox.control.clearFaults();
  await sandbox.control.setDelays({ patchAcceptedMs: 0 });
});

/** A fresh active subscription of `quantity` seats (cart, checkout, order completed). */
async function buy(quantity: number): Promise<string> {
  const cart = await client.createCart(customerId, {
    lineItems: [{ id: 0, catalogItemId, quantity, termDuration: 'P1Y', billingCycle: 'monthly' }],
  });
  const checkout = await client.checkoutCart(customerId, cart.id);
  const order = await client.getOrder(customerId, checkout.orders[0]!.id);
  const subscriptionId = order.lineItems[0]?.subscriptionId;
  if (subscriptionId === undefined) throw new Error(`order ${order.id} is ${order.status} without a subscription`);
  return subscriptionId;
}

const activities = () => createSubscriptionActivities({ partnerCenter: client });

let activitiesStarted = 0;
/**
 * One activity context per call (a context is reused, cancellation included). Each gets its own activity
 * id unless told, as in a workflow: the sandbox replays a repeated MS-RequestId's first answer.
 */
const environment = (activityId = `a${++activitiesStarted}`, attempt = 1, runId = 'run-1') =>
  activityContext({ activityId, attempt, workflowExecution: { workflowId: 'change-r1', runId } });

const patches = () => sent.filter((r) => r.method === 'PATCH');
const apply = (subscriptionId: string, change: SubscriptionChange, env = environment()) =>
  env.run(activities().applySubscriptionChange, { customerId, subscriptionId, change });

describe('readSubscriptionForChange', () => {
  it('reads the subscription with its refund facts and when it was read', async () => {
    const subscriptionId = await buy(4);
    const view = await environment().run(activities().readSubscriptionForChange, { customerId, subscriptionId });
    expect(view).toMatchObject({
      id: subscriptionId,
      catalogItemId,
      quantity: 4,
      status: 'active',
      autoRenewEnabled: true,
      termDuration: 'P1Y',
      billingCycle: 'monthly',
    });
    expect(view.refundableQuantity).toEqual({
      totalQuantity: 4,
      details: [{ quantity: 4, allowedUntilDateTime: view.cancellationAllowedUntilDate }],
    });
    expect(view.refundOptions.map((o) => o.type)).toEqual(['Full', 'Partial']);
    expect(Date.parse(view.readAt)).not.toBeNaN();
  });

  it('fails ChangeRejected (non-retryable) for an unknown subscription, with the Partner Center code', async () => {
    const failure = await applicationFailureOf(
      environment().run(activities().readSubscriptionForChange, {
        customerId,
        subscriptionId: '00000000-0000-4000-8000-000000000000',
      }),
    );
    expect(failure.type).toBe('ChangeRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details).toEqual([expect.objectContaining({ status: 404, code: 800002 })]);
  });
});

describe('applySubscriptionChange', () => {
  it('sends the full resource with only the change applied, its etag in If-Match', async () => {
    const subscriptionId = await buy(5);
    await apply(subscriptionId, { action: 'scheduleNextTerm', quantity: 7 });
    const before = await client.getSubscription(customerId, subscriptionId);
    sent.length = 0;

    const outcome = await apply(subscriptionId, { action: 'rename', friendlyName: 'Finance' });

    const [patch] = patches();
    expect(patch?.headers['if-match']).toBe(`"${before.attributes?.etag}"`);
    expect(patch?.body).toMatchObject({
      id: subscriptionId,
      friendlyName: 'Finance',
      quantity: 5,
      autoRenewEnabled: true,
      status: 'active',
      scheduledNextTermInstructions: { quantity: 7, product: { productId: 'CFQ7TTC0LH18', skuId: '0001' } },
      billingCycle: 'monthly',
      termDuration: 'P1Y',
    });
    expect(outcome).toMatchObject({
      completion: 'immediate',
      subscription: { friendlyName: 'Finance', autoRenewEnabled: true, scheduledNextTerm: { quantity: 7 } },
    });
  });

  it('drops scheduled instructions when auto-renew is turned off (they would apply at a renewal that no longer happens)', async () => {
    const subscriptionId = await buy(3);
    await apply(subscriptionId, { action: 'scheduleNextTerm', billingCycle: 'annual' });
    const outcome = await apply(subscriptionId, { action: 'setAutoRenew', enabled: false });
    expect(outcome).toMatchObject({ completion: 'immediate', subscription: { autoRenewEnabled: false } });
    expect(outcome.completion !== 'accepted' && outcome.subscription.scheduledNextTerm).toBeUndefined();
  });

  it('uses one GUID MS-RequestId on every attempt of the activity, another for another activity', async () => {
    const subscriptionId = await buy(2);
    await sandbox.control.addFault({
      method: 'PATCH',
      path: '/v1/customers/*/subscriptions/*',
      kind: 'status',
      status: 503,
      count: 1,
    });
    sent.length = 0;
    const transient = await applicationFailureOf(
      apply(subscriptionId, { action: 'setQuantity', quantity: 3 }, environment('3', 1)),
    );
    expect(transient.nonRetryable).toBeFalsy();
    await apply(subscriptionId, { action: 'setQuantity', quantity: 3 }, environment('3', 2));
    await apply(subscriptionId, { action: 'setQuantity', quantity: 4 }, environment('4', 1));
    const ids = patches().map((p) => p.headers['ms-requestid']);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('makes 409/800082 a retryable SubscriptionBusy', async () => {
    const subscriptionId = await buy(2);
    await sandbox.control.addFault({
      method: 'PATCH',
      path: '/v1/customers/*/subscriptions/*',
      kind: 'status',
      status: 409,
      code: 800082,
      count: 1,
    });
    const failure = await applicationFailureOf(apply(subscriptionId, { action: 'setQuantity', quantity: 3 }));
    expect(failure.type).toBe('SubscriptionBusy');
    expect(failure.nonRetryable).toBeFalsy();
    expect(failure.details).toEqual([expect.objectContaining({ status: 409, code: 800082 })]);
  });

  it.each([900213, 900214, 800090])(
    'maps Partner Center window refusal %d to OutsideCancellationWindow',
    async (code) => {
      const subscriptionId = await buy(2);
      await sandbox.control.addFault({
        method: 'PATCH',
        path: '/v1/customers/*/subscriptions/*',
        kind: 'status',
        status: 400,
        code,
        count: 1,
      });
      const failure = await applicationFailureOf(apply(subscriptionId, { action: 'setQuantity', quantity: 1 }));
      expect(failure.type).toBe('OutsideCancellationWindow');
      expect(failure.nonRetryable).toBe(true);
    },
  );

  it('makes any other refusal ChangeRejected with the Partner Center code', async () => {
    const subscriptionId = await buy(2);
    const failure = await applicationFailureOf(apply(subscriptionId, { action: 'setQuantity', quantity: 301 }));
    expect(failure.type).toBe('ChangeRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details).toEqual([expect.objectContaining({ status: 400, code: 2002 })]);
  });

  it('re-checks the rules on its own fresh read and refuses without a PATCH', async () => {
    const subscriptionId = await buy(2);
    await apply(subscriptionId, { action: 'setAutoRenew', enabled: false });
    sent.length = 0;
    const failure = await applicationFailureOf(apply(subscriptionId, { action: 'scheduleNextTerm', quantity: 3 }));
    expect(failure.type).toBe('ChangeRejected');
    expect(failure.details).toEqual([expect.objectContaining({ code: 'AutoRenewRequired' })]);
    expect(patches()).toEqual([]);
  });

  it('refuses any change of a suspended subscription without a PATCH', async () => {
    const subscriptionId = await buy(2);
    const subscription = await client.getSubscription(customerId, subscriptionId);
    await client.updateSubscription(customerId, { ...subscription, status: 'suspended' });
    sent.length = 0;
    const failure = await applicationFailureOf(apply(subscriptionId, { action: 'setQuantity', quantity: 3 }));
    expect(failure.type).toBe('ChangeRejected');
    expect(failure.details).toEqual([expect.objectContaining({ code: 'SubscriptionNotActive', status: 'suspended' })]);
    expect(patches()).toEqual([]);
  });

  it('finds a change already in effect and sends nothing', async () => {
    const subscriptionId = await buy(2);
    sent.length = 0;
    const outcome = await apply(subscriptionId, { action: 'setQuantity', quantity: 2 });
    expect(outcome).toMatchObject({ completion: 'already-in-effect', subscription: { quantity: 2 } });
    expect(patches()).toEqual([]);
  });
});

describe('awaitSubscriptionChange after a 202', () => {
  it('answers a BENIGN "not yet" until the accepted change lands, then the subscription', async () => {
    const subscriptionId = await buy(2);
    await sandbox.control.setDelays({ patchAcceptedMs: 60_000 });
    const outcome = await apply(subscriptionId, { action: 'cancel' });
    expect(outcome).toEqual({
      completion: 'accepted',
      location: `/customers/${customerId}/subscriptions/${subscriptionId}`,
      target: { status: 'deleted' },
    });
    if (outcome.completion !== 'accepted') return;

    const poll = () =>
      environment('5').run(activities().awaitSubscriptionChange, {
        customerId,
        subscriptionId,
        target: outcome.target,
      });
    const notYet = await applicationFailureOf(poll());
    expect(notYet.category).toBe(ApplicationFailureCategory.BENIGN);
    expect(notYet.nonRetryable).toBeFalsy();

    await sandbox.control.advanceClock(61_000);
    expect(await poll()).toMatchObject({ id: subscriptionId, status: 'deleted' });
  });
});
