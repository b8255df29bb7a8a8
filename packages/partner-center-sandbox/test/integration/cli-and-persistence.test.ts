import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '../../src';
import { CliUsageError, parseSandboxArgs, runSandboxCli } from '../../src/cli';
import { createControlClient } from '../../src/control';
import { api, catalogItemFor, partnerTokens, requestToken, tokenFor } from './helpers';

const PURCHASE_SCRIPT = join(__dirname, '..', '..', 'sandbox-purchase.sh');

type ConnectionFacts = {
  baseUrl: string;
  graphBaseUrl: string;
  pricingBaseUrl: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  caFile: string;
  customerIds: string[];
};

/** Runs the CLI in-process until it has printed, with an emitter for its signals. */
async function runCli(argv: string[]): Promise<{ output: string[]; signals: EventEmitter; exited: Promise<number> }> {
  const output: string[] = [];
  const signals = new EventEmitter();
  const exited = new Promise<number>((resolve) => {
    void runSandboxCli(argv, { write: (text) => output.push(text), signals, exit: resolve });
  });
  await new Promise<void>((resolve) => {
    const poll = () => (output.length ? resolve() : setTimeout(poll, 10));
    poll();
  });
  return { output, signals, exited };
}

describe('npm run sandbox', () => {
  test('--json prints one line with the connection facts; SIGTERM closes it', async () => {
    const { output, signals, exited } = await runCli([
      '--json',
      '--port',
      '0',
      '--authority-port',
      '0',
      '--seed',
      '5',
      '--order-delay',
      '1s',
      '--list-delay',
      '2m',
    ]);
    expect(output).toHaveLength(1);
    expect(output[0].endsWith('\n')).toBe(true);
    const facts = JSON.parse(output[0]) as ConnectionFacts;
    expect(Object.keys(facts).sort()).toEqual([
      'authorityHost',
      'baseUrl',
      'caFile',
      'clientId',
      'clientSecret',
      'customerIds',
      'graphBaseUrl',
      'pricingBaseUrl',
      'refreshToken',
      'tenantId',
    ]);
    expect(facts.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The contract's --json line names the Graph billing host the sandbox serves beside Partner Center.
    expect(facts.graphBaseUrl).toBe(`${facts.baseUrl}/graph`);
    // And, since contract v3, the pricing host of the price sheets.
    expect(facts.pricingBaseUrl).toBe(`${facts.baseUrl}/pricing`);
    expect(facts.authorityHost).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const caPem = readFileSync(facts.caFile, 'utf8');
    const token = await tokenFor({ authorityHost: facts.authorityHost, caPem }, 'app-only', facts);
    const products = await api(facts, token, 'GET', '/products?country=US&targetView=OnlineServices');
    expect(products.status).toBe(200);
    expect(await (await fetch(`${facts.baseUrl}/_sandbox/clock`)).json()).toHaveProperty('now');

    signals.emit('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`${facts.baseUrl}/_sandbox/clock`)).rejects.toThrow();
  });

  test('without --json it prints a banner with the credentials, the env exports and a curl example', async () => {
    const { output, signals, exited } = await runCli(['--port', '0', '--authority-port', '0']);
    const text = output.join('');
    for (const fact of [
      'API base URL',
      'Token authority',
      'CA file',
      'Client secret',
      'Refresh token',
      'NODE_EXTRA_CA_CERTS=',
      'PARTNER_CENTER_BASE_URL=',
      'curl ',
      `bash ${PURCHASE_SCRIPT}`,
    ])
      expect(text).toContain(fact);
    expect(text).not.toContain('single use');
    signals.emit('SIGINT');
    expect(await exited).toBe(0);
  });

  test('sandbox-purchase.sh walks the whole purchase flow with curl, from the printed facts alone', async () => {
    const { output, signals, exited } = await runCli([
      '--json',
      '--port',
      '0',
      '--authority-port',
      '0',
      '--order-delay',
      '1s',
    ]);
    const facts = JSON.parse(output[0]) as ConnectionFacts;
    const env = {
      PATH: process.env.PATH,
      PARTNER_CENTER_BASE_URL: facts.baseUrl,
      AZURE_AUTHORITY_HOST: facts.authorityHost,
      AZURE_TENANT_ID: facts.tenantId,
      AZURE_CLIENT_ID: facts.clientId,
      AZURE_CLIENT_SECRET: facts.clientSecret,
      NODE_EXTRA_CA_CERTS: facts.caFile,
      CUSTOMER_ID: facts.customerIds[0], // in the US, the script's default country
    };
    try {
      const { stdout, stderr } = await promisify(execFile)('bash', [PURCHASE_SCRIPT], { env, timeout: 30_000 });
      expect(stderr).toMatch(/^order status pending$/m); // it waited for the order, which starts pending
      const [cartId, orderId] = ['cart', 'order'].map(
        (label) => new RegExp(`^${label} +(\\S+)$`, 'm').exec(stderr)?.[1],
      );
      expect(JSON.parse(stdout)).toMatchObject({
        quantity: 2,
        status: 'active',
        termDuration: 'P1M',
        orderId,
        offerId: expect.stringMatching(/^CFQ7TTC0LH18:0001:/),
      });
      expect((await createControlClient(facts.baseUrl).counters()).ordersPerCart).toEqual({ [cartId!]: 1 });
      expect(stdout + stderr).not.toContain(facts.clientSecret);

      const { CUSTOMER_ID: _omitted, ...withoutCustomer } = env;
      const refused = await promisify(execFile)('bash', [PURCHASE_SCRIPT], { env: withoutCustomer }).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('CUSTOMER_ID is not set') });
    } finally {
      signals.emit('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  test('--repeated-checkout already-submitted --no-request-id-replay: the start policy, which a reset restores', async () => {
    const { output, signals, exited } = await runCli([
      '--json',
      '--port',
      '0',
      '--authority-port',
      '0',
      '--repeated-checkout',
      'already-submitted',
      '--no-request-id-replay',
    ]);
    const control = createControlClient((JSON.parse(output[0]) as ConnectionFacts).baseUrl);
    const startPolicy = { repeatedCheckout: 'already-submitted', requestIdReplay: false, transitionEvents: 'state' };
    expect(await control.setApiPolicy({})).toEqual(startPolicy);
    expect(await control.setApiPolicy({ repeatedCheckout: 'replay', requestIdReplay: true })).toEqual({
      repeatedCheckout: 'replay',
      requestIdReplay: true,
      transitionEvents: 'state',
    });
    await control.reset();
    expect(await control.setApiPolicy({})).toEqual(startPolicy);
    signals.emit('SIGTERM');
    expect(await exited).toBe(0);
  });

  test('--single-use-refresh-tokens: the printed refresh token works once, its reuse is refused with AADSTS50173', async () => {
    const { output, signals, exited } = await runCli([
      '--json',
      '--port',
      '0',
      '--authority-port',
      '0',
      '--single-use-refresh-tokens',
    ]);
    const facts = JSON.parse(output[0]) as ConnectionFacts;
    const authority = { authorityHost: facts.authorityHost, caPem: readFileSync(facts.caFile, 'utf8') };
    expect((await requestToken(authority, 'app+user', facts)).status).toBe(200);
    const reused = await requestToken(authority, 'app+user', facts);
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ error: 'invalid_grant', error_codes: [50173] });
    signals.emit('SIGTERM');
    expect(await exited).toBe(0);
  });

  test('flags are validated with a usage message', () => {
    expect(parseSandboxArgs([])).toMatchObject({
      port: 8091,
      'authority-port': 8092,
      seed: 1,
      'order-delay': 2000,
      'list-delay': 3000,
      'single-use-refresh-tokens': false,
      json: false,
    });
    expect(parseSandboxArgs(['--single-use-refresh-tokens'])).toMatchObject({ 'single-use-refresh-tokens': true });
    expect(parseSandboxArgs([])).toMatchObject({ 'repeated-checkout': 'replay', 'no-request-id-replay': false });
    expect(() => parseSandboxArgs(['--repeated-checkout', 'sometimes'])).toThrow(/--repeated-checkout/);
    expect(parseSandboxArgs(['--list-delay', '15m', '--order-delay', '500ms'])).toMatchObject({
      'list-delay': 900_000,
      'order-delay': 500,
    });
    expect(() => parseSandboxArgs(['--port', 'eighty'])).toThrow(CliUsageError);
    expect(() => parseSandboxArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseSandboxArgs(['--order-delay', 'soon'])).toThrow(/--order-delay/);
    expect(() => parseSandboxArgs(['--colour'])).toThrow(/Usage/);
  });

  test('the package bin runs the CLI: --help prints the usage and exits 0, a bad flag exits 2', async () => {
    const bin = join(__dirname, '..', '..', 'bin', 'partner-center-sandbox.js');
    const help = await promisify(execFile)(process.execPath, [bin, '--help']);
    expect(help.stdout).toMatch(/^Usage: partner-center-sandbox \[options\]/);
    const bad = await promisify(execFile)(process.execPath, [bin, '--colour']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/--colour/) });
  });
});

