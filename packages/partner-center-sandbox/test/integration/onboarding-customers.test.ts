import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src';
import { api, partnerTokens, sandboxForFile, type PartnerTokens } from './helpers';

/** Customer onboarding on /v1: the domain check, creation with a one-time password, finding a customer by domain,
 * the reseller invitation and its acceptance, qualifications and the current MCA template. */

type Json = Record<string, unknown>;
type Created = Json & {
  id: string;
  companyProfile: { tenantId: string; domain: string; companyName: string };
  userCredentials: { userName: string; password: string };
};
type ErrorBody = { code: number; description: string; isRetryable?: boolean };

const MCA_TEMPLATE = '117a77b0-9360-443b-8795-c6dedc750cf9';

let sandbox: Sandbox;
let tokens: PartnerTokens;
let customer: string;

sandboxForFile({ seed: 91, orderCompletionDelayMs: 0, orderListDelayMs: 0 }, (started) => {
  ({ sandbox, tokens, customer } = started);
});

function newCustomer(prefix: string, address: Json = {}): Json {
  return {
    companyProfile: { domain: `${prefix}.onmicrosoft.com` },
    billingProfile: {
      email: 'jo@contoso.example',
      culture: 'en-US',
      language: 'en',
      companyName: `Company ${prefix}`,
      defaultAddress: {
        country: 'US',
        city: 'Redmond',
        state: 'WA',
        addressLine1: '1 Microsoft Way',
        postalCode: '98052',
        firstName: 'Jo',
        lastName: 'Doe',
        ...address,
      },
    },
  };
}

const create = (body: unknown, headers: Record<string, string> = {}) =>
  api<Created & ErrorBody>(sandbox, tokens.appUser, 'POST', '/customers', body, headers);
const domainStatus = async (domain: string) =>
  (
    await fetch(`${sandbox.baseUrl}/v1/domains/${domain}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${tokens.appOnly}` },
    })
  ).status;
const byDomain = async (prefix: string) => {
  const filter = encodeURIComponent(JSON.stringify({ Field: 'Domain', Value: prefix, Operator: 'starts_with' }));
  return (
    await api<{ items: Array<{ id: string }> }>(sandbox, tokens.appOnly, 'GET', `/customers?size=50&filter=${filter}`)
  ).body.items;
};

