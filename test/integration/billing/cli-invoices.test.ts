import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReconcileReport } from '../../../src/client';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';
import { businessBasicPurchaseFlags, startRig, type PurchaseRig } from '../purchase/harness';

/** `pcw invoices …`, `pcw reconcile --invoice` and `--period` through the installed bin against the sandbox (and a worker). */

let rig: PurchaseRig;
let tree: InstalledTree;
beforeAll(async () => {
  tree = installedTree();
  rig = await startRig({ orderCompletionDelayMs: 0, orderListDelayMs: 0 });
});
afterAll(async () => {
  tree?.remove();
  await rig?.close();
});

function pcw(args: string[], options: { appPlusUser?: boolean; taskQueue?: string } = {}) {
  const { sandbox } = rig;
  return spawnPcw(
    tree.bin,
    args,
    {
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: options.taskQueue ?? 'invoices-nobody',
      PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
      AZURE_AUTHORITY_HOST: sandbox.authorityHost,
      AZURE_TENANT_ID: sandbox.tenantId,
      AZURE_CLIENT_ID: sandbox.clientId,
      AZURE_CLIENT_SECRET: sandbox.clientSecret,
      NODE_EXTRA_CA_CERTS: sandbox.caFile,
      ...(options.appPlusUser ? { PARTNER_CENTER_REFRESH_TOKEN: sandbox.refreshToken } : {}),
    },
    tree.dir,
  ).exited;
}

describe('pcw invoices and pcw reconcile --invoice', () => {
  it('lists invoices a page at a time, shows one, and writes its statement PDF (App+User only, said in App-only mode)', async () => {
    const firstPage = await pcw(['invoices', 'list', '--limit', '2', '--json']);
    expect(firstPage.code).toBe(0);
    const page = JSON.parse(firstPage.stdout) as {
      items: Array<{ id: string }>;
      nextOffset?: number;
      totalCount: number;
    };
    expect(page.items).toHaveLength(2);
    expect(page.nextOffset).toBe(2);
    const rest = JSON.parse((await pcw(['invoices', 'list', '--limit', '2', '--offset', '2', '--json'])).stdout) as {
      items: Array<{ id: string }>;
    };
    expect(rest.items.map((i) => i.id)).not.toContain(page.items[0]!.id);
    const id = page.items[0]!.id;

    const shown = await pcw(['invoices', 'show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`invoice ${id}`);

    const file = join(tree.dir, 'statement.pdf');
    const appOnly = await pcw(['invoices', 'statement', id, '--out', file]);
    expect(appOnly.code).toBe(1);
    expect(appOnly.stderr).toMatch(/App\+User tokens only.*PARTNER_CENTER_REFRESH_TOKEN/);

    const written = await pcw(['invoices', 'statement', id, '--out', file, '--json'], { appPlusUser: true });
    expect(written.code).toBe(0);
    expect(JSON.parse(written.stdout)).toMatchObject({ invoiceId: id, file });
    const pdf = readFileSync(file);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toContain(`Invoice ${id}`);

    const usage = await pcw(['invoices', 'statement', id]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--out FILE');
  });

  it('reconciles the sandbox month billed into an invoice with --invoice --wait, exactly', async () => {
    const customer = rig.sandbox.customerIds[0]!;
    await rig.withWorker(async ({ taskQueue }) => {
      const bought = await pcw(
        businessBasicPurchaseFlags(customer, `invoice-cli-${Date.now()}`, 3, '--wait', '--json'),
        { taskQueue },
      );
      expect(bought.code).toBe(0);
      const invoice = await rig.sandbox.control.createInvoice();
      expect(invoice.lines).toBe(1);
      const run = await pcw(
        [
          'reconcile',
          '--invoice',
          invoice.id,
          '--customer',
          customer,
          '--billing-delay-hours',
          '0',
          '--wait',
          '--json',
        ],
        { taskQueue },
      );
      expect(run.code).toBe(0);
      const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      expect(last).toMatchObject({
        source: 'graph',
        invoiceId: invoice.id,
        lines: 1,
        matched: 1,
        totals: { unexpectedCharges: 0, missingCharges: 0, quantityMismatches: 0 },
      });

      const refused = await pcw(['reconcile', '--invoice', invoice.id, '--currency', 'USD'], { taskQueue });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/--currency must be absent with invoiceId/);
    });
  });

  it('reconciles the sandbox current month with --period current --currency USD --wait through Graph, exactly, and through v1 with --source v1', async () => {
    const customer = rig.sandbox.customerIds[0]!;
    await rig.withWorker(async ({ taskQueue }) => {
      const bought = await pcw(
        businessBasicPurchaseFlags(customer, `period-cli-${Date.now()}`, 2, '--wait', '--json'),
        { taskQueue },
      );
      expect(bought.code).toBe(0);
      // Every customer of the sandbox (no --customer): its own purchases only, so nothing is found.
      const reconcile = async (extra: string[]) => {
        const run = await pcw(
          [
            'reconcile',
            '--period',
            'current',
            '--currency',
            'USD',
            '--billing-delay-hours',
            '0',
            ...extra,
            '--wait',
            '--json',
          ],
          { taskQueue },
        );
        expect(run.code).toBe(0);
        return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as ReconcileReport;
      };
      const exact = {
        period: 'current',
        currency: 'USD',
        unexpectedCharges: [],
        missingCharges: [],
        quantityMismatches: [],
        unverifiedCharges: [],
        unverified: 0,
        totals: { unexpectedCharges: 0, missingCharges: 0, quantityMismatches: 0 },
      };
      const graph = await reconcile([]);
      expect(graph).toMatchObject({ ...exact, source: 'graph' });
      expect(graph.exportOperationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(graph.invoiceId).toBeUndefined();
      // This test's purchase and any earlier one of this file: each billed and matched.
      expect(graph.lines).toBeGreaterThanOrEqual(1);
      expect(graph.matched).toBe(graph.subscriptions);

      const v1 = await reconcile(['--source', 'v1']);
      expect(v1).toMatchObject({ ...exact, source: 'v1', lines: graph.lines, matched: graph.matched });
      expect(v1.exportOperationId).toBeUndefined();
    });
  });
});