describe('dataFile persistence', () => {
  test('orders, subscriptions, agreements, rotated availabilities and the clock survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcw-sandbox-data-'));
    const dataFile = join(dir, 'state.json');
    try {
      const first = await startSandbox({ seed: 77, dataFile, orderCompletionDelayMs: 0, orderListDelayMs: 0 });
      const token = (await partnerTokens(first)).appOnly;
      const customer = first.customerIds[0];
      await first.control.setDelays({ checkoutMs: 0 });
      const offer = await catalogItemFor(first, token, 'CFQ7TTC0LH18', '0001', 'P1Y');
      const cart = await api<{ id: string }>(first, token, 'POST', `/customers/${customer}/carts`, {
        lineItems: [{ id: 0, catalogItemId: offer, quantity: 4, termDuration: 'P1Y', billingCycle: 'monthly' }],
      });
      await api(first, token, 'POST', `/customers/${customer}/carts/${cart.body.id}/checkout`);
      const [productId, skuId, availabilityId] = offer.split(':');
      const rotated = await first.control.rotateAvailability({ productId, skuId, availabilityId });
      await first.control.advanceClock(48 * 3_600_000);
      const subscriptions = (
        await api<{ items: Array<{ id: string; quantity: number }> }>(
          first,
          token,
          'GET',
          `/customers/${customer}/subscriptions`,
        )
      ).body.items;
      expect(subscriptions).toHaveLength(1);
      const withdrawn = first.customerIds[1];
      expect(await first.control.withdrawAgreements(withdrawn)).toBe(1);
      await first.close();

      const second = await startSandbox({ seed: 77, dataFile });
      try {
        expect(second.customerIds).toEqual(first.customerIds);
        const again = (await partnerTokens(second)).appOnly;
        const restored = await api<{ items: Array<{ id: string; quantity: number }> }>(
          second,
          again,
          'GET',
          `/customers/${customer}/subscriptions`,
        );
        expect(restored.body.items).toEqual([expect.objectContaining({ id: subscriptions[0].id, quantity: 4 })]);
        expect(await catalogItemFor(second, again, productId, skuId, 'P1Y')).toBe(rotated.newCatalogItemId);
        expect((await second.control.now()) - Date.now()).toBeGreaterThan(47 * 3_600_000);
        // A withdrawn agreement stays withdrawn instead of being re-seeded.
        const { agreementsPerCustomer } = await second.control.counters();
        expect(agreementsPerCustomer[customer]).toBe(1);
        expect(agreementsPerCustomer[withdrawn]).toBeUndefined();
        // New ids continue the sequence instead of repeating it.
        const next = await api<{ id: string }>(second, again, 'POST', `/customers/${customer}/carts`, {
          lineItems: [
            {
              id: 0,
              catalogItemId: rotated.newCatalogItemId,
              quantity: 1,
              termDuration: 'P1Y',
              billingCycle: 'monthly',
            },
          ],
        });
        expect(next.body.id).not.toBe(cart.body.id);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
