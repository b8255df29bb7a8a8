import { nextOffset, nextSeekPage } from '../../../src/partner-center';

describe('seek paging', () => {
  test('no next link: last page', () => {
    expect(nextSeekPage(undefined)).toBeUndefined();
    expect(nextSeekPage({ uri: '  ' })).toBeUndefined();
  });

  test('continuation header is sent and seekOperation=Next added', () => {
    const next = nextSeekPage({
      uri: '/invoices/unbilled/lineitems?provider=onetime&size=2000',
      method: 'GET',
      headers: [{ key: 'MS-ContinuationToken', value: 'tok-2' }],
    });
    expect(next).toEqual({
      pathAndQuery: '/invoices/unbilled/lineitems?provider=onetime&size=2000&seekOperation=Next',
      headers: { 'MS-ContinuationToken': 'tok-2' },
    });
  });

  test('an existing seek operation (any spelling) is kept as is', () => {
    const next = nextSeekPage({
      uri: '/invoices/G1/lineitems/OneTime/BillingLineItems?seek_operation=Next',
      headers: [{ key: 'ms-continuationtoken', value: 't' }],
    });
    expect(next?.pathAndQuery).toBe('/invoices/G1/lineitems/OneTime/BillingLineItems?seek_operation=Next');
  });

  test('a token only in the envelope is sent as the header', () => {
    expect(nextSeekPage({ uri: '/invoices/unbilled/lineitems?size=5' }, 'env-token')).toEqual({
      pathAndQuery: '/invoices/unbilled/lineitems?size=5&seekOperation=Next',
      headers: { 'MS-ContinuationToken': 'env-token' },
    });
    expect(nextSeekPage(undefined, 'env-token')).toBeUndefined();
  });

  test('without a continuation token the link is followed as given', () => {
    expect(nextSeekPage({ uri: '/customers/c/orders?page=2' })).toEqual({ pathAndQuery: '/customers/c/orders?page=2', headers: {} });
  });

  test('absolute and /v1-prefixed links are reduced to a path under /v1 (the token never leaves our host)', () => {
    expect(nextSeekPage({ uri: 'https://elsewhere.example/v1/customers/c/orders?x=1' })?.pathAndQuery).toBe('/customers/c/orders?x=1');
    expect(nextSeekPage({ uri: '/v1/customers/c/orders' })?.pathAndQuery).toBe('/customers/c/orders');
    expect(nextSeekPage({ uri: 'customers/c/orders' })?.pathAndQuery).toBe('/customers/c/orders');
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
