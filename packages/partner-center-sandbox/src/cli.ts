import type { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { REPEATED_CHECKOUT_ANSWERS } from './api-policy';
import { startSandbox, type Sandbox } from './index';

/** `npm run sandbox`: the sandbox alone, printing where it listens and its test credentials. */

/** A whole purchase with curl alone, shipped beside this package's README. */
const PURCHASE_SCRIPT = join(__dirname, '..', 'sandbox-purchase.sh');

const USAGE = `Usage: partner-center-sandbox [options]   (npm run sandbox -- [options] in the worker's repository)
  --port <n>             API port (default 8091; 0 = any free port)
  --authority-port <n>   https token authority port (default 8092; 0 = any free port)
  --seed <n>             deterministic ids and data (default 1)
  --order-delay <time>   pending -> completed, e.g. 2000, 2s, 1m (default 2s)
  --list-delay <time>    how far the customer order list lags, e.g. 3s, 15m (default 3s)
  --data-file <path>     keep the state in this JSON file across restarts
  --single-use-refresh-tokens
                         a refresh token stops working once redeemed (rotation must be kept)
  --repeated-checkout <replay|already-submitted>
                         a repeated checkout of an ordered cart answers the first result (default)
                         or 400/800065, the two answers Partner Center documents
  --no-request-id-replay a request repeated with the same MS-RequestId is handled afresh
  --no-mfa-claim         App+User tokens lack the MFA claim: App+User calls get 401/900421
  --legacy-audience      tokens are for the retired https://graph.windows.net audience: calls get 401/900420
  --json                 print one JSON line with the connection facts once listening`;

const duration = z
  .string()
  .regex(/^\d+(ms|s|m)?$/, 'must be a duration such as 1500, 2s or 15m')
  .transform((text) => {
    const [, amount, unit] = /^(\d+)(ms|s|m)?$/.exec(text)!;
    return Number(amount) * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1);
  });
const port = z
  .string()
  .regex(/^\d+$/, 'must be a port number')
  .transform(Number)
  .pipe(z.number().max(65535, 'must be at most 65535'));

const argsSchema = z.object({
  port: port.default(8091),
  'authority-port': port.default(8092),
  seed: z
    .string()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .default(1),
  'order-delay': duration.default(2000),
  'list-delay': duration.default(3000),
  'data-file': z.string().min(1).optional(),
  'single-use-refresh-tokens': z.boolean().default(false),
  'repeated-checkout': z.enum(REPEATED_CHECKOUT_ANSWERS).default('replay'),
  'no-request-id-replay': z.boolean().default(false),
  'no-mfa-claim': z.boolean().default(false),
  'legacy-audience': z.boolean().default(false),
  json: z.boolean().default(false),
});

export class CliUsageError extends Error {}

export function parseSandboxArgs(argv: string[]): z.infer<typeof argsSchema> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'authority-port': { type: 'string' },
        seed: { type: 'string' },
        'order-delay': { type: 'string' },
        'list-delay': { type: 'string' },
        'data-file': { type: 'string' },
        'single-use-refresh-tokens': { type: 'boolean' },
        'repeated-checkout': { type: 'string' },
        'no-request-id-replay': { type: 'boolean' },
        'no-mfa-claim': { type: 'boolean' },
        'legacy-audience': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new CliUsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `--${issue.path.join('.')} ${issue.message}`);
    throw new CliUsageError(`${problems.join('\n')}\n${USAGE}`);
  }
  return parsed.data;
}

export function connectionFacts(sandbox: Sandbox): Record<string, unknown> {
  return {
    baseUrl: sandbox.baseUrl,
    graphBaseUrl: sandbox.graphBaseUrl,
    pricingBaseUrl: sandbox.pricingBaseUrl,
    authorityHost: sandbox.authorityHost,
    tenantId: sandbox.tenantId,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    refreshToken: sandbox.refreshToken,
    caFile: sandbox.caFile,
    customerIds: sandbox.customerIds,
  };
}