describe('domain check and customer creation', () => {
  test('HEAD /domains answers 200 for a taken domain (any partner) and 404 for a free one', async () => {
    expect(await domainStatus('northwindtraders.onmicrosoft.com')).toBe(200);
    // The second partner's customer: taken for everyone.
    expect(await domainStatus('fabrikamnorthwindtraders.onmicrosoft.com')).toBe(200);
    expect(await domainStatus('nobodyhasthis.onmicrosoft.com')).toBe(404);
  });

  test('a create answers 201 with the one-time password once; no later answer or control view shows it', async () => {
    const requestId = { 'MS-RequestId': '6f1e2d3c-4b5a-4968-8777-665544332211' };
    const created = await create(newCustomer('freshco'), requestId);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: created.body.companyProfile.tenantId,
      companyProfile: { domain: 'freshco.onmicrosoft.com', companyName: 'Company freshco' },
      billingProfile: { email: 'jo@contoso.example', defaultAddress: { country: 'US', city: 'Redmond' } },
      relationshipToPartner: 'reseller',
      userCredentials: { userName: 'admin@freshco.onmicrosoft.com' },
    });
    const { password } = created.body.userCredentials;
    expect(password).toMatch(/^\S{12,}$/);
    expect(await domainStatus('freshco.onmicrosoft.com')).toBe(200);
    const id = created.body.id;
    const one = await api(sandbox, tokens.appOnly, 'GET', `/customers/${id}`);
    const list = await api(sandbox, tokens.appOnly, 'GET', '/customers?size=500');
    const tenant = await sandbox.control.tenant(id);
    for (const answer of [one.body, list.body, tenant]) expect(JSON.stringify(answer)).not.toContain(password);
    expect(one.status).toBe(200);
    expect(tenant.gdapAccess).toBe(false);
    expect(tenant.users.map((u) => u.userPrincipalName)).toEqual(
      expect.arrayContaining(['admin@freshco.onmicrosoft.com', 'user01@freshco.onmicrosoft.com']),
    );
    // A second create of the domain is refused; a repeated MS-RequestId creates again rather than replaying the password.
    const again = await create(newCustomer('freshco'), requestId);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({
      code: 600005,
      description: expect.stringMatching(/freshco.onmicrosoft.com is already in use/),
    });
  });

  test.each([
    ['billingProfile.defaultAddress.country', { billingProfile: { defaultAddress: { country: 'XX' } } }],
    ['billingProfile.defaultAddress.country', { billingProfile: { defaultAddress: { country: 'FR' } } }],
    ['billingProfile.email', { billingProfile: { email: 'not-an-email' } }],
    ['billingProfile.defaultAddress.city', { billingProfile: { defaultAddress: { city: undefined } } }],
    ['companyProfile.domain', { companyProfile: { domain: 'bad-prefix.example.com' } }],
  ])('an invalid body is refused 400 naming %s', async (field, change) => {
    const body = newCustomer('valid') as { companyProfile: Json; billingProfile: Json & { defaultAddress: Json } };
    const changed = change as { companyProfile?: Json; billingProfile?: Json & { defaultAddress?: Json } };
    const merged = {
      companyProfile: { ...body.companyProfile, ...changed.companyProfile },
      billingProfile: {
        ...body.billingProfile,
        ...changed.billingProfile,
        defaultAddress: { ...body.billingProfile.defaultAddress, ...changed.billingProfile?.defaultAddress },
      },
    };
    const refused = await create(merged);
    expect(refused.status).toBe(400);
    expect(refused.body.description).toContain(`'${field}'`);
    expect(await domainStatus('valid.onmicrosoft.com')).toBe(404);
  });

  test('commit-then-drop on create: the client hears nothing, yet the customer is there, found by its domain', async () => {
    await sandbox.control.addFault({ method: 'POST', path: '/v1/customers', kind: 'commit-then-drop' });
    await expect(create(newCustomer('droppedco'))).rejects.toThrow();
    const found = await byDomain('droppedco');
    expect(found).toHaveLength(1);
    expect(await domainStatus('droppedco.onmicrosoft.com')).toBe(200);
    // Filters by company name too, and only among the partner's own customers.
    const filter = encodeURIComponent(
      JSON.stringify({ field: 'CompanyName', value: 'company dropped', operator: 'starts_with' }),
    );
    const byName = await api<{ items: Array<{ id: string }> }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/customers?filter=${filter}`,
    );
    expect(byName.body.items.map((c) => c.id)).toEqual([found[0].id]);
    expect(await byDomain('fabrikam')).toEqual([]);
    const bad = await api<ErrorBody>(sandbox, tokens.appOnly, 'GET', '/customers?filter=%7Bnot-json');
    expect(bad.status).toBe(400);
    expect(bad.body.description).toContain("'filter'");
  });

  test('commit-then-drop with latencyMs: the customer exists while its answer is still held, then the drop', async () => {
    await sandbox.control.addFault({
      method: 'POST',
      path: '/v1/customers',
      kind: 'commit-then-drop',
      latencyMs: 1500,
    });
    const started = Date.now();
    const held = create(newCustomer('heldco')).then(
      () => 'answered',
      () => 'dropped',
    );
    let seen: Array<{ id: string }> = [];
    while (seen.length === 0 && Date.now() - started < 1400) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await byDomain('heldco');
    }
    // Committed before the client hears anything: a client killed now never learns of it.
    expect(seen).toHaveLength(1);
    expect(await held).toBe('dropped');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });

  test("GET /customers/{id} is 404 for another partner's customer or an unknown id", async () => {
    expect((await api(sandbox, tokens.appOnly, 'GET', `/customers/${customer}`)).status).toBe(200);
    const theirs = sandbox.otherPartner.customerIds[0];
    expect((await api(sandbox, tokens.appOnly, 'GET', `/customers/${theirs}`)).status).toBe(404);
    const unknown = await api<ErrorBody>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/customers/00000000-0000-4000-8000-000000000001',
    );
    expect(unknown).toMatchObject({ status: 404, body: { code: 600001 } });
  });
});

describe('invitation of an existing tenant', () => {
  test('the relationship request link is App+User only and names the partner tenant', async () => {
    expect((await api(sandbox, tokens.appOnly, 'GET', '/customers/relationshiprequests')).status).toBe(403);
    const request = await api<{ url: string; attributes: Json }>(
      sandbox,
      tokens.appUser,
      'GET',
      '/customers/relationshiprequests',
    );
    expect(request.status).toBe(200);
    expect(request.body.url).toBe(
      `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=${sandbox.tenantId}&msppId=0&DAP=true#/BillingAccounts/partner-invitation`,
    );
    expect(request.body.attributes).toEqual({ objectType: 'RelationshipRequest' });
  });

  test('after the tenant accepts, the customer is found and listed', async () => {
    const tenantId = '3b9f1c2d-7e6a-4d5b-8c9e-0f1a2b3c4d5e';
    expect((await api(sandbox, tokens.appOnly, 'GET', `/customers/${tenantId}`)).status).toBe(404);
    const accepted = await sandbox.control.onboarding.acceptRelationship(tenantId, { companyName: 'Invited Ltd' });
    expect(accepted).toMatchObject({
      customerId: tenantId,
      created: true,
      domain: expect.stringMatching(/\.onmicrosoft\.com$/),
    });
    // No webhook registered: the event is raised but nobody takes it.
    expect(accepted.event).toEqual({ name: 'reseller-relationship-accepted-by-customer', delivery: null });
    const one = await api<Created>(sandbox, tokens.appOnly, 'GET', `/customers/${tenantId}`);
    expect(one.body.companyProfile).toMatchObject({ tenantId, companyName: 'Invited Ltd', domain: accepted.domain });
    const list = await api<{ items: Array<{ id: string }> }>(sandbox, tokens.appOnly, 'GET', '/customers?size=500');
    expect(list.body.items.map((c) => c.id)).toContain(tenantId);
    expect((await sandbox.control.tenant(tenantId)).gdapAccess).toBe(false);
    expect((await sandbox.control.onboarding.acceptRelationship(tenantId)).created).toBe(false);
  });
});

