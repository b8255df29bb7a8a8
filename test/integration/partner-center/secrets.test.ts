/**
 * No client secret, refresh token or access token in any thrown error or any log line, across
 * every failure path we can provoke with the real credentials: authority refusals, an unreachable
 * authority, and each kind of Partner Center error.
 */
import { createServer } from 'node:net';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import { recordingLogger } from '../../support/logging';
import {
  createPartnerCenterClient,
  createTokenProvider,
  type TokenProvider,
  type TokenProviderOptions,
} from '../../../src/partner-center';

let sandbox: Sandbox;
const secrets = new Set<string>();
const errors: unknown[] = [];
const logger = recordingLogger();
const logLines = logger.lines;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 53 });
  for (const value of [
    sandbox.clientSecret,
    sandbox.refreshToken,
    sandbox.otherPartner.clientSecret,
    sandbox.otherPartner.refreshToken,
  ])
    secrets.add(value);
});

afterAll(async () => {
  await sandbox.close();
});

const options = (overrides: Partial<TokenProviderOptions> = {}): TokenProviderOptions => ({
  ...sandboxTokenOptions(sandbox),
  ...overrides,
});

/** Wraps a provider so every access token it hands out joins the secrets we look for. */
function recording(tokens: TokenProvider): TokenProvider {
  return {
    mode: tokens.mode,
    credentialKind: tokens.credentialKind,
    getAccessToken: async (request) => {
      const token = await tokens.getAccessToken(request);
      secrets.add(token);
      return token;
    },
  };
}

async function capture(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  errors.push(error);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Everything an error exposes as text: message, description, stack, JSON, and its causes. */
function textOf(error: unknown, depth = 0): string {
  if (!(error instanceof Error) || depth > 4) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return [
    error.message,
    error.stack ?? '',
    JSON.stringify(error),
    cause === undefined ? '' : textOf(cause, depth + 1),
  ].join('\n');
}

test('authority refusals with the real credentials', async () => {
  // Our refresh token presented by another app: invalid_grant.
  await capture(
    createTokenProvider(
      options({
        tenantId: sandbox.otherPartner.tenantId,
        clientId: sandbox.otherPartner.clientId,
        credential: { clientSecret: sandbox.otherPartner.clientSecret },
        refreshToken: sandbox.refreshToken,
      }),
    ).getAccessToken(),
  );
  // The real secret against the wrong tenant: unauthorized_client.
  await capture(createTokenProvider(options({ tenantId: sandbox.otherPartner.tenantId })).getAccessToken());
  // Another app's real secret for our client id: invalid_client.
  await capture(
    createTokenProvider(options({ credential: { clientSecret: sandbox.otherPartner.clientSecret } })).getAccessToken(),
  );
  // The authority is down.
  await capture(
    createTokenProvider(
      options({ authorityHost: `https://127.0.0.1:${await closedPort()}`, refreshToken: sandbox.refreshToken }),
    ).getAccessToken(),
  );
});

test('Partner Center failures with real tokens', async () => {
  const tokens = recording(createTokenProvider(options({ refreshToken: sandbox.refreshToken })));
  const client = createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens, logger, timeoutMs: 300 });
  const path = '/v1/products/CFQ7TTC0LH18';
  const read = () => client.getProduct('CFQ7TTC0LH18', { country: 'US' });
  await read(); // a success is logged too
  const faults = [
    { path, kind: 'status' as const, status: 401, count: 2, description: 'Unauthorized' },
    { path, kind: 'status' as const, status: 400, code: 800090 },
    { path, kind: 'throttle' as const, retryAfterSeconds: 3 },
    { path, kind: 'status' as const, status: 503 },
    { path, kind: 'reset' as const },
    { path, kind: 'latency' as const, latencyMs: 2_000 },
  ];
  for (const fault of faults) {
    await sandbox.control.addFault(fault);
    await capture(read());
  }
  await capture(client.getOrder(sandbox.customerIds[0], 'ffffffffffff'));
  const withoutMfa = await sandbox.control.mintToken({ mode: 'app+user', tenantId: sandbox.tenantId, mfa: false });
  secrets.add(withoutMfa);
  const refused: TokenProvider = { mode: 'app+user', getAccessToken: async () => withoutMfa };
  await capture(
    createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens: refused, logger }).getOrder(
      sandbox.customerIds[0],
      'x',
    ),
  );
  await sandbox.control.clearFaults();
});

test('no secret or token in any of those errors or log lines', () => {
  expect(errors.length).toBeGreaterThanOrEqual(12);
  expect(logLines.length).toBeGreaterThanOrEqual(10);
  // At least three access tokens were issued and looked for.
  expect(secrets.size).toBeGreaterThanOrEqual(6);
  const haystacks = [...errors.map((error) => textOf(error)), ...logLines];
  for (const text of haystacks) {
    for (const secret of secrets) expect(text).not.toContain(secret);
    // Whatever the value: no JWT, no sandbox client secret or refresh token shape.
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./);
    expect(text).not.toMatch(/sbx~|1\.sbx\./);
  }
});
