import { z } from 'zod';
import { createFaults, faultInputSchema } from '../../src/faults';
import { parseWith, queryValue } from '../../src/http';
import { termEndOf } from '../../src/lifecycle';
import { createRandom } from '../../src/random';
import { compileRoutes, type Route } from '../../src/router';
import { createThrottle } from '../../src/throttle';
import { ApiError } from '../../src/errors';
import { durationDays } from '../../src/gdap';
import { createCustomer, requestQualification, settleQualifications } from '../../src/onboarding';
import { createWorld } from '../../src/world';

describe('throttle token buckets', () => {
  test('a bucket allows perMinute calls, then answers the seconds until the next token', () => {
    const throttle = createThrottle({ partnerPerMinute: 1000, customerPerMinute: 2 });
    expect(throttle.take('p', 'c', 0)).toBeUndefined();
    expect(throttle.take('p', 'c', 0)).toBeUndefined();
    expect(throttle.take('p', 'c', 0)).toBe(30);
    expect(throttle.take('p', 'other', 0)).toBeUndefined();
    expect(throttle.take('p', 'c', 30_000)).toBeUndefined();
  });

  test('the partner bucket spans customers; reset applies new limits and refills', () => {
    const throttle = createThrottle({ partnerPerMinute: 1, customerPerMinute: 100 });
    expect(throttle.take('p', 'a', 0)).toBeUndefined();
    expect(throttle.take('p', 'b', 0)).toBe(60);
    expect(throttle.take('q', 'a', 0)).toBeUndefined();
    throttle.reset({ partnerPerMinute: 5 });
    expect(throttle.limits).toEqual({ partnerPerMinute: 5, customerPerMinute: 100 });
    expect(throttle.take('p', 'b', 0)).toBeUndefined();
  });
});

describe('fault rules', () => {
  const add = (faults: ReturnType<typeof createFaults>, input: z.input<typeof faultInputSchema>) =>
    faults.add(faultInputSchema.parse(input));

  test('`*` matches one segment, method and case are respected, skip then count are consumed', () => {
    const faults = createFaults();
    add(faults, {
      method: 'post',
      path: '/v1/customers/*/carts/*/checkout',
      kind: 'status',
      status: 500,
      skip: 1,
      count: 2,
    });
    expect(faults.take('GET', '/v1/customers/c/carts/x/checkout')).toBeUndefined();
    expect(faults.take('POST', '/v1/customers/c/carts/checkout')).toBeUndefined();
    expect(faults.take('POST', '/v1/Customers/c/carts/x/checkout')).toBeUndefined(); // skipped
    expect(faults.take('POST', '/v1/customers/c/carts/x/checkout')?.status).toBe(500);
    expect(faults.take('POST', '/v1/customers/d/carts/y/checkout')?.kind).toBe('status');
    expect(faults.take('POST', '/v1/customers/c/carts/x/checkout')).toBeUndefined();
  });

  test('clear removes every rule; ids are distinct', () => {
    const faults = createFaults();
    const a = add(faults, { path: '/v1/products', kind: 'reset', count: 10 });
    const b = add(faults, { path: '/v1/products', kind: 'reset' });
    expect(a).not.toBe(b);
    faults.clear();
    expect(faults.take('GET', '/v1/products')).toBeUndefined();
  });
});

describe('seeded random', () => {
  test('the same seed gives the same sequence, in the documented id shapes', () => {
    const a = createRandom(9);
    const b = createRandom(9);
    expect([a.guid(), a.hex(12), a.upperAlphanumeric(12)]).toEqual([b.guid(), b.hex(12), b.upperAlphanumeric(12)]);
    const r = createRandom(3);
    expect(r.guid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.hex(12)).toMatch(/^[0-9a-f]{12}$/);
    expect(r.upperAlphanumeric(12)).toMatch(/^[0-9A-Z]{12}$/);
  });

  test('snapshot and restore continue the sequence', () => {
    const r = createRandom(4);
    r.guid();
    const state = r.snapshot();
    const expected = r.token(20);
    const other = createRandom(99);
    other.restore(state);
    expect(other.token(20)).toBe(expected);
  });
});

