import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';
import { startReceiver, type Receiver } from './receiver';

/** `pcw doctor`'s webhook and encryption lines, through the installed bin against the sandbox and the dev server. */

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const key = randomBytes(32).toString('base64');

let tree: InstalledTree;
let sandbox: Sandbox;
let receiver: Receiver;
beforeAll(async () => {
  tree = installedTree();
  [sandbox, receiver] = await Promise.all([startSandbox(), startReceiver(secret)]);
});
afterAll(async () => {
  tree?.remove();
  await Promise.all([sandbox?.close(), receiver?.close()]);
});

const envOf = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
  MICROSOFT_GRAPH_BASE_URL: sandbox.graphBaseUrl,
  AZURE_AUTHORITY_HOST: sandbox.authorityHost,
  AZURE_TENANT_ID: sandbox.tenantId,
  AZURE_CLIENT_ID: sandbox.clientId,
  AZURE_CLIENT_SECRET: sandbox.clientSecret,
  NODE_EXTRA_CA_CERTS: sandbox.caFile,
  TEMPORAL_ADDRESS: testServerAddress(),
  TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
  PCW_WEBHOOK_URL: receiver.url,
  PCW_WEBHOOK_SECRET: secret,
  PAYLOAD_ENCRYPTION_KEYS: `k2026:${key},k2025:${randomBytes(32).toString('base64')}`,
  ...extra,
});

/** Runs `pcw doctor`; no secret (webhook secret, keys) in anything it printed. */
async function doctor(env: NodeJS.ProcessEnv) {
  const result = await spawnPcw(tree.bin, ['doctor'], env, tree.dir).exited;
  const printed = result.stdout + result.stderr;
  expect(printed).not.toContain(secret.slice('whsec_'.length));
  expect(printed).not.toContain(key);
  return result;
}

const line = (status: 'ok' | 'FAIL' | 'skip', name: string) => new RegExp(`^${status}\\s+${name}:`, 'm');

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('green on the sandbox with a receiver that verifies the signature, and the keys listed by id', async () => {
  const before = receiver.deliveries.length;
  const result = await doctor(envOf({}));
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(line('ok', 'webhook receiver'));
  expect(result.stdout).toMatch(/accepted a signed doctor\.ping event \(HTTP 200\)/);
  expect(result.stdout).toMatch(/encryption keys: 2 AES-256-GCM keys: "k2026" encrypts, "k2025" only decrypt/);
  expect(result.stdout).not.toMatch(/^(FAIL|skip)/m);
  expect(receiver.deliveries.slice(before).map((e) => e.type)).toEqual(['doctor.ping']);
});

test('red with the right line for an unreachable receiver, a refused signature and malformed keys', async () => {
  const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const stranger = await startReceiver(otherSecret);
  try {
    const [unreachable, refused, malformed] = await Promise.all([
      doctor(envOf({ PCW_WEBHOOK_URL: `http://127.0.0.1:${await closedPort()}/hooks` })),
      doctor(envOf({ PCW_WEBHOOK_URL: stranger.url })),
      doctor(envOf({ PAYLOAD_ENCRYPTION_KEYS: `k2026:${randomBytes(16).toString('base64')}` })),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(line('FAIL', 'webhook receiver'));
    expect(unreachable.stdout).toMatch(/PCW_WEBHOOK_URL is not reachable at http:\/\/127\.0\.0\.1:\d+/);
    expect(unreachable.stdout).toMatch(/fix: start the receiver, or correct PCW_WEBHOOK_URL/);
    expect(unreachable.stdout).toMatch(line('ok', 'encryption keys'));

    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /FAIL\s+webhook receiver: .* refused the signature of a signed doctor\.ping event \(HTTP 401\)/,
    );
    expect(refused.stdout).toMatch(/fix: give the receiver the same PCW_WEBHOOK_SECRET/);
    expect(stranger.badSignatures).toBe(1);

    expect(malformed.code).toBe(1);
    expect(malformed.stdout).toMatch(line('FAIL', 'configuration'));
    expect(malformed.stdout).toMatch(
      /FAIL\s+encryption keys: PAYLOAD_ENCRYPTION_KEYS: entry 1 \(key id "k2026"\): the key must be the base64 of exactly 32 bytes/,
    );
    expect(malformed.stdout).toMatch(/fix: list keyId:base64key entries/);
  } finally {
    await stranger.close();
  }
});
