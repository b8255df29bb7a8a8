/**
 * The partner's customers (`GET /v1/customers`) through the real client, msal-node tokens and the
 * sandbox over loopback HTTP: seek paging (size + MS-ContinuationToken + seekOperation=Next) across
 * more than two pages, cursors that survive JSON, only the calling partner's customers, the
 * "400 / code 2000 means no more records" rule, and the server's clock on each page.
 */
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import {
  createPartnerCenterClient,
  createTokenProvider,
  type Customer,
  type PartnerCenterClient,
  type SeekCursor,
} from '../../../src/partner-center';
import { seekCursorSchema } from '../../../src/partner-center/paging';

const CUSTOMERS_ROUTE = 'GET /v1/customers';

let sandbox: Sandbox;
let client: PartnerCenterClient;
/** Every request the client sent: its URL, continuation header and bearer token. */
const sent: Array<{ url: string; continuationToken: string | null; authorization: string | null }> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 23 });
  const recordingFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = new Headers(init?.headers);
    sent.push({
      url,
      continuationToken: headers.get('MS-ContinuationToken'),
      authorization: headers.get('Authorization'),
    });
    return fetch(input, init);
  };
  client = createPartnerCenterClient({
    baseUrl: sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
    fetch: recordingFetch,
  });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await sandbox.control.reset();
  sent.length = 0;
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const customersRead = async () => (await sandbox.control.counters()).requests[CUSTOMERS_ROUTE] ?? 0;

describe('listCustomers', () => {
  test('pages one customer at a time through three pages, following the continuation token, and returns the Customer resources', async () => {
    const customers = await collect(client.listCustomers({ size: 1 }));

    expect(customers.map((c) => c.id)).toEqual(sandbox.customerIds);
    expect(await customersRead()).toBe(3);
    for (const customer of customers) {
      expect(customer).toMatchObject({
        companyProfile: { tenantId: customer.id },
        relationshipToPartner: 'reseller',
        attributes: { objectType: 'Customer' },
      });
      expect(customer.companyProfile?.domain).toMatch(/\.onmicrosoft\.com$/);
      expect(customer.companyProfile?.companyName).toEqual(expect.any(String));
    }
    // The first page asks for the size; the others follow the next link with its token.
    const urls = sent.filter((r) => new URL(r.url).pathname === '/v1/customers');
    expect(urls).toHaveLength(3);
    expect(new URL(urls[0].url).searchParams.get('size')).toBe('1');
    expect(urls[0].continuationToken).toBeNull();
    for (const later of urls.slice(1)) {
      expect(new URL(later.url).searchParams.get('seekOperation')).toBe('Next');
      expect(later.continuationToken).toEqual(expect.any(String));
    }
  });

  test('reads every customer in one page by default', async () => {
    expect((await collect(client.listCustomers())).map((c) => c.id)).toEqual(sandbox.customerIds);
    expect(await customersRead()).toBe(1);
  });

  test('a page size outside 1..500 is refused with a 400 naming it', async () => {
    for (const size of [0, 501])
      await expect(client.listCustomersPage({ size })).rejects.toMatchObject({
        status: 400,
        description: expect.stringContaining('size'),
      });
  });

  test("lists only the calling partner's customers", async () => {
    const other = createPartnerCenterClient({
      baseUrl: sandbox.baseUrl,
      tokens: createTokenProvider({
        ...sandboxTokenOptions(sandbox),
        tenantId: sandbox.otherPartner.tenantId,
        clientId: sandbox.otherPartner.clientId,
        credential: { clientSecret: sandbox.otherPartner.clientSecret },
      }),
    });
    const theirs = (await collect(other.listCustomers({ size: 2 }))).map((c) => c.id);
    expect(theirs).toEqual(sandbox.otherPartner.customerIds);
    expect(theirs.some((id) => sandbox.customerIds.includes(id))).toBe(false);
  });
});

describe('listCustomersPage', () => {
  test('a cursor taken through JSON (as a heartbeat keeps it) reads the next page, from another client too', async () => {
    const first = await client.listCustomersPage({ size: 2 });
    expect(first.items.map((c) => c.id)).toEqual(sandbox.customerIds.slice(0, 2));
    const cursor: SeekCursor = seekCursorSchema.parse(JSON.parse(JSON.stringify(first.next)));
    // Only the link's path and its token: nothing else the server sent, and no bearer token.
    expect(Object.keys(cursor).sort()).toEqual(['continuationToken', 'path']);
    const accessToken = sent[0]?.authorization?.replace(/^Bearer /, '');
    expect(accessToken).toEqual(expect.any(String));
    expect(JSON.stringify(cursor)).not.toContain(accessToken);

    const another = createPartnerCenterClient({
      baseUrl: sandbox.baseUrl,
      tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
    });
    const second = await another.listCustomersPage({ size: 2 }, cursor);
    expect(second.items.map((c: Customer) => c.id)).toEqual(sandbox.customerIds.slice(2));
    expect(second.next).toBeUndefined();
  });

  test("carries Partner Center's clock (the response's Date), which follows the sandbox clock", async () => {
    const advancedTo = await sandbox.control.advanceClock(3 * 24 * 3_600_000);
    const page = await client.listCustomersPage();
    expect(page.serverTime).toEqual(expect.any(String));
    // Date has whole seconds: the page's time is the sandbox's, three days ahead of ours.
    expect(Math.abs(Date.parse(page.serverTime!) - advancedTo)).toBeLessThan(60_000);
    expect(Date.parse(page.serverTime!) - Date.now()).toBeGreaterThan(2 * 24 * 3_600_000);
  });

  test('a 400 with code 2000 on a next page means no more records (as Microsoft’s sample reads it), on the first page it is an error', async () => {
    await sandbox.control.addFault({
      method: 'GET',
      path: '/v1/customers',
      kind: 'status',
      status: 400,
      code: 2000,
      description: 'No more records.',
      skip: 1,
    });
    expect((await collect(client.listCustomers({ size: 1 }))).map((c) => c.id)).toEqual(
      sandbox.customerIds.slice(0, 1),
    );

    await sandbox.control.addFault({
      method: 'GET',
      path: '/v1/customers',
      kind: 'status',
      status: 400,
      code: 2000,
      description: 'No more records.',
    });
    await expect(client.listCustomersPage({ size: 1 })).rejects.toMatchObject({ status: 400, code: 2000 });
  });
});
