import { Client, Connection } from '@temporalio/client';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { partnerCenterAccess } from '../../../src/api/main';
import { sandboxPartnerCenterSettings } from '../../../src/sandbox-settings';
import { call, read, startApi, type Answer, type RunningApi } from './support';

/**
 * `GET /v1/invoices…` over real HTTP against the sandbox's Partner Center (its seeded invoices), App-only and
 * App+User; the 503 of an API without Partner Center settings; and the failed-login limit per client address.
 * The invoice routes need no Temporal: the API's client points at a port nothing listens on.
 */

let sandbox: Sandbox;
let temporal: Client;
let appOnly: RunningApi;
let appUser: RunningApi;
beforeAll(async () => {
  sandbox = await startSandbox();
  temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const access = (appPlusUser: boolean) =>
    partnerCenterAccess(sandboxPartnerCenterSettings(sandbox, { appPlusUser }), sandbox.caPem);
  [appOnly, appUser] = await Promise.all([
    startApi(temporal, 'invoices-nobody', { partnerCenter: access(false) }),
    startApi(temporal, 'invoices-nobody', { partnerCenter: access(true) }),
  ]);
});
afterAll(async () => {
  await Promise.all([appOnly?.close(), appUser?.close()]);
  await temporal?.connection.close();
  await sandbox?.close();
});

function expectProblem(answer: Answer, status: number, type: string): { detail: string } & Record<string, unknown> {
  expect({ status: answer.status, contentType: answer.contentType }).toEqual({
    status,
    contentType: expect.stringContaining('application/problem+json'),
  });
  expect(answer.body).toMatchObject({ type: `urn:pcw:problem:${type}`, status });
  return answer.body as { detail: string };
}

type InvoicePage = { items: Array<{ id: string }>; totalCount?: number; nextOffset?: number };

describe('HTTP API invoices', () => {
  it('lists invoices a page at a time and shows one, to a read token', async () => {
    const first = await call(appOnly, 'GET', '/v1/invoices?size=1', { token: read });
    expect(first.status).toBe(200);
    const page = first.body as InvoicePage;
    expect(page.items).toHaveLength(1);
    expect(page.nextOffset).toBe(1);

    const second = (await call(appOnly, 'GET', '/v1/invoices?size=1&offset=1', { token: read })).body as InvoicePage;
    expect(second.items).toHaveLength(1);
    expect(second.items.map((i) => i.id)).not.toContain(page.items[0].id);

    const id = page.items[0].id;
    const shown = await call(appOnly, 'GET', `/v1/invoices/${id}`, { token: read });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id });
    expect(
      expectProblem(await call(appOnly, 'GET', '/v1/invoices/G000000000', { token: read }), 404, 'NotFound').detail,
    ).toContain('G000000000');
  });

  it('serves the statement PDF to an App+User API and explains why an App-only one cannot', async () => {
    const id = ((await call(appOnly, 'GET', '/v1/invoices?size=1', { token: read })).body as InvoicePage).items[0].id;

    const refused = expectProblem(
      await call(appOnly, 'GET', `/v1/invoices/${id}/statement`, { token: read }),
      503,
      'AppPlusUserRequired',
    );
    expect(refused.detail).toMatch(/App\+User tokens only.*PARTNER_CENTER_REFRESH_TOKEN/);

    const response = await fetch(`${appUser.url}/v1/invoices/${id}/statement`, {
      headers: { authorization: `Bearer ${read}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toContain(`Invoice ${id}`);
  });

  it('refuses a bad page, a bad id and a missing token', async () => {
    const bad = expectProblem(
      await call(appOnly, 'GET', '/v1/invoices?size=0&offset=-1', { token: read }),
      400,
      'InvalidRequest',
    );
    expect((bad.errors as Array<{ field: string }>).map((e) => e.field)).toEqual([
      'querystring size',
      'querystring offset',
    ]);
    expectProblem(await call(appOnly, 'GET', '/v1/invoices/not%20an%20id', { token: read }), 400, 'InvalidRequest');
    expectProblem(await call(appOnly, 'GET', '/v1/invoices'), 401, 'Unauthorized');
  });

  it('answers 503 naming the settings when the API has no Partner Center settings; the rest of the API works', async () => {
    const bare = await startApi(temporal, 'invoices-nobody');
    try {
      for (const path of ['/v1/invoices', '/v1/invoices/G1', '/v1/invoices/G1/statement'])
        expect(
          expectProblem(await call(bare, 'GET', path, { token: read }), 503, 'PartnerCenterNotConfigured').detail,
        ).toMatch(/AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET/);
      expect(await call(bare, 'GET', '/healthz')).toMatchObject({ status: 200, body: { ok: true } });
    } finally {
      await bare.close();
    }
  });

  it('documents the invoice routes in /openapi.json', async () => {
    const doc = (await call(appOnly, 'GET', '/openapi.json')).body as {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }>;
    };
    const list = doc.paths['/v1/invoices'].get.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(list)).toContain('nextOffset');
    expect(JSON.stringify(doc.paths['/v1/invoices/{id}'].get.responses['200'])).toContain('invoiceDate');
    expect(JSON.stringify(doc.paths['/v1/invoices/{id}/statement'].get.responses['200'])).toContain('application/pdf');
    expect(doc.paths['/v1/invoices/{id}'].get.responses['503']).toBeDefined();
  });
});

describe('HTTP API failed logins', () => {
  it('counts the 401s of a client address, not its known tokens; past the limit refuses its /v1 requests with 429', async () => {
    const limited = await startApi(temporal, 'invoices-nobody', { failedAuthLimit: 3 });
    const guess = (n: number) => call(limited, 'GET', '/v1/invoices', { token: `guess-${n}-0123456789abcdef` });
    const known = () => call(limited, 'GET', '/v1/invoices', { token: read });
    try {
      // A known token answers (the 503 of an API without Partner Center) and does not count.
      expectProblem(await known(), 503, 'PartnerCenterNotConfigured');
      expectProblem(await guess(1), 401, 'Unauthorized');
      expectProblem(await call(limited, 'GET', '/v1/invoices'), 401, 'Unauthorized');
      expectProblem(await known(), 503, 'PartnerCenterNotConfigured');
      expectProblem(await guess(2), 401, 'Unauthorized');

      const held = await guess(3);
      expect(expectProblem(held, 429, 'RateLimited').detail).toMatch(/3 requests without a known bearer token/);
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
      // Locked out, a token is not even looked at: a right guess would get no further than a wrong one.
      expectProblem(await known(), 429, 'RateLimited');
      expect(await call(limited, 'GET', '/healthz')).toMatchObject({ status: 200 });
    } finally {
      await limited.close();
    }
  });
});
