/**
 * Authentication as Partner Center enforces it in 2026, end to end: the real msal-node token provider
 * against the sandbox authority and the real client against the sandbox API. App+User tokens without
 * the MFA claim (401/900421) are MfaRequired, tokens for the retired audience (401/900420) Unauthorized
 * naming the audience, App-only is not subject to the MFA check, and a certificate credential
 * (AZURE_CLIENT_CERTIFICATE_PATH) makes real calls while a wrong certificate is refused.
 */
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import {
  createPartnerCenterClient,
  createTokenProvider,
  PartnerCenterError,
  PartnerCenterMfaRequiredError,
  PartnerCenterUnauthorizedError,
  type TokenProviderOptions,
} from '../../../src/partner-center';

const BUSINESS_BASIC = 'CFQ7TTC0LH18';
const PRODUCT_ROUTE = 'GET /v1/products/{productId}';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 47 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await sandbox.control.reset();
});

/** A fresh token provider and client, as a worker process has one. */
function connect(options: { appPlusUser?: boolean; credential?: TokenProviderOptions['credential'] } = {}) {
  const tokenOptions = sandboxTokenOptions(sandbox, { appPlusUser: options.appPlusUser });
  const tokens = createTokenProvider({
    ...tokenOptions,
    ...(options.credential ? { credential: options.credential } : {}),
  });
  const client = createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens });
  return {
    tokens,
    readProduct: () => client.getProduct(BUSINESS_BASIC, { country: 'US' }),
    listCustomers: () => client.listCustomersPage(),
  };
}

async function failureOf(promise: Promise<unknown>): Promise<PartnerCenterError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartnerCenterError);
  return error as PartnerCenterError;
}

const secrets = () => [sandbox.clientSecret, sandbox.refreshToken];
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/;

describe('App+User without the MFA claim (sandbox authority policy mfaClaim: false)', () => {
  test('MfaRequired at the first call: one request, one token, the operator action, no secret', async () => {
    await sandbox.control.setAuthorityPolicy({ mfaClaim: false });
    const error = await failureOf(connect({ appPlusUser: true }).readProduct());
    expect(error).toBeInstanceOf(PartnerCenterMfaRequiredError);
    expect(error).toMatchObject({ kind: 'mfa-required', retryable: false, status: 401, code: 900421 });
    expect(error.message).toContain('MFA required (900421)');
    expect(error.message).toContain('secure application model');
    expect(error.message).toContain('PARTNER_CENTER_REFRESH_TOKEN');
    for (const secret of secrets()) expect(error.message).not.toContain(secret);
    expect(error.message).not.toMatch(JWT);
    const counters = await sandbox.control.counters();
    expect(counters.requests).toEqual({ [PRODUCT_ROUTE]: 1 });
    expect(counters.tokens.refreshToken).toBe(1);
  });

  test('App-only calls are unaffected', async () => {
    await sandbox.control.setAuthorityPolicy({ mfaClaim: false });
    expect((await connect().readProduct()).id).toBe(BUSINESS_BASIC);
  });
});

describe('tokens for the retired audience (sandbox authority policy legacyAudience: true)', () => {
  test.each([
    ['App-only', false],
    ['App+User', true],
  ])('%s: Unauthorized naming https://api.partnercenter.microsoft.com, not repeated', async (_mode, appPlusUser) => {
    await sandbox.control.setAuthorityPolicy({ legacyAudience: true });
    const error = await failureOf(connect({ appPlusUser }).readProduct());
    expect(error).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(error).toMatchObject({ retryable: false, status: 401, code: 900420 });
    expect(error.message).toContain('retired Azure AD Graph audience (900420)');
    expect(error.message).toContain('accepts only tokens for the audience https://api.partnercenter.microsoft.com');
    expect((await sandbox.control.counters()).requests).toEqual({ [PRODUCT_ROUTE]: 1 });
  });
});

describe('certificate credential (AZURE_CLIENT_CERTIFICATE_PATH)', () => {
  test('App-only and App+User tokens from the certificate make real Partner Center calls', async () => {
    const credential = { certificatePath: sandbox.clientCertificatePath };
    const appOnly = connect({ credential });
    expect(appOnly.tokens.credentialKind).toBe('certificate');
    expect((await appOnly.readProduct()).id).toBe(BUSINESS_BASIC);
    const appUser = connect({ appPlusUser: true, credential });
    expect((await appUser.listCustomers()).items.map((customer) => customer.id)).toEqual(
      expect.arrayContaining(sandbox.customerIds),
    );
    expect((await sandbox.control.counters()).tokens).toEqual({ clientCredentials: 1, refreshToken: 1 });
  });

  test("another app's certificate is refused by the authority: Unauthorized naming the rejected assertion, no Partner Center call", async () => {
    const error = await failureOf(
      connect({ credential: { certificatePath: sandbox.otherPartner.clientCertificatePath } }).readProduct(),
    );
    expect(error).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /^App-only token request \(certificate\) failed: the certificate assertion was rejected .*\[AADSTS700027, invalid_client\]/,
    );
    expect(error.message).not.toMatch(/PRIVATE KEY/);
    expect((await sandbox.control.counters()).requests).toEqual({});
  });
});
