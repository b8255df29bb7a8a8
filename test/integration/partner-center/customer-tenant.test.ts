/**
 * The customer-tenant Graph client against the sandbox over real HTTP, with real msal-node against its https
 * authority: tokens from each customer tenant's authority, licence usage, assignment, and the refusals.
 */
import { ApplicationFailure } from '@temporalio/common';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { toActivityFailure } from '../../../src/activities/common/failures';
import { connectPartnerCenter, type PartnerCenterConnection } from '../../../src/partner-center-connection';
import {
  createCustomerTenantClient,
  CustomerTenantForbiddenError,
  PartnerCenterBusinessError,
  PartnerCenterNotFoundError,
  PartnerCenterThrottledError,
  PartnerCenterUnauthorizedError,
  type TokenProvider,
} from '../../../src/partner-center';
import { sandboxPartnerCenterSettings, type SandboxConnectOptions } from '../../../src/sandbox-settings';

const BUSINESS_BASIC = 'CFQ7TTC0LH18';
const M365_E3 = 'CFQ7TTC0LFLX';
const SUBSCRIBED_SKUS = 'GET /v1.0/subscribedSkus';

let sandbox: Sandbox;
let customer: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 83, orderCompletionDelayMs: 0, orderListDelayMs: 0 });
  customer = sandbox.customerIds[0];
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await sandbox.control.reset();
});

const connect = (options: SandboxConnectOptions = {}): PartnerCenterConnection =>
  connectPartnerCenter(sandboxPartnerCenterSettings(sandbox, options), { trustedCaPem: sandbox.caPem });
const seed = (quantity: number, productId = BUSINESS_BASIC, skuId = '0001', customerId = customer) =>
  sandbox.control.seedSubscription({ customerId, productId, skuId, quantity, termDuration: 'P1Y' });
const tokenRequests = async () => (await sandbox.control.counters()).tokens;
const requests = async (route: string) => (await sandbox.control.counters()).requests[route] ?? 0;

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

/** Nothing a credential: the client secret, the refresh token, or any JWT. */
function expectNoSecret(text: string): void {
  expect(text).not.toContain(sandbox.clientSecret);
  expect(text).not.toContain(sandbox.refreshToken);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./);
}

describe('licence usage in a customer tenant', () => {
  it('counts every subscription of the SKU together, with one token per tenant', async () => {
    const { tenants } = connect();
    const first = await seed(3);
    const second = await seed(4);
    await seed(2, M365_E3, '0002');
    const seats = await sandbox.control.setAssignedSeats(customer, { productId: BUSINESS_BASIC, assigned: 5 });

    const before = await tokenRequests();
    const usage = await tenants.readLicenceUsage(customer, [first.id]);
    expect(usage).toMatchObject({
      skuId: seats.skuId,
      skuPartNumber: 'O365_BUSINESS_ESSENTIALS',
      assigned: 5,
      total: 7,
      missing: [],
    });
    expect(usage?.subscriptions.map((s) => s.commerceSubscriptionId).sort()).toEqual([first.id, second.id].sort());
    expect(usage?.subscriptions.every((s) => s.status === 'Enabled' && s.nextLifecycleDateTime !== undefined)).toBe(
      true,
    );
    await tenants.listSubscribedSkus(customer);
    expect((await tokenRequests()).clientCredentials - before.clientCredentials).toBe(1);

    // Another tenant is another authority: its own token, cached apart.
    await seed(1, BUSINESS_BASIC, '0001', sandbox.customerIds[1]);
    expect(await tenants.readLicenceUsage(sandbox.customerIds[1], [first.id])).toBeUndefined();
    expect((await tokenRequests()).clientCredentials - before.clientCredentials).toBe(2);
  });

  it('App+User: the refresh token is redeemed for the customer tenant and its rotation shared with Partner Center calls', async () => {
    await sandbox.control.setAuthorityPolicy({ singleUseRefreshTokens: true });
    const { client, tenants, tokens } = connect({ appPlusUser: true });
    const { id } = await seed(2);
    await client.getSubscription(customer, id);
    expect((await tenants.readLicenceUsage(customer, [id]))?.total).toBe(2);
    // Single-use refresh tokens: this works only with the token rotated by the customer tenant's redemption.
    await tokens.getAccessToken({ forceRefresh: true });
    expect((await tokenRequests()).refreshToken).toBe(3);
  });

  it('is undefined until the subscription shows in the tenant, then lists the ones still missing', async () => {
    const { tenants } = connect();
    await sandbox.control.setDelays({ licenceVisibilityMs: 60_000 });
    const early = await seed(2);
    expect(await tenants.readLicenceUsage(customer, [early.id])).toBeUndefined();
    await sandbox.control.advanceClock(60_000);
    const late = await seed(3);
    const usage = await tenants.readLicenceUsage(customer, [early.id, late.id]);
    expect(usage).toMatchObject({ total: 2, missing: [late.id] });
  });

  it('follows @odata.nextLink through every page', async () => {
    const { tenants } = connect();
    await Promise.all([seed(1), seed(2), seed(3)]);
    await sandbox.control.setGraphPolicy({ tenantPageSize: 1 });
    const before = await requests('GET /v1.0/directory/subscriptions');
    expect(await tenants.listDirectorySubscriptions(customer)).toHaveLength(3);
    expect((await requests('GET /v1.0/directory/subscriptions')) - before).toBe(3);
  });
});

