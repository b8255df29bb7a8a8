import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { createBillingActivities } from '../../../src/activities/billing/activities';
import { createGraphBillingClient, createPartnerCenterClient, createTokenProvider } from '../../../src/partner-center';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import type { BillingExport, BillingExportRequest } from '../../../src/workflows/billing/types';
import { activityContext } from '../../support/activities';

/**
 * requestBillingExport's retries against the sandbox over HTTP: the operation a previous attempt heartbeated (as
 * soon as Graph accepted it) is reused while Graph still has it, so a crash before the workflow recorded the
 * result does not request a second export; a failed or unknown one is requested anew.
 */

const BILLED_EXPORT = 'POST /v1.0/reports/partners/billing/reconciliation/billed/export';
const UNBILLED_EXPORT = 'POST /v1.0/reports/partners/billing/reconciliation/unbilled/export';

let sandbox: Sandbox;
let activities: ReturnType<typeof createBillingActivities>;

beforeAll(async () => {
  sandbox = await startSandbox({ orderCompletionDelayMs: 0, orderListDelayMs: 0 });
  const tokens = createTokenProvider(sandboxTokenOptions(sandbox));
  activities = createBillingActivities({
    partnerCenter: createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens }),
    graph: createGraphBillingClient({ baseUrl: sandbox.graphBaseUrl, tokens }),
  });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await sandbox.control.reset();
});

const requests = async (route: string) => (await sandbox.control.counters()).requests[route] ?? 0;

/** One attempt, given the heartbeat details of the previous one: its result and what it heartbeated. */
async function attempt(request: BillingExportRequest, heartbeatDetails?: unknown, attemptNumber = 1) {
  const { run, mock } = activityContext({ attempt: attemptNumber, heartbeatDetails });
  const heartbeats: unknown[] = [];
  mock.on('heartbeat', (details: unknown) => heartbeats.push(details));
  const result = await run(activities.requestBillingExport, request);
  return { result, heartbeats };
}

describe('requestBillingExport retried after a crash', () => {
  it('heartbeats the billed export as soon as Graph accepts it, and a retry with those details reuses it: one export request', async () => {
    const invoice = await sandbox.control.createInvoice({ generatedLines: 10 });
    const first = await attempt({ invoiceId: invoice.id });
    // The crash: the first attempt's result never reached the workflow, only its heartbeat the server.
    expect(first.heartbeats).toEqual([first.result]);
    expect(first.result.invoice).toBeDefined();

    const retry = await attempt({ invoiceId: invoice.id }, first.heartbeats.at(-1), 2);
    expect(retry.result).toEqual<BillingExport>(first.result);
    expect(await requests(BILLED_EXPORT)).toBe(1);
  });

  it('reuses an unbilled export that is still running', async () => {
    await sandbox.control.setGraphPolicy({ exportRunMs: 60_000 });
    const request: BillingExportRequest = { period: 'current', currency: 'USD' };
    const first = await attempt(request);
    const retry = await attempt(request, first.heartbeats.at(-1), 2);
    expect(retry.result.operationId).toBe(first.result.operationId);
    expect(await requests(UNBILLED_EXPORT)).toBe(1);
  });

  it('requests anew when the heartbeated export failed', async () => {
    await sandbox.control.setGraphPolicy({ failExports: { count: 1, code: '500', message: 'Internal error' } });
    const request: BillingExportRequest = { period: 'current', currency: 'USD' };
    const first = await attempt(request);
    const retry = await attempt(request, first.heartbeats.at(-1), 2);
    expect(retry.result.operationId).not.toBe(first.result.operationId);
    expect(await requests(UNBILLED_EXPORT)).toBe(2);
  });

  it('requests anew when Graph no longer knows the heartbeated export', async () => {
    const request: BillingExportRequest = { period: 'current', currency: 'USD' };
    const retry = await attempt(request, { operationId: 'f3a1b2c4-0000-4000-8000-000000000000' }, 2);
    expect(retry.result.operationId).not.toBe('f3a1b2c4-0000-4000-8000-000000000000');
    expect(await requests(UNBILLED_EXPORT)).toBe(1);
  });
});