describe('qualifications', () => {
  const qualify = (id: string, body?: unknown, query = '') =>
    api<Json & ErrorBody>(sandbox, tokens.appUser, 'POST', `/customers/${id}/qualifications${query}`, body);
  const read = async (id: string) =>
    (
      await api<Array<{ qualification: string; vettingStatus: string; vettingReason?: string | null }>>(
        sandbox,
        tokens.appOnly,
        'GET',
        `/customers/${id}/qualifications`,
      )
    ).body;

  test('a review is InReview for qualificationReviewMs, then Approved; a second request is refused', async () => {
    await sandbox.control.setDelays({ qualificationReviewMs: 60_000 });
    const posted = await qualify(customer, { qualification: 'Education' });
    expect(posted).toMatchObject({ status: 201, body: { qualification: 'Education', vettingStatus: 'InReview' } });
    expect(await read(customer)).toEqual([
      { qualification: 'Education', vettingStatus: 'InReview', vettingReason: null },
    ]);
    await sandbox.control.advanceClock(60_000);
    expect(await read(customer)).toEqual([expect.objectContaining({ vettingStatus: 'Approved' })]);
    const second = await qualify(customer, '"StateOwnedEntity"');
    expect(second.status).toBe(400);
    expect(second.body.description).toMatch(/already has the qualification Education/);
  });

  test('GovernmentCommunityCloud without a code ends Denied; with ?code= alone it is approved; the control forces outcomes', async () => {
    const [a, b, c] = sandbox.customerIds;
    await sandbox.control.setDelays({ qualificationReviewMs: 1_000 });
    expect((await qualify(a, JSON.stringify('GovernmentCommunityCloud'))).status).toBe(201);
    expect((await qualify(b, undefined, '?code=GCC-1234')).body).toMatchObject({
      qualification: 'GovernmentCommunityCloud',
    });
    expect((await qualify(c, { qualification: 'StateOwnedEntity' })).status).toBe(201);
    const forced = await sandbox.control.onboarding.setQualificationResult(c, {
      status: 'Denied',
      reason: 'Not state owned.',
    });
    expect(forced).toEqual({
      qualification: 'StateOwnedEntity',
      vettingStatus: 'Denied',
      vettingReason: 'Not state owned.',
    });
    await sandbox.control.advanceClock(1_000);
    expect((await read(a))[0]).toMatchObject({
      vettingStatus: 'Denied',
      vettingReason: expect.stringMatching(/validation code/),
    });
    expect((await read(b))[0]).toMatchObject({ vettingStatus: 'Approved' });
    expect((await read(c))[0]).toMatchObject({ vettingStatus: 'Denied' });
    expect((await qualify(a, { qualification: 'Nonsense' })).status).toBe(400);
  });
});

