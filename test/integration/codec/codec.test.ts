import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { connectClient, startPurchase } from '../../../src/client';
import { loadConfig } from '../../../src/config';
import { builtEntry, runNode } from '../../support/processes';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';

const key = randomBytes(32).toString('base64');
const token = randomBytes(24).toString('base64url');
const FRIENDLY_NAME = `project-${randomUUID()}`;
const PRODUCT_ID = 'CFQ7TTC0LH18';
/** What the SDK's patch and local-activity markers carry besides the (encrypted) result. */
const SDK_MARKER_FIELDS = [
  'id',
  'deprecated',
  'seq',
  'attempt',
  'activity_id',
  'activity_type',
  'complete_time',
  'backoff',
  'original_schedule_time',
];

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ orderCompletionDelayMs: 300, orderListDelayMs: 500 });
});
afterAll(() => sandbox?.close());

function env(taskQueue: string): NodeJS.ProcessEnv {
  return {
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    TEMPORAL_ADDRESS: testServerAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
    AZURE_AUTHORITY_HOST: sandbox.authorityHost,
    AZURE_TENANT_ID: sandbox.tenantId,
    AZURE_CLIENT_ID: sandbox.clientId,
    AZURE_CLIENT_SECRET: sandbox.clientSecret,
    NODE_EXTRA_CA_CERTS: sandbox.caFile,
    ORDER_POLL_INTERVAL: '250ms',
    PAYLOAD_ENCRYPTION_KEYS: `k2026:${key}`,
    PCW_API_TOKENS: `ops:read:${token}`,
  };
}

/** Every payload of a history event, wherever it sits (inputs, results, summaries, markers, memos, details). */
function payloadsOf(value: unknown, found: temporal.api.common.v1.IPayload[] = []): temporal.api.common.v1.IPayload[] {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return found;
  const record = value as Record<string, unknown>;
  if ('data' in record && 'metadata' in record && ArrayBuffer.isView(record.data)) {
    found.push(record as temporal.api.common.v1.IPayload);
    return found;
  }
  for (const [field, child] of Object.entries(record)) {
    // Search attributes are indexed by Temporal, hence never encoded (docs/security.md).
    if (field !== 'searchAttributes') payloadsOf(child, found);
  }
  return found;
}

test('with PAYLOAD_ENCRYPTION_KEYS, the raw history holds only ciphertext; the codec server decodes it for a token holder', async () => {
  const taskQueue = uniqueTaskQueue('codec');
  const workerEnv = env(taskQueue);
  const config = loadConfig(workerEnv, { requirePartnerCenter: false });
  const worker = runNode(builtEntry('worker.js'), [], workerEnv);
  const client = await connectClient(config);
  builtEntry('cli/pcw.js');
  const codecServer = runNode(
    join(__dirname, '..', '..', '..', 'bin', 'pcw.js'),
    ['codec-server', '--port', '0', '--json'],
    workerEnv,
  );
  try {
    await worker.waitFor(/"msg":"Worker started"/);
    const customerId = sandbox.customerIds[0];
    const requestId = `codec-${randomUUID()}`;
    const handle = await startPurchase(
      client,
      {
        requestId,
        customerId,
        items: [
          {
            offer: { productId: PRODUCT_ID, skuId: '0001' },
            quantity: 1,
            termDuration: 'P1Y',
            billingCycle: 'monthly',
            friendlyName: FRIENDLY_NAME,
          },
        ],
      },
      { taskQueue },
    );
    // The codec-aware client reads the result in clear.
    const result = await handle.result();
    expect(result.status).toBe('completed');

    // The server's own view, without any codec.
    const { history } = await client.connection.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: handle.workflowId },
    });
    const payloads = payloadsOf(history?.events ?? []);
    expect(payloads.length).toBeGreaterThan(10);
    // Only the SDK's own marker bookkeeping (patch ids, local-activity sequence numbers) stays plain.
    const plain = payloads.filter((p) => Buffer.from(p.metadata?.encoding ?? []).toString() !== 'binary/encrypted');
    for (const p of plain) {
      const fields = Object.keys(JSON.parse(Buffer.from(p.data ?? []).toString()) as object);
      expect(SDK_MARKER_FIELDS).toEqual(expect.arrayContaining(fields));
    }
    expect(plain.length).toBeLessThan(payloads.length / 2);
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history!).finish()).toString('latin1');
    expect(raw).not.toContain(FRIENDLY_NAME);
    expect(raw).not.toContain(PRODUCT_ID);
    expect(raw).not.toContain(key);
    const inPayloads = payloads.map((p) => Buffer.from(p.data ?? []).toString('latin1')).join('\n');
    expect(inPayloads).not.toContain(customerId);
    expect(inPayloads).not.toContain(result.cartId);

    // The codec server: 401 without a token, the input in clear with one (header or path, as the UI uses it).
    const { url } = JSON.parse((await codecServer.waitFor(/"url"/)).trim().split('\n').pop()!) as { url: string };
    const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const body = JSON.stringify({
      payloads: started.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data ?? []).toString('base64'),
      })),
    });
    const post = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await post('/decode')).status).toBe(401);
    expect((await post('/decode', { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    for (const response of [
      await post('/decode', { authorization: `Bearer ${token}` }),
      await post(`/${token}/decode`),
    ]) {
      expect(response.status).toBe(200);
      const decoded = (await response.json()) as { payloads: Array<{ data: string }> };
      const input = JSON.parse(Buffer.from(decoded.payloads[0].data, 'base64').toString()) as { customerId: string };
      expect(input).toMatchObject({ requestId, customerId });
    }
    const preflight = await fetch(`${url}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:8233',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect(worker.output()).not.toContain(key);
    expect(codecServer.output()).not.toContain(token);
  } finally {
    worker.child.kill('SIGTERM');
    codecServer.child.kill('SIGTERM');
    await Promise.all([worker.exited, codecServer.exited]);
    await client.connection.close();
  }
}, 120_000);
