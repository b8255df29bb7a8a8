import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { createSubscriptionActivities, type LicenceUsageReader } from '../../../src/activities/subscription/activities';
import {
  createCatalogResolver,
  createPartnerCenterClient,
  createTokenProvider,
  type PartnerCenterClient,
} from '../../../src/partner-center';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import { activityContext, applicationFailureOf } from '../../support/activities';

/**
 * The lifecycle's activities under MockActivityEnvironment, against the real Partner Center client and the sandbox
 * over loopback HTTP. The customer-tenant Graph client is another part's work: its one method is stood in for here.
 */

let sandbox: Sandbox;
let client: PartnerCenterClient;
let customerId: string;
let catalogItemId: string;

beforeAll(async () => {
  sandbox = await startSandbox({ orderCompletionDelayMs: 0 });
  customerId = sandbox.customerIds[0]!;
  client = createPartnerCenterClient({
    baseUrl: sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
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

async function buy(quantity: number): Promise<string> {
  const cart = await client.createCart(customerId, {
    lineItems: [{ id: 0, catalogItemId, quantity, termDuration: 'P1Y', billingCycle: 'monthly' }],
  });
  const checkout = await client.checkoutCart(customerId, cart.id);
  const order = await client.getOrder(customerId, checkout.orders[0]!.id);
  const subscriptionId = order.lineItems[0]?.subscriptionId;
  if (subscriptionId === undefined) throw new Error(`order ${order.id} has no subscription`);
  return subscriptionId;
}

const run = () =>
  activityContext({ activityId: 'a1', workflowExecution: { workflowId: 'subscription-x', runId: 'r' } });

describe('readSubscriptionForLifecycle', () => {
  it('reads the subscription, and answers a 404 with no subscription (the lifecycle ends)', async () => {
    const subscriptionId = await buy(3);
    const activities = createSubscriptionActivities({ partnerCenter: client });
    const read = await run().run(activities.readSubscriptionForLifecycle, { customerId, subscriptionId });
    expect(read.subscription).toMatchObject({ id: subscriptionId, quantity: 3, status: 'active', termDuration: 'P1Y' });
    const gone = await run().run(activities.readSubscriptionForLifecycle, {
      customerId,
      subscriptionId: '00000000-0000-4000-8000-000000000000',
    });
    expect(gone.subscription).toBeUndefined();
    expect(Date.parse(gone.readAt)).not.toBeNaN();
  });
});

describe('readLicenceUsage', () => {
  it('reads the SKU and the other subscriptions carrying it as Partner Center shows them', async () => {
    const [ours, other] = [await buy(10), await buy(5)];
    const reader: LicenceUsageReader = {
      readLicenceUsage: async (tenant, ids) => {
        expect([tenant, ids]).toEqual([customerId, [ours]]);
        return {
          skuId: 'sku-basic',
          skuPartNumber: 'O365_BUSINESS_ESSENTIALS',
          assigned: 12,
          total: 15,
          subscriptions: [
            { subscriptionId: ours, totalLicenses: 10 },
            { subscriptionId: other, totalLicenses: 5 },
            // Not Partner Center's (another reseller's): its seats are counted as kept.
            { subscriptionId: '00000000-0000-4000-8000-000000000001', totalLicenses: 2 },
          ],
        };
      },
    };
    const activities = createSubscriptionActivities({ partnerCenter: client, licenceUsage: reader });
    const usage = await run().run(activities.readLicenceUsage, { customerId, subscriptionId: ours });
    expect(usage).toMatchObject({
      skuId: 'sku-basic',
      skuPartNumber: 'O365_BUSINESS_ESSENTIALS',
      assigned: 12,
      total: 15,
    });
    expect(usage.siblings).toEqual([
      { subscriptionId: other, seats: 5, renewsAt: expect.any(String), nextTermSeats: 5 },
      { subscriptionId: '00000000-0000-4000-8000-000000000001', seats: 2 },
    ]);
  });

  it('fails non-retryable, saying so, when the worker has no licence reader', async () => {
    const activities = createSubscriptionActivities({ partnerCenter: client });
    const failure = await applicationFailureOf(
      run().run(activities.readLicenceUsage, { customerId, subscriptionId: 'x' }),
    );
    expect(failure).toMatchObject({ type: 'LicenceUsageUnavailable', nonRetryable: true });
    expect(failure.message).toMatch(/no customer-tenant licence reader is configured/);
  });

  it('fails retryable with the status first when Graph refuses (no GDAP role)', async () => {
    const forbidden = Object.assign(new Error('Forbidden: no GDAP role grants licence reads'), { status: 403 });
    const reader: LicenceUsageReader = { readLicenceUsage: async () => Promise.reject(forbidden) };
    const activities = createSubscriptionActivities({ partnerCenter: client, licenceUsage: reader });
    const failure = await applicationFailureOf(
      run().run(activities.readLicenceUsage, { customerId, subscriptionId: 'x' }),
    );
    expect(failure).toMatchObject({ type: 'LicenceUsageUnavailable', nonRetryable: false });
    expect(failure.message).toBe('403 Forbidden: no GDAP role grants licence reads');
  });
});
