import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtEntry, freePort, runNode, stopProcess, type RunningProcess } from '../../support/processes';
import { testServerAddress } from '../../support/temporal';
import { call, until } from '../api/support';

/**
 * The "done when": `npm start` (lib/start.js, on the run's Temporal dev server, its sandbox and worker)
 * serves the HTTP API with a token it made and printed, and an upstream system with nothing but plain HTTP buys,
 * follows, approves and cancels purchases with it. Registered by npm-start.test.ts, whose tests hold the same fixed
 * sandbox port 8091 and so must run one after another.
 */

export function servesTheApi(): void {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcw-api-start-'));
  let start: RunningProcess | undefined;

  afterAll(async () => {
    await stopProcess(start, 'SIGINT');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a local token and a curl example; with them plain HTTP buys, follows, approves, cancels and reads invoices', async () => {
    const port = await freePort();
    start = runNode(builtEntry('start.js'), [], {
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      // A queue of its own on the shared dev server, so no other test's worker takes its tasks.
      TEMPORAL_TASK_QUEUE: `api-start-${randomUUID()}`,
      PCW_DATA_DIR: dataDir,
      PCW_API_PORT: String(port),
      ORDER_POLL_INTERVAL: '300ms',
      LOG_LEVEL: 'info',
    });
    const banner = await start.waitFor(/Press Ctrl-C to stop/, 90_000);
    const url = /HTTP API on (http:\/\/\S+)/.exec(banner)?.[1];
    const token = /Token\s+(\S+) \(local:operate/.exec(banner)?.[1];
    const customerId = /Customers\s+([0-9a-f-]{36})/.exec(banner)?.[1];
    expect({ url, token: token !== undefined, customerId: customerId !== undefined }).toEqual({
      url: `http://127.0.0.1:${port}`,
      token: true,
      customerId: true,
    });
    expect(banner).toContain(`curl -s -X POST ${url}/v1/purchases -H 'Authorization: Bearer ${token}'`);
    const api = { url: url as string };
    const auth = token as string;

    const item = {
      offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
      quantity: 2,
      termDuration: 'P1M',
      billingCycle: 'monthly',
    };
    const bought = `curl-${randomUUID()}`;
    const buy = await call(api, 'POST', '/v1/purchases', {
      token: auth,
      headers: { 'idempotency-key': bought },
      body: { customerId, requireApproval: true, items: [item] },
    });
    expect(buy).toMatchObject({ status: 202, body: { statusUrl: `/v1/purchases/${bought}` } });
    await until(api, `/v1/purchases/${bought}`, auth, (view) => view.step === 'awaiting-approval', 30_000);
    expect(
      (await call(api, 'POST', `/v1/purchases/${bought}/approve`, { token: auth, body: { by: 'curl' } })).status,
    ).toBe(200);
    const done = await until(api, `/v1/purchases/${bought}`, auth, (view) => view.execution !== 'RUNNING', 60_000);
    expect(done).toMatchObject({ execution: 'COMPLETED', result: { status: 'completed', customerId } });
    expect((done.result as { subscriptions: unknown[] }).subscriptions).toHaveLength(1);

    const dropped = `curl-${randomUUID()}`;
    await call(api, 'POST', '/v1/purchases', {
      token: auth,
      body: { requestId: dropped, customerId, requireApproval: true, items: [item] },
    });
    await until(api, `/v1/purchases/${dropped}`, auth, (view) => view.step === 'awaiting-approval', 30_000);
    expect(
      await call(api, 'POST', `/v1/purchases/${dropped}/cancel`, { token: auth, body: { reason: 'not needed' } }),
    ).toMatchObject({ status: 200, body: { afterCheckout: false } });
    const cancelled = await until(api, `/v1/purchases/${dropped}`, auth, (view) => view.execution !== 'RUNNING');
    expect(cancelled).toMatchObject({ result: { status: 'cancelled' } });

    // Invoices come from the sandbox npm start runs, through the same settings as the worker's.
    const invoices = await call(api, 'GET', '/v1/invoices?size=1', { token: auth });
    expect(invoices).toMatchObject({ status: 200, body: { items: [{ id: expect.any(String) }] } });

    // Ctrl-C stops the API with the rest; the token was printed in the banner and nowhere else.
    start.child.kill('SIGINT');
    expect((await start.exited).code).toBe(0);
    const output = start.output();
    const printed = output.split(token as string).length - 1;
    expect(printed).toBe(banner.split(token as string).length - 1);
    expect(output).toMatch(/"url":"\/v1\/purchases/);
  });
}
