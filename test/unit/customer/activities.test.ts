import { PartnerCenterBusinessError, type Customer } from '../../../src/partner-center';
import { confirmOnboardingAgreement } from '../../../src/activities/customer/agreement';
import { checkCustomerDomain, createCustomerOnce } from '../../../src/activities/customer/customer';
import { awaitQualificationReview } from '../../../src/activities/customer/qualification';
import { validateOnboardRequest, type CustomerCreation } from '../../../src/workflows/customer/types';
import { activityContext, applicationFailureOf, fakePartnerCenter } from '../../support/activities';

const validation = validateOnboardRequest({
  requestId: 'r-1',
  customer: {
    create: {
      companyName: 'Contoso',
      domainPrefix: 'contoso9',
      country: 'US',
      address: { addressLine1: '1 Way', city: 'Redmond', postalCode: '98052' },
      contact: { firstName: 'Jo', lastName: 'Doe', email: 'jo@contoso.example' },
    },
  },
  agreement: { firstName: 'Jo', lastName: 'Doe', email: 'jo@contoso.example', dateAgreed: '2026-12-01' },
});
if (!validation.ok) throw new Error('fixture request invalid');
const create = validation.request.customer.create as CustomerCreation;
const domain = 'contoso9.onmicrosoft.com';
const ours: Customer = {
  id: 'c-1',
  companyProfile: { tenantId: 't-1', domain, companyName: 'Contoso' },
} as Customer;
const theirs: Customer = { id: 'c-2', companyProfile: { tenantId: 't-2', domain, companyName: 'Other' } } as Customer;

describe('checkCustomerDomain', () => {
  it('free → the domain; taken by this request’s customer → adopted; taken by another → DomainUnavailable', async () => {
    const free = fakePartnerCenter({ isDomainTaken: async () => false });
    await expect(activityContext({}).run(checkCustomerDomain, { partnerCenter: free }, { create })).resolves.toEqual({
      domain,
    });
    const adopted = fakePartnerCenter({ isDomainTaken: async () => true, findCustomersByDomain: async () => [ours] });
    await expect(activityContext({}).run(checkCustomerDomain, { partnerCenter: adopted }, { create })).resolves.toEqual(
      {
        domain,
        adopted: { customerId: 'c-1', tenantId: 't-1', domain },
      },
    );
    const taken = fakePartnerCenter({ isDomainTaken: async () => true, findCustomersByDomain: async () => [theirs] });
    const failure = await applicationFailureOf(
      activityContext({}).run(checkCustomerDomain, { partnerCenter: taken }, { create }),
    );
    expect(failure).toMatchObject({ type: 'DomainUnavailable', nonRetryable: true });
  });
});

describe('createCustomerOnce', () => {
  const created = { id: 'c-1', tenantId: 't-1', domain, adminUserName: `admin@${domain}` };

  it('the first attempt creates, without looking up; the answer carries the admin UPN and nothing else', async () => {
    const calls: string[] = [];
    const pc = fakePartnerCenter({
      createCustomer: async (body) => {
        calls.push(`create ${body.companyProfile.domain} ${body.billingProfile.culture}`);
        return created;
      },
    });
    const result = await activityContext({ attempt: 1 }).run(createCustomerOnce, { partnerCenter: pc }, { create });
    expect(result).toEqual({
      customerId: 'c-1',
      tenantId: 't-1',
      domain,
      adminUserPrincipalName: `admin@${domain}`,
      recovered: false,
    });
    expect(calls).toEqual([`create ${domain} en-US`]);
  });

  it('a later attempt finds the customer an earlier one created, and creates nothing', async () => {
    const pc = fakePartnerCenter({ findCustomersByDomain: async () => [ours] });
    const result = await activityContext({ attempt: 2 }).run(createCustomerOnce, { partnerCenter: pc }, { create });
    expect(result).toEqual({ customerId: 'c-1', tenantId: 't-1', domain, recovered: true });
  });

  it('a later attempt seeing the domain taken but no customer yet answers "not yet"; a free domain is created', async () => {
    const lagging = fakePartnerCenter({ findCustomersByDomain: async () => [], isDomainTaken: async () => true });
    const notYet = await applicationFailureOf(
      activityContext({ attempt: 3 }).run(createCustomerOnce, { partnerCenter: lagging }, { create }),
    );
    expect(notYet).toMatchObject({ type: 'CustomerNotYetVisible', nonRetryable: false });
    const free = fakePartnerCenter({
      findCustomersByDomain: async () => [],
      isDomainTaken: async () => false,
      createCustomer: async () => created,
    });
    const result = await activityContext({ attempt: 2 }).run(createCustomerOnce, { partnerCenter: free }, { create });
    expect(result.recovered).toBe(false);
  });
});

describe('confirmOnboardingAgreement', () => {
  const agreement = validation.request.agreement;
  const template = { templateId: '117a77b0-9360-443b-8795-c6dedc750cf9' };

  it('confirms with the current template; 600061 (already on record) is success with the date on record', async () => {
    const fresh = fakePartnerCenter({
      listAgreementTemplates: async () => [template],
      createCustomerAgreement: async (_id, body) => ({ templateId: body.templateId, dateAgreed: body.dateAgreed }),
    });
    await expect(
      activityContext({}).run(confirmOnboardingAgreement, { partnerCenter: fresh }, { customerId: 'c-1', agreement }),
    ).resolves.toEqual({ templateId: template.templateId, dateAgreed: '2026-12-01' });
    const again = fakePartnerCenter({
      listAgreementTemplates: async () => [template],
      createCustomerAgreement: async () => {
        throw new PartnerCenterBusinessError({ status: 400, code: 600061, description: 'already exists' });
      },
      listCustomerAgreements: async () => [{ templateId: template.templateId, dateAgreed: '2026-11-30T00:00:00Z' }],
    });
    await expect(
      activityContext({}).run(confirmOnboardingAgreement, { partnerCenter: again }, { customerId: 'c-1', agreement }),
    ).resolves.toEqual({ templateId: template.templateId, dateAgreed: '2026-11-30T00:00:00Z' });
  });
});

describe('awaitQualificationReview', () => {
  const input = { customerId: 'c-1', qualification: 'Education' };
  const answering = (vettingStatus: string, vettingReason?: string) =>
    fakePartnerCenter({
      listCustomerQualifications: async () => [{ qualification: 'Education', vettingStatus, vettingReason }],
    });

  it('InReview → not yet; Approved → done; Denied → QualificationRefused with the reason', async () => {
    const pending = await applicationFailureOf(
      activityContext({}).run(awaitQualificationReview, { partnerCenter: answering('InReview') }, input),
    );
    expect(pending).toMatchObject({ type: 'QualificationInReview', nonRetryable: false });
    await expect(
      activityContext({}).run(awaitQualificationReview, { partnerCenter: answering('Approved') }, input),
    ).resolves.toBe('Education');
    const denied = await applicationFailureOf(
      activityContext({}).run(awaitQualificationReview, { partnerCenter: answering('Denied', 'not a school') }, input),
    );
    expect(denied).toMatchObject({ type: 'QualificationRefused', nonRetryable: true });
    expect(denied.message).toContain('not a school');
  });
});
