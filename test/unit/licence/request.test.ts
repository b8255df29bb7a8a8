import { licenceUsageOf } from '../../../src/partner-center';
import { validateLicenceRequest, MAX_USERS_PER_REQUEST } from '../../../src/workflows/licence/types';
import { describeLicenceRequest, LICENCE_BATCH_SIZE, licenceBatches } from '../../../src/workflows/licence/rules';

const customerId = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';
const subscriptionId = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const objectId = '0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e';
const base = { requestId: 'lic-1', customerId, subscriptionId };

const problemsOf = (input: unknown) => {
  const validation = validateLicenceRequest(input);
  if (validation.ok) throw new Error('expected a refusal');
  return validation.problems.map((p) => `${p.field} ${p.problem}`);
};

describe('validateLicenceRequest', () => {
  it('accepts UPNs and object ids, trims them and defaults remove', () => {
    const validation = validateLicenceRequest({ ...base, assign: [' ada@contoso.com ', objectId.toUpperCase()] });
    expect(validation).toEqual({
      ok: true,
      request: { ...base, assign: ['ada@contoso.com', objectId.toUpperCase()], remove: [] },
    });
  });

  it('accepts a removal alone', () => {
    expect(validateLicenceRequest({ ...base, assign: [], remove: ['bob@contoso.com'] }).ok).toBe(true);
  });

  it('names every bad field at once', () => {
    const problems = problemsOf({
      requestId: 'has spaces',
      customerId: 'nope',
      subscriptionId: 42,
      assign: ['ada', 'ada@contoso.com', 'ADA@contoso.com', 'x@y'],
      remove: ['ada@Contoso.com', 'not a user'],
      extra: true,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^requestId must be 1\.\.136 characters/),
        'customerId must be a GUID (got "nope")',
        'subscriptionId must be a string (got 42)',
        expect.stringMatching(/^assign\[0\] must be a user principal name \(name@domain\) or an object id \(GUID\)/),
        expect.stringMatching(/^assign\[2\] lists this user again \(already at \[1\]\) \(got "ADA@contoso.com"\)/),
        expect.stringMatching(/^assign\[3\] must be a user principal name/),
        expect.stringMatching(/^remove\[0\] names ada@Contoso.com, who is also in assign\[1\]/),
        expect.stringMatching(/^remove\[1\] must be a user principal name/),
        'extra is not a known field',
      ]),
    );
  });

  it('refuses a request that names no user, and one that names too many', () => {
    expect(problemsOf({ ...base, assign: [] })).toEqual(['assign must name at least one user (or remove one)']);
    const many = Array.from({ length: MAX_USERS_PER_REQUEST + 1 }, (_, i) => `u${i}@contoso.com`);
    expect(problemsOf({ ...base, assign: many })[0]).toMatch(/^assign must name at most 2000 users/);
    const half = many.slice(0, 1500);
    expect(problemsOf({ ...base, assign: half, remove: half.map((u) => `r${u}`) })).toEqual([
      'remove with assign must name at most 2000 users (got 1500 + 1500)',
    ]);
  });
});

describe('licence batches', () => {
  it('takes licences first, then gives them in the order listed, in batches', () => {
    const assign = Array.from({ length: 2 * LICENCE_BATCH_SIZE + 3 }, (_, i) => `u${i}@contoso.com`);
    const batches = licenceBatches({ assign, remove: ['gone@contoso.com'] });
    expect(batches.map((b) => b.length)).toEqual([LICENCE_BATCH_SIZE, LICENCE_BATCH_SIZE, 4]);
    expect(batches[0][0]).toEqual({ user: 'gone@contoso.com', action: 'remove' });
    expect(batches[0][1]).toEqual({ user: 'u0@contoso.com', action: 'assign' });
    expect(batches[2][3]).toEqual({ user: assign.at(-1), action: 'assign' });
  });

  it('describes the request', () => {
    expect(describeLicenceRequest({ assign: ['a@b.c'], remove: [] })).toBe('assign 1 user');
    expect(describeLicenceRequest({ assign: ['a@b.c'], remove: ['d@b.c'] })).toBe('assign 1, remove 1 users');
  });
});

describe("matching a subscription in the customer's tenant", () => {
  it('accepts either case and braces on either side', () => {
    const id = 'A0B1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D';
    const directory = [{ id: 'x', commerceSubscriptionId: `{${id}}`, skuId: 'SKU-1', totalLicenses: 5 }];
    const skus = [
      { skuId: 'sku-1', consumedUnits: 2, prepaidUnits: { enabled: 5, suspended: 0, warning: 0, lockedOut: 0 } },
    ];
    const usage = licenceUsageOf('t', [id.toLowerCase()], directory, skus);
    expect(usage).toMatchObject({ skuId: 'SKU-1', assigned: 2, total: 5, missing: [] });
    expect(licenceUsageOf('t', ['00000000-0000-4000-8000-000000000000'], directory, skus)).toBeUndefined();
  });
});