describe('licence assignment', () => {
  it('assigns and removes a licence by user principal name, and reports what Graph refuses', async () => {
    const { tenants } = connect();
    const { id } = await seed(1);
    const { users } = await sandbox.control.tenant(customer);
    const skuId = (await tenants.readLicenceUsage(customer, [id]))!.skuId;

    expect((await tenants.getUser(customer, users[0].userPrincipalName))?.assignedLicenses).toEqual([]);
    const assigned = await tenants.assignLicence(customer, users[0].userPrincipalName, [skuId]);
    expect(assigned.assignedLicenses.map((l) => l.skuId)).toEqual([skuId]);
    expect(await tenants.readLicenceUsage(customer, [id])).toMatchObject({ assigned: 1, total: 1 });

    const full = await failureOf(tenants.assignLicence(customer, users[1].id, [skuId]));
    expect(full).toBeInstanceOf(PartnerCenterBusinessError);
    expect(full.message).toContain('does not have any available licenses');
    const unlocated = users.find((u) => u.usageLocation === undefined)!;
    expect((await failureOf(tenants.assignLicence(customer, unlocated.id, [skuId]))).message).toContain(
      'usage location',
    );
    expect(await tenants.getUser(customer, 'nobody@example.invalid')).toBeUndefined();
    expect(await failureOf(tenants.assignLicence(customer, 'nobody@example.invalid', [skuId]))).toBeInstanceOf(
      PartnerCenterNotFoundError,
    );

    const removed = await tenants.assignLicence(customer, users[0].id, [], [skuId]);
    expect(removed.assignedLicenses).toEqual([]);
    expect((await tenants.readLicenceUsage(customer, [id]))?.assigned).toBe(0);
  });
});

describe('refusals', () => {
  it('refuses a customer tenant of another partner at the authority, naming the tenant and never a secret', async () => {
    const other = sandbox.otherPartner.customerIds[0];
    const refused = await failureOf(connect({ appPlusUser: true }).tenants.listSubscribedSkus(other));
    expect(refused).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(refused.message).toContain(`for tenant ${other}`);
    expect(refused.message).toContain('AADSTS700016');
    expectNoSecret(`${refused.message} ${String((refused as { cause?: unknown }).cause ?? '')}`);
  });

  it("refuses a token of the partner tenant on the customer's tenant (401, after one forced refresh)", async () => {
    const { tokens, client } = connect();
    // A provider that ignores the tenant asked for: the mistake the tenant client must not make.
    const partnerTenantOnly: TokenProvider = {
      mode: tokens.mode,
      getAccessToken: (o) => tokens.getAccessToken({ ...o, tenantId: undefined }),
    };
    const tenants = createCustomerTenantClient({ baseUrl: sandbox.graphBaseUrl, tokens: partnerTenantOnly });
    const refused = await failureOf(tenants.listDirectorySubscriptions(customer));
    expect(refused).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(refused.message).toContain('HTTP 401');
    expect(refused.message).toContain('partner tenant');
    expect(refused.message).toContain(`from the authority of tenant ${customer}`);
    expectNoSecret(refused.message);
    // And the other way round: Partner Center refuses a token of the customer's tenant.
    const customerToken = await tokens.getAccessToken({ tenantId: customer });
    const response = await fetch(`${sandbox.baseUrl}/v1/customers/${customer}/subscriptions`, {
      headers: { authorization: `Bearer ${customerToken}` },
    });
    expect(response.status).toBe(401);
    expect(await client.listSubscriptions(customer)).toEqual([]);
  });

  it('without a GDAP role: 403 naming the tenant and the right to grant, failing the activity as Unauthorized', async () => {
    const { tenants } = connect();
    await sandbox.control.setTenant(customer, { gdapAccess: false });
    const read = await failureOf(tenants.listSubscribedSkus(customer));
    expect(read).toBeInstanceOf(CustomerTenantForbiddenError);
    expect(read).toMatchObject({ tenantId: customer, status: 403, retryable: false });
    expect(read.message).toContain(`in the customer's tenant ${customer}`);
    expect(read.message).toContain('Directory Readers');
    const write = await failureOf(tenants.assignLicence(customer, 'user01@example.invalid', []));
    expect(write.message).toContain('License Administrator');
    expect(write.message).toContain('LicenseAssignment.ReadWrite.All');
    expectNoSecret(write.message);
    const failure = toActivityFailure(read, 'LicenceReadFailed') as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'Unauthorized', nonRetryable: true });
  });

  it("429: a throttled call carries Graph's Retry-After, which the activity's next attempt waits", async () => {
    const { tenants } = connect();
    await sandbox.control.addFault({ path: '/graph/v1.0/subscribedSkus', kind: 'throttle', retryAfterSeconds: 7 });
    const throttled = await failureOf(tenants.listSubscribedSkus(customer));
    expect(throttled).toBeInstanceOf(PartnerCenterThrottledError);
    expect(throttled).toMatchObject({ retryable: true, retryAfterMs: 7000, status: 429 });
    const failure = toActivityFailure(throttled, 'LicenceReadFailed') as ApplicationFailure;
    expect(failure).toMatchObject({ nonRetryable: false, nextRetryDelay: 7000 });
    const before = await requests(SUBSCRIBED_SKUS);
    expect(await tenants.listSubscribedSkus(customer)).toEqual([]);
    expect((await requests(SUBSCRIBED_SKUS)) - before).toBe(1);
  });
});
