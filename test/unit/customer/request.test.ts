import { invalidOnboardRequest } from '../../../src/workflows/customer/rules';
import {
  durationDays,
  GLOBAL_ADMINISTRATOR_ROLE_ID,
  validateOnboardRequest,
  type OnboardRequest,
} from '../../../src/workflows/customer/types';

const role = '29232cdf-9323-42fd-ade2-1d097af3e4de';
const create = {
  companyName: 'Contoso Ltd',
  domainPrefix: 'Contoso42',
  country: 'de',
  address: { addressLine1: '1 Main St', city: 'Berlin', postalCode: '10115' },
  contact: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@contoso.example' },
};
const agreement = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@contoso.example' };
const valid: OnboardRequest = { requestId: 'onb-1', customer: { create }, agreement, gdap: { roles: [role] } };

function problemsOf(input: unknown) {
  const validation = validateOnboardRequest(input);
  if (validation.ok) throw new Error('expected problems');
  return validation.problems;
}

describe('validateOnboardRequest', () => {
  it('applies the defaults: lower-case domain, upper-case country, its culture and language, P730D, no auto-extension', () => {
    const validation = validateOnboardRequest(valid);
    expect(validation).toEqual({
      ok: true,
      request: {
        requestId: 'onb-1',
        customer: { create: { ...create, domainPrefix: 'contoso42', country: 'DE', culture: 'de-DE', language: 'de' } },
        agreement,
        gdap: { roles: [role], duration: 'P730D', autoExtend: false, accessAssignments: [] },
      },
    });
  });

  it('defaults US to en-US and en, and keeps an existing tenant as it is', () => {
    const us = validateOnboardRequest({ ...valid, customer: { create: { ...create, country: 'US' } } });
    expect(us.ok && us.request.customer.create).toMatchObject({ culture: 'en-US', language: 'en' });
    const tenantId = '0b5c7e1a-2d3f-4a5b-9c8d-7e6f5a4b3c2d';
    const existing = validateOnboardRequest({ ...valid, customer: { existingTenantId: tenantId } });
    expect(existing.ok && existing.request.customer).toEqual({ existingTenantId: tenantId });
  });

  it('names every problem at once', () => {
    const problems = problemsOf({
      requestId: 'onb 1',
      customer: {
        create: {
          ...create,
          domainPrefix: '-bad_label-',
          country: 'XX',
          contact: { ...create.contact, email: 'not-an-email' },
        },
      },
      agreement: { ...agreement, email: 'nope' },
      gdap: {
        roles: ['not-a-guid'],
        duration: 'P731D',
        accessAssignments: [{ securityGroupId: 'x', roles: [role] }],
      },
    });
    const fields = problems.map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'requestId',
        'customer.create.domainPrefix',
        'customer.create.country',
        'customer.create.contact.email',
        'agreement.email',
        'gdap.roles[0]',
        'gdap.duration',
        'gdap.accessAssignments[0].securityGroupId',
      ]),
    );
    expect(problems.find((p) => p.field === 'customer.create.country')?.problem).toMatch(/ISO 3166-1 alpha-2/);
    expect(problems.find((p) => p.field === 'gdap.duration')?.problem).toMatch(/at most P730D/);
  });

  it('refuses both and neither of create and existingTenantId, with the other problems', () => {
    const both = problemsOf({
      ...valid,
      agreement: { ...agreement, email: 'nope' },
      customer: { create, existingTenantId: '0b5c7e1a-2d3f-4a5b-9c8d-7e6f5a4b3c2d' },
    });
    expect(both).toEqual(
      expect.arrayContaining([
        { field: 'customer', problem: expect.stringMatching(/exactly one of create and existingTenantId/) },
        expect.objectContaining({ field: 'agreement.email' }),
      ]),
    );
    expect(problemsOf({ ...valid, customer: {} })).toEqual([
      { field: 'customer', problem: expect.stringMatching(/exactly one/) },
    ]);
  });

  it('refuses a duration that is not ISO 8601', () => {
    expect(problemsOf({ ...valid, gdap: { roles: [role], duration: '730 days' } })).toEqual([
      { field: 'gdap.duration', problem: expect.stringMatching(/ISO 8601/) },
    ]);
    expect(durationDays('P1Y')).toBe(365);
    expect(durationDays('P2Y1D')).toBe(731);
    expect(durationDays('P')).toBeUndefined();
  });

  it('refuses Global Administrator with autoExtend as GdapRefused, and with other problems as InvalidOnboardRequest', () => {
    const gdap = { roles: [GLOBAL_ADMINISTRATOR_ROLE_ID], autoExtend: true };
    const alone = problemsOf({ ...valid, gdap });
    expect(alone).toEqual([{ field: 'gdap.autoExtend', problem: expect.stringMatching(/Global Administrator/) }]);
    expect(invalidOnboardRequest(alone).type).toBe('GdapRefused');
    const more = problemsOf({ ...valid, gdap, agreement: { ...agreement, email: 'nope' } });
    const failure = invalidOnboardRequest(more);
    expect(failure.type).toBe('InvalidOnboardRequest');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/gdap.autoExtend .*; |; gdap.autoExtend/);
  });
});
