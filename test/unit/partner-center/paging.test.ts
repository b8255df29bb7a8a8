import { nextOffset, nextSeekPage } from '../../../src/partner-center';
import { sameCursor, seekCursorSchema, seekPageRequest } from '../../../src/partner-center/paging';

describe('seek paging', () => {
  test('no next link: last page', () => {
    expect(nextSeekPage(undefined)).toBeUndefined();
    expect(nextSeekPage({ uri: '  ' })).toBeUndefined();
  });

  test('the cursor keeps the continuation token, seekOperation=Next is added, and its request sends the token', () => {
    const next = nextSeekPage({
      uri: '/invoices/unbilled/lineitems?provider=onetime&size=2000',
      method: 'GET',
      headers: [{ key: 'MS-ContinuationToken', value: 'tok-2' }],
    });
    expect(next).toEqual({
      path: '/invoices/unbilled/lineitems?provider=onetime&size=2000&seekOperation=Next',
      continuationToken: 'tok-2',
    });
    expect(seekPageRequest(next!)).toEqual({
      path: '/invoices/unbilled/lineitems?provider=onetime&size=2000&seekOperation=Next',
      headers: { 'MS-ContinuationToken': 'tok-2' },
    });
  });

  test('the cursor keeps no other link header (nothing the server sends, e.g. an Authorization, is stored)', () => {
    const next = nextSeekPage({
      uri: 'https://user:password@elsewhere.example/v1/invoices/unbilled/lineitems?size=2',
      headers: [
        { key: 'Authorization', value: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln' },
        { key: 'ms-continuationtoken', value: 'tok' },
      ],
    });
    expect(next).toEqual({ path: '/invoices/unbilled/lineitems?size=2&seekOperation=Next', continuationToken: 'tok' });
    expect(JSON.stringify(next)).not.toMatch(/Bearer|eyJ|password|elsewhere/);
  });

  test('a cursor survives a JSON round trip (e.g. heartbeat details) and is validated when read back', () => {
    const next = nextSeekPage({
      uri: '/invoices/unbilled/lineitems?size=2',
      headers: [{ key: 'MS-ContinuationToken', value: 't' }],
    })!;
    const back = seekCursorSchema.parse(JSON.parse(JSON.stringify(next)));
    expect(sameCursor(back, next)).toBe(true);
    expect(sameCursor(back, { ...next, continuationToken: 'other' })).toBe(false);
    expect(seekCursorSchema.safeParse({ path: 'https://elsewhere.example/x' }).success).toBe(false);
    expect(seekCursorSchema.safeParse({ path: '/x', headers: { Authorization: 'Bearer t' } }).success).toBe(false);
  });

  test('an existing seek operation (any spelling) is kept as is', () => {
    const next = nextSeekPage({
      uri: '/invoices/G1/lineitems/OneTime/BillingLineItems?seek_operation=Next',
      headers: [{ key: 'ms-continuationtoken', value: 't' }],
    });
    expect(next?.path).toBe('/invoices/G1/lineitems/OneTime/BillingLineItems?seek_operation=Next');
  });

  test('a token only in the envelope is sent as the header', () => {
    expect(nextSeekPage({ uri: '/invoices/unbilled/lineitems?size=5' }, 'env-token')).toEqual({
      path: '/invoices/unbilled/lineitems?size=5&seekOperation=Next',
      continuationToken: 'env-token',
    });
    expect(nextSeekPage(undefined, 'env-token')).toBeUndefined();
  });

  test('without a continuation token the link is followed as given', () => {
    expect(nextSeekPage({ uri: '/customers/c/orders?page=2' })).toEqual({ path: '/customers/c/orders?page=2' });
    expect(seekPageRequest({ path: '/customers/c/orders?page=2' })).toEqual({
      path: '/customers/c/orders?page=2',
      headers: {},
    });
  });

  test('absolute and /v1-prefixed links are reduced to a path under /v1 (the token never leaves our host)', () => {
    expect(nextSeekPage({ uri: 'https://elsewhere.example/v1/customers/c/orders?x=1' })?.path).toBe(
      '/customers/c/orders?x=1',
    );
    expect(nextSeekPage({ uri: '/v1/customers/c/orders' })?.path).toBe('/customers/c/orders');
    expect(nextSeekPage({ uri: 'customers/c/orders' })?.path).toBe('/customers/c/orders');
  });
});

describe('offset paging', () => {
  test('full pages continue at offset + received', () => {
    expect(nextOffset(0, 100, 100)).toBe(100);
    expect(nextOffset(100, 100, 100)).toBe(200);
  });

  test('a short or empty page is the last one', () => {
    expect(nextOffset(200, 100, 37)).toBeUndefined();
    expect(nextOffset(0, 100, 0)).toBeUndefined();
  });
});