function banner(
  sandbox: Sandbox,
  args: Pick<z.infer<typeof argsSchema>, 'single-use-refresh-tokens' | 'no-mfa-claim' | 'legacy-audience'>,
): string {
  const tokenUrl = `${sandbox.authorityHost}/${sandbox.tenantId}/oauth2/v2.0/token`;
  const singleUseRefreshTokens = args['single-use-refresh-tokens'];
  const refusals = [
    args['no-mfa-claim'] ? 'App+User tokens lack the MFA claim (App+User calls get 401/900421)' : undefined,
    args['legacy-audience']
      ? 'tokens are for the retired audience https://graph.windows.net (calls get 401/900420)'
      : undefined,
  ].filter((line) => line !== undefined);
  return `Partner Center sandbox is listening.

  API base URL      ${sandbox.baseUrl}   (routes under /v1, control API under /_sandbox)
  Graph host        ${sandbox.graphBaseUrl}   (partner billing exports under /v1.0/reports/partners/billing)
  Pricing host      ${sandbox.pricingBaseUrl}   (price sheets under /v1.0/sales/pricesheets; App+User tokens for https://api.partner.microsoft.com)
  Token authority   ${sandbox.authorityHost}   (OpenID configuration at /${sandbox.tenantId}/v2.0/.well-known/openid-configuration)
  CA file           ${sandbox.caFile}
  Tenant id         ${sandbox.tenantId}
  Client id         ${sandbox.clientId}
  Client secret     ${sandbox.clientSecret}
  Client cert       ${sandbox.clientCertificatePath}
  Refresh token     ${sandbox.refreshToken}${singleUseRefreshTokens ? '\n                    (single use: each exchange returns the next one, a reused one is refused)' : ''}
  Customers         ${sandbox.customerIds.join(', ')}${refusals.map((line) => `\n  Token refusals    ${line}`).join('')}

Point the worker (or your own code) at it:
  export PARTNER_CENTER_BASE_URL=${sandbox.baseUrl}
  export MICROSOFT_GRAPH_BASE_URL=${sandbox.graphBaseUrl}
  export PARTNER_PRICING_BASE_URL=${sandbox.pricingBaseUrl}
  export AZURE_AUTHORITY_HOST=${sandbox.authorityHost}
  export AZURE_TENANT_ID=${sandbox.tenantId} AZURE_CLIENT_ID=${sandbox.clientId}
  export AZURE_CLIENT_SECRET='${sandbox.clientSecret}'
  export PARTNER_CENTER_REFRESH_TOKEN='${sandbox.refreshToken}'
  export NODE_EXTRA_CA_CERTS=${sandbox.caFile}

Try it with curl:
  TOKEN=$(curl -s --cacert ${sandbox.caFile} ${tokenUrl} \\
    -d grant_type=client_credentials -d client_id=${sandbox.clientId} \\
    --data-urlencode 'client_secret=${sandbox.clientSecret}' \\
    --data-urlencode scope=https://api.partnercenter.microsoft.com/.default \\
    | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')
  curl -s -H "Authorization: Bearer $TOKEN" '${sandbox.baseUrl}/v1/products?country=US&targetView=OnlineServices'

A whole purchase with curl (token, catalog, cart, checkout, order, subscription), after the exports above:
  CUSTOMER_ID=${sandbox.customerIds[0]} bash ${PURCHASE_SCRIPT}

Ctrl-C stops it.
`;
}

export interface CliIo {
  write(text: string): void;
  /** Where SIGINT/SIGTERM arrive (the process, or an emitter in tests). */
  signals: Pick<EventEmitter, 'once' | 'removeListener'>;
  /** Called once the sandbox closed after a signal. */
  exit(code: number): void;
}

export async function runSandboxCli(argv: string[], io: CliIo): Promise<Sandbox> {
  const args = parseSandboxArgs(argv);
  const sandbox = await startSandbox({
    port: args.port,
    authorityPort: args['authority-port'],
    seed: args.seed,
    orderCompletionDelayMs: args['order-delay'],
    orderListDelayMs: args['list-delay'],
    dataFile: args['data-file'],
    singleUseRefreshTokens: args['single-use-refresh-tokens'],
    repeatedCheckout: args['repeated-checkout'],
    requestIdReplay: !args['no-request-id-replay'],
    mfaClaim: !args['no-mfa-claim'],
    legacyAudience: args['legacy-audience'],
  });
  io.write(args.json ? `${JSON.stringify(connectionFacts(sandbox))}\n` : banner(sandbox, args));
  const stop = (): void => {
    io.signals.removeListener('SIGINT', stop);
    io.signals.removeListener('SIGTERM', stop);
    sandbox.close().then(
      () => io.exit(0),
      () => io.exit(1),
    );
  };
  io.signals.once('SIGINT', stop);
  io.signals.once('SIGTERM', stop);
  return sandbox;
}

/** The `partner-center-sandbox` command (bin/partner-center-sandbox.js; `npm run sandbox` in the worker's repository). */
export function main(): void {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  runSandboxCli(process.argv.slice(2), {
    write: (text) => process.stdout.write(text),
    signals: process,
    exit: (code) => process.exit(code),
  }).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof CliUsageError ? 2 : 1);
  });
}
