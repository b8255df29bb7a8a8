import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startSandbox } from 'partner-center-sandbox';
import { connectClient, startPurchase } from '../../../src/client';
import { loadConfig } from '../../../src/config';
import { freePort, startDevServer } from '../../../src/dev/temporal-dev-server';
import { launchChromium } from '../../support/browser';
import { builtEntry, runNode } from '../../support/processes';

/**
 * The Temporal UI of a dev server started with --ui-codec-endpoint pointing at `pcw codec-server`: it shows a
 * purchase's input decrypted; once the codec server is gone, only ciphertext. A dev server of its own, because the
 * run's shared one has no UI.
 */

const FRIENDLY_NAME = `ui-project-${randomUUID()}`;

/** Waits until the page's text matches `pattern` (the UI loads and decodes payloads after the page itself). */
async function pageShows(page: Page, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await page.innerText('body');
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the page never showed ${pattern}; it shows:\n${text.slice(0, 2000)}`);
    await page.waitForTimeout(250);
  }
}

test('the UI shows the decoded input through the codec server, and ciphertext without it', async () => {
  builtEntry('cli/pcw.js');
  const token = randomBytes(24).toString('base64url');
  const [uiPort, codecPort, sandbox] = await Promise.all([
    freePort(),
    freePort(),
    startSandbox({ orderCompletionDelayMs: 300, orderListDelayMs: 500 }),
  ]);
  const keys: NodeJS.ProcessEnv = {
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    PAYLOAD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    PCW_API_TOKENS: `ops:read:${token}`,
  };
  // The codec server binds its port before the dev server starts: Temporal picks ports of its own while starting,
  // and once took the one freePort had just found (EADDRINUSE).
  const codecServer = runNode(
    join(__dirname, '..', '..', '..', 'bin', 'pcw.js'),
    ['codec-server', '--port', String(codecPort), '--origin', `http://127.0.0.1:${uiPort}`],
    keys,
  );
  const server = await codecServer
    .waitFor(/Codec server on/)
    .then(() =>
      startDevServer({ uiPort, uiCodecEndpoint: `http://127.0.0.1:${codecPort}/${token}`, progress: () => {} }),
    )
    .catch(async (error: unknown) => {
      codecServer.child.kill('SIGTERM');
      await sandbox.close();
      throw error;
    });
  const env: NodeJS.ProcessEnv = {
    ...keys,
    TEMPORAL_ADDRESS: server.address,
    PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
    AZURE_AUTHORITY_HOST: sandbox.authorityHost,
    AZURE_TENANT_ID: sandbox.tenantId,
    AZURE_CLIENT_ID: sandbox.clientId,
    AZURE_CLIENT_SECRET: sandbox.clientSecret,
    NODE_EXTRA_CA_CERTS: sandbox.caFile,
    ORDER_POLL_INTERVAL: '250ms',
  };
  const worker = runNode(builtEntry('worker.js'), [], env);
  const client = await connectClient(loadConfig(env, { requirePartnerCenter: false }));
  const browser = await launchChromium();
  try {
    await worker.waitFor(/"msg":"Worker started"/);
    const handle = await startPurchase(client, {
      requestId: `ui-codec-${randomUUID()}`,
      customerId: sandbox.customerIds[0],
      items: [
        {
          offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
          quantity: 1,
          termDuration: 'P1Y',
          billingCycle: 'monthly',
          friendlyName: FRIENDLY_NAME,
        },
      ],
    });
    await handle.result();

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const workflowPage = `${server.uiUrl}/namespaces/default/workflows/${handle.workflowId}`;
    await page.goto(workflowPage, { waitUntil: 'networkidle' });
    expect(await pageShows(page, new RegExp(FRIENDLY_NAME))).not.toMatch(/Codec Server could not connect/);

    // Without the codec server the UI has only what Temporal stores.
    codecServer.child.kill('SIGTERM');
    await codecServer.exited;
    await page.goto(workflowPage, { waitUntil: 'networkidle' });
    await pageShows(page, /Codec Server could not connect/);
    // The input as stored: the base64 of the AES-GCM ciphertext, nothing of the request.
    const text = await pageShows(page, /[A-Za-z0-9+/]{60,}/);
    expect(text).not.toContain(FRIENDLY_NAME);
  } finally {
    await browser.close();
    if (codecServer.child.exitCode === null && codecServer.child.signalCode === null) {
      codecServer.child.kill('SIGTERM');
      await codecServer.exited;
    }
    worker.child.kill('SIGTERM');
    await worker.exited;
    await client.connection.close();
    await server.stop();
    await sandbox.close();
  }
}, 180_000);
