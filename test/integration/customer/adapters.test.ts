import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';
import { call, read, startApi, submit } from '../api/support';
import { createRequest, startOnboardRig, type OnboardRig } from './harness';

/** `pcw onboard` through its installed bin, and `POST|GET /v1/customers` over HTTP, against a worker and the sandbox. */

let rig: OnboardRig;
let tree: InstalledTree;
let dir: string;
beforeAll(async () => {
  tree = installedTree();
  dir = mkdtempSync(join(tmpdir(), 'pcw-onboard-'));
  rig = await startOnboardRig();
});
afterAll(async () => {
  tree?.remove();
  rmSync(dir, { recursive: true, force: true });
  await rig?.close();
});

test('pcw onboard --file --wait prints the invitation link, waits for the acceptance and prints the customer', async () => {
  const tenantId = randomUUID();
  const requestId = `cli-onboard-${randomUUID()}`;
  const file = join(dir, 'onboard.json');
  writeFileSync(
    file,
    JSON.stringify({ requestId, customer: { existingTenantId: tenantId }, agreement: createRequest().agreement }),
  );
  await rig.withWorker(async ({ taskQueue }) => {
    const env = {
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: taskQueue,
    };
    const pcw = spawnPcw(tree.bin, ['onboard', '--file', file, '--wait'], env, tree.dir);
    await pcw.waitFor(/accepts the reseller relationship at https:\/\//);
    await rig.sandbox.control.onboarding.acceptRelationship(tenantId, { domain: 'clitenant.onmicrosoft.com' });
    const { code, stdout, stderr } = await pcw.exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('step awaiting-relationship');
    expect(stdout).toContain(`onboarded customer ${tenantId} (clitenant.onmicrosoft.com, tenant ${tenantId}, invited)`);

    const status = await spawnPcw(tree.bin, ['status', requestId, '--json'], env, tree.dir).exited;
    expect(JSON.parse(status.stdout)).toMatchObject({ kind: 'onboard', step: 'completed', result: { tenantId } });

    const bad = await spawnPcw(tree.bin, ['onboard', '--file', join(__dirname, 'nope.json')], env, tree.dir).exited;
    expect(bad.code).toBe(2);
    writeFileSync(file, JSON.stringify({ requestId, customer: {}, agreement: { email: 'x' } }));
    const invalid = await spawnPcw(tree.bin, ['onboard', '--file', file, '--json'], env, tree.dir).exited;
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toContain('customer must hold exactly one of create and existingTenantId');
  });
}, 90_000);

test('POST /v1/customers starts one onboarding per Idempotency-Key; GET /v1/customers/{requestId} shows its status, then its result', async () => {
  await rig.withWorker(async ({ taskQueue }) => {
    const api = await startApi(rig.client, taskQueue);
    try {
      const { requestId, ...body } = createRequest();
      const first = await call(api, 'POST', '/v1/customers', {
        token: submit,
        body,
        headers: { 'idempotency-key': requestId },
      });
      expect(first.status).toBe(202);
      expect(first.body).toEqual({
        requestId,
        workflowId: `onboard-${requestId}`,
        statusUrl: `/v1/customers/${requestId}`,
      });
      const again = await call(api, 'POST', '/v1/customers', {
        token: submit,
        body,
        headers: { 'idempotency-key': requestId },
      });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ kind: 'onboard', workflowId: `onboard-${requestId}` });
      let view = again;
      for (let i = 0; (view.body as { execution?: string }).execution !== 'COMPLETED' && i < 100; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        view = await call(api, 'GET', `/v1/customers/${requestId}`, { token: read });
      }
      expect(view.body).toMatchObject({ kind: 'onboard', step: 'completed', result: { requestId, created: true } });
      const refused = await call(api, 'POST', '/v1/customers', {
        token: submit,
        body: { ...body, customer: { create: { ...body.customer.create, country: 'XX' } } },
        headers: { 'idempotency-key': `${requestId}-2` },
      });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('customer.create.country');
      expect(api.log.join('\n')).not.toMatch(/"password"/);
    } finally {
      await api.close();
    }
  });
}, 90_000);
