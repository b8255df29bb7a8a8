import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { createSubscriptionActivities, type LicenceUsageReader } from '../../../src/activities/subscription/activities';
import {
  createCatalogResolver,
  createCustomerTenantClient,
  createPartnerCenterClient,
  createTokenProvider,
  type CustomerTenantClient,
  type PartnerCenterClient,
} from '../../../src/partner-center';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import { activityContext, applicationFailureOf } from '../../support/activities';

/**
 * The lifecycle's activities under MockActivityEnvironment, against the real Partner Center client and the sandbox
 * over loopback HTTP, the licences read through the customer-tenant Graph client from the sandbox's tenants.
 */

let sandbox: Sandbox;
let client: PartnerCenterClient;
let customerId: string;
let catalogItemId: string;
let tenants: CustomerTenantClient;

beforeAll(async () => {
  sandbox = await startSandbox({ orderCompletionDelayMs: 0 });
  customerId = sandbox.customerIds[0]!;
  const tokens = createTokenProvider(sandboxTokenOptions(sandbox));
  client = createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens });
  tenants = createCustomerTenantClient({ baseUrl: sandbox.graphBaseUrl, tokens });
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
  it('reads the SKU in the customer tenant through the Graph client, and the other subscriptions carrying it as Partner Center shows them', async () => {
    const [ours, other] = [await buy(10), await buy(5)];
    await sandbox.control.setAssignedSeats(customerId, { productId: 'CFQ7TTC0LH18', assigned: 12 });
    const activities = createSubscriptionActivities({ partnerCenter: client, licenceUsage: tenants });
    const usage = await run().run(activities.readLicenceUsage, { customerId, subscriptionId: ours });
    // Every subscription of the product shares one SKU: 12 of its seats are assigned, whichever subscription gives them.
    expect(usage).toMatchObject({ assigned: 12, skuId: expect.any(String) });
    expect(usage.total).toBeGreaterThanOrEqual(15);
    expect(usage.siblings).toContainEqual({
      subscriptionId: other,
      seats: 5,
      renewsAt: expect.any(String),
      nextTermSeats: 5,
      // Auto-renew on and nothing scheduled: its own review may still cut it.
      nextTermSettled: false,
    });
    expect(usage.siblings.map((s) => s.subscriptionId)).not.toContain(ours);
  });

  it('fails retryable, saying why, while the subscription does not show in the tenant yet', async () => {
    const activities = createSubscriptionActivities({ partnerCenter: client, licenceUsage: tenants });
    const failure = await applicationFailureOf(
      run().run(activities.readLicenceUsage, { customerId, subscriptionId: '00000000-0000-4000-8000-000000000002' }),
    );
    expect(failure).toMatchObject({ type: 'LicenceUsageUnavailable', nonRetryable: false });
    expect(failure.message).toMatch(/does not show in the customer's tenant yet/);
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
    const reader: LicenceUsageReader = { readLicenceUsage: () => Promise.reject(forbidden) };
    const activities = createSubscriptionActivities({ partnerCenter: client, licenceUsage: reader });
    const failure = await applicationFailureOf(
      run().run(activities.readLicenceUsage, { customerId, subscriptionId: 'x' }),
    );
    expect(failure).toMatchObject({ type: 'LicenceUsageUnavailable', nonRetryable: false });
    expect(failure.message).toBe('403 Forbidden: no GDAP role grants licence reads');
  });

  it("reads the SKU's minimum quantity from the catalog of the customer's market", async () => {
    const other = sandbox.customerIds[1]!;
    // Business Standard's trial SKU: the sandbox's catalog sells it in exactly 25 seats.
    const trial = await sandbox.control.seedSubscription({
      customerId: other,
      productId: 'CFQ7TTC0LDPB',
      skuId: '0002',
      quantity: 25,
    });
    const activities = createSubscriptionActivities({ partnerCenter: client, licenceUsage: tenants });
    const usage = await run().run(activities.readLicenceUsage, { customerId: other, subscriptionId: trial.id });
    expect(usage).toMatchObject({ total: 25, skuMinimumQuantity: 25 });
  });

  it('leaves the minimum out when the catalog does not answer, and fails retryable on a transient fault', async () => {
    const other = sandbox.customerIds[2]!;
    const basic = { productId: 'CFQ7TTC0LH18', skuId: '0001' };
    const { id } = await sandbox.control.seedSubscription({ customerId: other, ...basic, quantity: 4 });
    // Activities of their own each time: the SKU's minimum is kept in the process once read.
    const read = () =>
      run().run(createSubscriptionActivities({ partnerCenter: client, licenceUsage: tenants }).readLicenceUsage, {
        customerId: other,
        subscriptionId: id,
      });
    expect(await read()).toMatchObject({ total: 4, skuMinimumQuantity: 1 });
    const sku = `/v1/products/${basic.productId}/skus/${basic.skuId}`;
    try {
      await sandbox.control.addFault({ method: 'GET', path: sku, kind: 'status', status: 404, code: 400018 });
      const usage = await read();
      expect(usage.total).toBe(4);
      expect(usage).not.toHaveProperty('skuMinimumQuantity');
      await sandbox.control.addFault({ method: 'GET', path: sku, kind: 'status', status: 503 });
      await expect(read()).rejects.toThrow();
    } finally {
      await sandbox.control.clearFaults();
    }
  });

  it("reads the customer's country and the SKU's minimum once per worker process, whichever subscription asks", async () => {
    const [other] = await sandbox.control.addCustomers({ count: 1 });
    const basic = { productId: 'CFQ7TTC0LH18', skuId: '0001' };
    const ids = await Promise.all(
      [2, 3, 4].map(
        async (quantity) => (await sandbox.control.seedSubscription({ customerId: other, ...basic, quantity })).id,
      ),
    );
    const catalogReads: string[] = [];
    const counted = createPartnerCenterClient({
      baseUrl: sandbox.baseUrl,
      tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
      onCall: ({ method, route }) => {
        if (method === 'GET' && (route.endsWith('/skus/{skuId}') || route === '/v1/customers/{customerId}'))
          catalogReads.push(route);
      },
    });
    const activities = createSubscriptionActivities({ partnerCenter: counted, licenceUsage: tenants });
    // A wave: three reviews of one SKU at once, then one more.
    const usages = await Promise.all(
      ids.map((subscriptionId) => run().run(activities.readLicenceUsage, { customerId: other, subscriptionId })),
    );
    await run().run(activities.readLicenceUsage, { customerId: other, subscriptionId: ids[0]! });
    expect(usages.map((u) => u.skuMinimumQuantity)).toEqual([1, 1, 1]);
    expect(catalogReads.sort()).toEqual(['/v1/customers/{customerId}', '/v1/products/{productId}/skus/{skuId}']);
    // Another worker process (other activities) reads them again.
    await run().run(createSubscriptionActivities({ partnerCenter: counted, licenceUsage: tenants }).readLicenceUsage, {
      customerId: other,
      subscriptionId: ids[0]!,
    });
    expect(catalogReads).toHaveLength(4);
  });
});