describe('Microsoft Customer Agreement', () => {
  const confirm = (id: string) =>
    api<ErrorBody>(sandbox, tokens.appUser, 'POST', `/customers/${id}/agreements`, {
      primaryContact: { firstName: 'Jo', lastName: 'Doe', email: 'jo@contoso.example' },
      templateId: MCA_TEMPLATE,
      dateAgreed: '2026-01-01T00:00:00Z',
      type: 'MicrosoftCustomerAgreement',
    });

  test('the current MCA template is the documented one; a second confirmation is 400/600061, not retryable', async () => {
    const templates = await api<{ items: Array<{ templateId: string }> }>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/agreements?agreementType=MicrosoftCustomerAgreement',
    );
    expect(templates.body.items.map((t) => t.templateId)).toEqual([MCA_TEMPLATE]);
    const created = await create(newCustomer('mcaco'));
    expect((await confirm(created.body.id)).status).toBe(201);
    const second = await confirm(created.body.id);
    expect(second.status).toBe(400);
    expect(second.body).toMatchObject({ code: 600061, isRetryable: false });
    expect(second.body.description).toMatch(/PartnerConfirmedAgreementAlreadyExists/);
    // A seeded customer has its MCA on record already.
    expect((await confirm(customer)).body.code).toBe(600061);
  });
});

describe('persistence', () => {
  test('created customers, qualifications and tenants survive a restart; the password never reaches the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcw-sandbox-onboarding-'));
    const dataFile = join(dir, 'state.json');
    try {
      const first = await startSandbox({ seed: 92, dataFile });
      const token = (await partnerTokens(first)).appUser;
      const created = await api<Created>(first, token, 'POST', '/customers', newCustomer('keptco'));
      await api(first, token, 'POST', `/customers/${created.body.id}/qualifications`, { qualification: 'Education' });
      await first.close();
      const saved = readFileSync(dataFile, 'utf8');
      expect(saved).toContain('keptco.onmicrosoft.com');
      expect(saved).not.toContain(created.body.userCredentials.password);

      const second = await startSandbox({ seed: 92, dataFile });
      try {
        const again = (await partnerTokens(second)).appOnly;
        const restored = await api<Created>(second, again, 'GET', `/customers/${created.body.id}`);
        expect(restored.body.companyProfile.domain).toBe('keptco.onmicrosoft.com');
        const qualifications = await api<Json[]>(second, again, 'GET', `/customers/${created.body.id}/qualifications`);
        expect(qualifications.body).toEqual([expect.objectContaining({ qualification: 'Education' })]);
        expect((await second.control.tenant(created.body.id)).users[0].userPrincipalName).toBe(
          'admin@keptco.onmicrosoft.com',
        );
        await second.control.reset();
        expect((await api(second, again, 'GET', `/customers/${created.body.id}`)).status).toBe(404);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
