import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { CLIENT_TYPES_PATH, generateClientTypes, OPENAPI_PATH } from '../../../tools/docs/openapi';
import type { paths } from '../../fixtures/openapi/api';
import { line, offers, startRig, type PurchaseRig } from '../purchase/harness';
import { operate, startApi, submit } from './support';

/**
 * The OpenAPI document as a client generator's user meets it: clean under Redocly's recommended lint rules, and the
 * typed client openapi-typescript generates from it (with openapi-fetch, not our code) buys over real HTTP, against a
 * real worker and the sandbox. The types are committed (test/fixtures/openapi/api.d.ts, `npm run docs`), so `npm test`'s
 * type-check proves the calls below fit the document; this test proves they are what the served document generates.
 */

let rig: PurchaseRig;
beforeAll(async () => {
  rig = await startRig({ orderCompletionDelayMs: 0, orderListDelayMs: 0 });
});
afterAll(async () => {
  await rig?.close();
});

const ROOT = join(__dirname, '..', '..', '..');

function lintProblems(document: unknown): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), 'pcw-openapi-lint-'));
  try {
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'test', 'support', 'openapi-lint.mjs'), join(dir, 'openapi.json')],
      {
        encoding: 'utf8',
      },
    );
    if (run.status !== 0) throw new Error(`the lint did not run: ${run.stderr}`);
    return JSON.parse(run.stdout) as unknown[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the OpenAPI document, linted and generated into a client', () => {
  it('lints clean, is the one committed in docs/, and generates the committed client types', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const api = await startApi(rig.client, taskQueue);
      try {
        const served = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
          paths: Record<string, Record<string, { operationId?: string }>>;
        };
        expect(lintProblems(served)).toEqual([]);
        const operationIds = Object.values(served.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
        expect(new Set(operationIds).size).toBe(operationIds.length);
        expect(operationIds).toEqual(expect.arrayContaining(['createPurchase', 'getPurchase', 'approvePurchase']));
        expect(JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'))).toEqual(served);
        // Out of date: `npm run build && npm run docs` regenerates both files.
        expect(generateClientTypes(JSON.stringify(served, null, 2))).toBe(readFileSync(CLIENT_TYPES_PATH, 'utf8'));
      } finally {
        await api.close();
      }
    });
  }, 60_000);

  it('drives a purchase to completion and approves another, through the generated client', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const api = await startApi(rig.client, taskQueue);
      try {
        const upstream = createClient<paths>({ baseUrl: api.url, headers: { authorization: `Bearer ${submit}` } });
        const operator = createClient<paths>({ baseUrl: api.url, headers: { authorization: `Bearer ${operate}` } });
        const customerId = rig.sandbox.customerIds[0]!;
        const view = (requestId: string) =>
          upstream.GET('/v1/purchases/{requestId}', { params: { path: { requestId } } });
        const until = async (requestId: string, done: (step: string | undefined, execution: string) => boolean) => {
          for (let attempt = 0; attempt < 150; attempt += 1) {
            const { data } = await view(requestId);
            if (data !== undefined && done(data.step, data.execution)) return data;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          throw new Error(`purchase ${requestId} never got there`);
        };

        // The Idempotency-Key names the purchase: the generated types know requestId may then be left out.
        const requestId = `generated-${randomUUID()}`;
        const bought = await upstream.POST('/v1/purchases', {
          params: { header: { 'idempotency-key': requestId } },
          body: { customerId, items: [line(offers.businessBasic, 2)] },
        });
        expect(bought.response.status).toBe(202);
        const completed = await until(requestId, (_step, execution) => execution !== 'RUNNING');
        expect(completed).toMatchObject({ execution: 'COMPLETED', result: { status: 'completed' } });
        expect(completed.result?.subscriptions).toHaveLength(1);

        const heldId = `generated-approval-${randomUUID()}`;
        const held = await upstream.POST('/v1/purchases', {
          body: { requestId: heldId, customerId, items: [line(offers.businessBasic, 1)], requireApproval: true },
        });
        expect(held.response.status).toBe(202);
        await until(heldId, (step) => step === 'awaiting-approval');
        const approved = await operator.POST('/v1/purchases/{requestId}/approve', {
          params: { path: { requestId: heldId } },
          body: { by: 'generated-client' },
        });
        expect(approved.response.status).toBe(200);
        expect(await until(heldId, (_step, execution) => execution !== 'RUNNING')).toMatchObject({
          execution: 'COMPLETED',
          result: { status: 'completed' },
        });
        // A refusal reaches the generated client as the documented problem, typed.
        const unknown = await upstream.GET('/v1/purchases/{requestId}', { params: { path: { requestId: 'none' } } });
        expect(unknown.response.status).toBe(404);
        expect(unknown.error).toMatchObject({ status: 404 });
      } finally {
        await api.close();
      }
    });
  }, 90_000);
});