describe('readTenantLicences', () => {
  it("reads the SKU from the customer's tenant and its minimum, and lists the other subscriptions of the SKU without reading them from Partner Center", async () => {
    const [other] = await sandbox.control.addCustomers({ count: 1 });
    const basic = { productId: 'CFQ7TTC0LH18', skuId: '0001' };
    const [ours, sibling] = await Promise.all(
      [10, 5].map(async (quantity) => sandbox.control.seedSubscription({ customerId: other, ...basic, quantity })),
    );
    await sandbox.control.setAssignedSeats(other, { productId: basic.productId, assigned: 12 });
    const subscriptionReads: string[] = [];
    const counted = createPartnerCenterClient({
      baseUrl: sandbox.baseUrl,
      tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
      onCall: ({ method, route }) => {
        if (method === 'GET' && route.includes('/subscriptions')) subscriptionReads.push(route);
      },
    });
    const activities = createSubscriptionActivities({ partnerCenter: counted, licenceUsage: tenants });
    const tenant = await run().run(activities.readTenantLicences, {
      customerId: other,
      subscriptionId: ours!.id,
      catalogItemId: (await client.getSubscription(other, ours!.id)).offerId,
    });
    expect(tenant).toMatchObject({ assigned: 12, total: 15, skuMinimumQuantity: 1, skuId: expect.any(String) });
    expect(tenant.others).toEqual([{ subscriptionId: sibling!.id, seats: 5 }]);
    expect(tenant).not.toHaveProperty('siblings');
    expect(subscriptionReads).toEqual([]);
  });

  it('fails like the licence read: non-retryable without a reader, retryable while the tenant does not show it', async () => {
    const input = { customerId, subscriptionId: '00000000-0000-4000-8000-000000000003', catalogItemId };
    const unconfigured = createSubscriptionActivities({ partnerCenter: client });
    expect(await applicationFailureOf(run().run(unconfigured.readTenantLicences, input))).toMatchObject({
      type: 'LicenceUsageUnavailable',
      nonRetryable: true,
    });
    const activities = createSubscriptionActivities({ partnerCenter: client, licenceUsage: tenants });
    const failure = await applicationFailureOf(run().run(activities.readTenantLicences, input));
    expect(failure).toMatchObject({ type: 'LicenceUsageUnavailable', nonRetryable: false });
    expect(failure.message).toMatch(/does not show in the customer's tenant yet/);
  });
});