describe('route matching', () => {
  const route = (method: Route['method'], template: string): Route => ({
    method,
    template,
    handle: () => ({ status: 200 }),
  });
  const unbilled = route('GET', '/v1/invoices/unbilled/lineitems');
  const byId = route('GET', '/v1/invoices/{invoiceId}/lineitems');
  const match = compileRoutes([unbilled, byId, route('POST', '/v1/customers/{customerId}/carts')]);

  test('literal routes listed first win; parameters are decoded; segments are case-insensitive', () => {
    expect(match('GET', '/v1/invoices/unbilled/lineitems')).toEqual({ route: unbilled, params: {} });
    expect(match('GET', '/v1/Invoices/G%20001/LineItems')).toEqual({ route: byId, params: { invoiceId: 'G 001' } });
  });

  test('a known path with another method is "method not allowed"; an unknown path is no match', () => {
    expect(match('GET', '/v1/customers/c/carts')).toEqual({ methodNotAllowed: true });
    expect(match('GET', '/v1/nothing')).toBeUndefined();
  });
});

describe('request helpers', () => {
  test('query names ignore case and underscores', () => {
    const url = new URL('http://x/v1/a?SeekOperation=Next&order_ID=5');
    expect(queryValue(url, 'seek_operation')).toBe('Next');
    expect(queryValue(url, 'orderId')).toBe('5');
    expect(queryValue(url, 'size')).toBeUndefined();
  });

  test('parseWith names the first bad field and says whether it is missing or invalid', () => {
    const schema = z.object({ items: z.array(z.object({ quantity: z.number() })) });
    const problem = (value: unknown) => {
      try {
        parseWith(schema, value);
      } catch (error) {
        return error instanceof ApiError ? [error.status, error.description] : error;
      }
      return undefined;
    };
    expect(problem({ items: [{}] })).toEqual([400, "The request is invalid: 'items[0].quantity' is required."]);
    expect(problem({ items: [{ quantity: 'x' }] })).toEqual([
      400,
      "The request is invalid: 'items[0].quantity' is invalid: expected number, received string.",
    ]);
    expect(problem({ items: [{ quantity: 1 }] })).toBeUndefined();
  });
});

describe('terms', () => {
  test('a term ends the day before the same date one term later (inclusive end date)', () => {
    const start = Date.UTC(2026, 0, 15, 10, 30);
    expect(new Date(termEndOf(start, 'P1M')).toISOString()).toBe('2026-02-14T00:00:00.000Z');
    expect(new Date(termEndOf(start, 'P1Y')).toISOString()).toBe('2027-01-14T00:00:00.000Z');
    expect(new Date(termEndOf(start, 'P3Y')).toISOString()).toBe('2029-01-14T00:00:00.000Z');
  });
});

describe('onboarding rules', () => {
  const partner = { tenantId: 'partner', name: 'Partner', mpnId: '1' };
  const delays = {
    orderCompletionMs: 0,
    orderListMs: 0,
    subscriptionProvisioningMs: 0,
    patchAcceptedMs: 0,
    checkoutMs: 0,
    reconLineMs: 0,
    licenceVisibilityMs: 0,
    qualificationReviewMs: 1000,
    accessAssignmentMs: 0,
  };

  test('GDAP durations are ISO 8601 days only', () => {
    expect(durationDays('P730D')).toBe(730);
    expect(durationDays('p1d')).toBe(1);
    expect(durationDays('P2Y')).toBeUndefined();
    expect(durationDays('730')).toBeUndefined();
  });

  test('a review ends after qualificationReviewMs: GovernmentCommunityCloud without a code is denied', () => {
    const world = createWorld(1, [partner], {});
    const created = createCustomer(world, partner, {
      domain: 'Rules.onmicrosoft.com',
      billingProfile: {
        email: 'a@b.example',
        culture: 'en-US',
        language: 'en',
        companyName: 'Rules',
        defaultAddress: { country: 'us', city: 'c', addressLine1: 'a', postalCode: 'p', firstName: 'f', lastName: 'l' },
      },
    });
    expect(created.customer).toMatchObject({ domain: 'rules.onmicrosoft.com', country: 'US' });
    expect(JSON.stringify(world.customers.get(created.customer.id))).not.toContain(created.credentials.password);
    const q = requestQualification(world, created.customer, {
      qualification: 'GovernmentCommunityCloud',
      withCode: false,
      now: 0,
    });
    settleQualifications(world, 999, delays);
    expect(q.vettingStatus).toBe('InReview');
    settleQualifications(world, 1000, delays);
    expect(q).toMatchObject({ vettingStatus: 'Denied', vettingReason: expect.stringMatching(/validation code/) });
  });
});
