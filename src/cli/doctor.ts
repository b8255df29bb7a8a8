import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ConfigError, DEFAULT_GRAPH_BASE_URL, loadConfig, type WorkerConfig } from '../config';
import { parseEncryptionKeys } from '../settings/encryption-keys';
import { safeOrigin, sendSignedEvent } from '../webhooks';
import {
  BILLING_PERMISSION,
  isPartnerCenterError,
  MFA_REQUIRED_ACTION,
  type GraphBillingClient,
  type TokenProvider,
} from '../partner-center';
import { connectPartnerCenter } from '../partner-center-connection';
import { redactSecrets } from '../partner-center/auth';
import { searchAttributeKeys } from '../workflows/common/search-attributes';
import { UsageError } from './errors';
import type { Output } from './output';

/** `pcw doctor`: one line per check of the operator's setup, the fix under each failed one, exit 1 if any failed. */

export type CheckStatus = 'ok' | 'failed' | 'skipped';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

type Outcome = Omit<Check, 'name'>;

const ok = (detail: string): Outcome => ({ status: 'ok', detail });
const failed = (detail: string, fix: string): Outcome => ({ status: 'failed', detail, fix });
const skipped = (detail: string): Outcome => ({ status: 'skipped', detail });

/** Runs every check and prints the checklist; `connectTimeoutMs` is the one every pcw command waits for Temporal. */
export async function doctor(
  args: string[],
  env: NodeJS.ProcessEnv,
  out: Output,
  connectTimeoutMs: number,
): Promise<number> {
  if (args.length > 0) throw new UsageError([`doctor takes no arguments (got ${args.join(' ')})`]);
  const checks: Check[] = [];
  const record = (name: string, outcome: Outcome) => checks.push({ name, ...outcome });

  let config: WorkerConfig | undefined;
  try {
    config = loadConfig(env, { requirePartnerCenter: true });
    record('configuration', ok('every setting is valid'));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    record(
      'configuration',
      failed(
        `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}: ${error.problems.join('; ')}`,
        'correct the settings named above in the environment (README.md lists them all)',
      ),
    );
  }

  await checkTemporal(config, connectTimeoutMs, record);
  const secrets = await checkPartnerCenter(config, env, record);
  checkEncryptionKeys(env, record);
  await checkWebhook(config, env, record);

  const healthy = checks.every((check) => check.status !== 'failed');
  // Belt and braces: no message from an authority or a server may carry a credential we hold.
  const clean = (text: string) => redactSecrets(text, secrets);
  const report = checks.map((check) => ({
    ...check,
    detail: clean(check.detail),
    ...(check.fix !== undefined ? { fix: clean(check.fix) } : {}),
  }));
  out.emit({ ok: healthy, checks: report }, report.map(line(process.stdout.isTTY === true)).join('\n'));
  return healthy ? 0 : 1;
}

/** Only when PAYLOAD_ENCRYPTION_KEYS is set: key ids and 256-bit keys well-formed, which key encrypts. */
function checkEncryptionKeys(env: NodeJS.ProcessEnv, record: RecordCheck): void {
  const text = (env.PAYLOAD_ENCRYPTION_KEYS ?? '').trim();
  if (text === '') return;
  const name = 'encryption keys';
  const parsed = parseEncryptionKeys(text);
  if (!parsed.ok) {
    record(
      name,
      failed(
        `PAYLOAD_ENCRYPTION_KEYS: ${parsed.problem}`,
        'list keyId:base64key entries, e.g. PAYLOAD_ENCRYPTION_KEYS=k2026:$(openssl rand -base64 32); keep every key still needed to read old histories after the first',
      ),
    );
    return;
  }
  const [current, ...older] = parsed.keys;
  record(
    name,
    ok(
      `${parsed.keys.length} AES-256-GCM key${parsed.keys.length === 1 ? '' : 's'}: "${current.id}" encrypts${older.length > 0 ? `, ${older.map((k) => `"${k.id}"`).join(', ')} only decrypt` : ''}`,
    ),
  );
}

/**
 * Only when PCW_WEBHOOK_URL is set: a signed `doctor.ping` event (same headers and signature as every event, its own
 * id each time) must get a 2xx. A receiver that verifies signatures answers 401/403 to a secret it does not share.
 */
async function checkWebhook(config: WorkerConfig | undefined, env: NodeJS.ProcessEnv, record: RecordCheck) {
  if ((env.PCW_WEBHOOK_URL ?? '').trim() === '') return;
  const name = 'webhook receiver';
  const url = config?.webhooks?.url;
  if (config?.webhooks === undefined || url === undefined) {
    record(name, skipped('the configuration is not valid'));
    return;
  }
  const origin = safeOrigin(url);
  const event = {
    id: `doctor.ping/${randomUUID()}`,
    type: 'doctor.ping',
    timestamp: new Date().toISOString(),
    data: { message: 'pcw doctor checks that this receiver accepts signed events; nothing to do' },
  };
  let status: number;
  try {
    const response = await sendSignedEvent(config.webhooks, url, event);
    await response.body?.cancel();
    status = response.status;
  } catch (error) {
    record(
      name,
      failed(
        `PCW_WEBHOOK_URL is not reachable at ${origin} (${firstLine(String((error as Error).cause ?? (error as Error).message))})`,
        'start the receiver, or correct PCW_WEBHOOK_URL (https, or http on a loopback host)',
      ),
    );
    return;
  }
  if (status >= 200 && status < 300) {
    record(name, ok(`${origin} accepted a signed doctor.ping event (HTTP ${status})`));
  } else if (status === 401 || status === 403) {
    record(
      name,
      failed(
        `${origin} refused the signature of a signed doctor.ping event (HTTP ${status})`,
        'give the receiver the same PCW_WEBHOOK_SECRET as the worker (Standard Webhooks, whsec_ + base64)',
      ),
    );
  } else {
    record(
      name,
      failed(
        `${origin} answered HTTP ${status} to a signed doctor.ping event`,
        'check PCW_WEBHOOK_URL (path included) and that the receiver answers 2xx to events it accepts',
      ),
    );
  }
}

function line(tty: boolean): (check: Check) => string {
  const marks: Record<CheckStatus, string> = tty
    ? { ok: '✓', failed: '✗', skipped: '-' }
    : { ok: 'ok  ', failed: 'FAIL', skipped: 'skip' };
  return (check) =>
    `${marks[check.status]} ${check.name}: ${check.detail}${check.fix !== undefined ? `\n    fix: ${check.fix}` : ''}`;
}

type RecordCheck = (name: string, outcome: Outcome) => void;

async function checkTemporal(config: WorkerConfig | undefined, connectTimeoutMs: number, record: RecordCheck) {
  const names = ['Temporal reachable', 'Temporal namespace', 'search attributes'];
  if (config === undefined) {
    names.forEach((name) => record(name, skipped('the configuration is not valid')));
    return;
  }
  const address = config.temporal.connectionOptions?.address ?? 'localhost:7233 (the default)';
  const { namespace } = config.temporal;
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...config.temporal.connectionOptions, connectTimeout: connectTimeoutMs });
    record(names[0], ok(`connected to ${address}`));
  } catch (error) {
    record(
      names[0],
      failed(
        `not reachable at ${address} (${firstLine((error as Error).message)})`,
        'start Temporal (`npm start` runs a dev server) or set TEMPORAL_ADDRESS to the frontend host:port',
      ),
    );
    names.slice(1).forEach((name) => record(name, skipped('Temporal is not reachable')));
    return;
  }
  try {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      record(names[1], ok(`namespace "${namespace}" exists`));
    } catch (error) {
      record(
        names[1],
        failed(
          `namespace "${namespace}": ${firstLine((error as Error).message)}`,
          `create it (\`temporal operator namespace create --namespace ${namespace}\`) or set TEMPORAL_NAMESPACE to an existing one`,
        ),
      );
      record(names[2], skipped('the namespace does not exist'));
      return;
    }
    // The temporal CLI's spelling of a type (KeywordList), as `npm start` registers them.
    const cliType = (key: (typeof searchAttributeKeys)[number]) => TypedSearchAttributes.toMetadataType(key.type);
    let customAttributes: Record<string, temporal.api.enums.v1.IndexedValueType>;
    try {
      ({ customAttributes } = await connection.operatorService.listSearchAttributes({ namespace }));
    } catch (error) {
      record(
        names[2],
        failed(
          `cannot list them: ${firstLine((error as Error).message)}`,
          'give this client the right to call OperatorService.ListSearchAttributes, or check them in the Temporal UI',
        ),
      );
      return;
    }
    const wrong = searchAttributeKeys.filter(
      (key) => customAttributes[key.name] !== temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`],
    );
    if (wrong.length === 0) {
      record(names[2], ok(searchAttributeKeys.map((key) => `${key.name} (${cliType(key)})`).join(', ')));
    } else {
      record(
        names[2],
        failed(
          `missing or of the wrong type: ${wrong.map((key) => `${key.name} (${cliType(key)})`).join(', ')}`,
          wrong
            .map(
              (key) =>
                `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${cliType(key)}`,
            )
            .join(' && '),
        ),
      );
    }
  } finally {
    await connection.close();
  }
}

/** How long the authority and Partner Center get to answer: a check that hangs tells the operator nothing. */
const ANSWER_TIMEOUT_MS = 10_000;

/** The token, MFA and read checks; returns every secret it held, so the report can be scrubbed of them. */
async function checkPartnerCenter(config: WorkerConfig | undefined, env: NodeJS.ProcessEnv, record: RecordCheck) {
  const settings = config?.partnerCenter;
  const appPlusUser = settings ? settings.refreshToken !== undefined : (env.PARTNER_CENTER_REFRESH_TOKEN ?? '') !== '';
  const secrets = [env.AZURE_CLIENT_SECRET, env.PARTNER_CENTER_REFRESH_TOKEN].filter(
    (value): value is string => value !== undefined && value.trim() !== '',
  );
  const names = [
    'Partner Center token',
    ...(appPlusUser ? ['MFA claim'] : []),
    'Partner Center reachable',
    'Graph billing',
  ];
  if (settings === undefined) {
    names.forEach((name) => record(name, skipped('the configuration is not valid')));
    return secrets;
  }
  const { tokens, client, graph } = connectPartnerCenter(settings, { timeoutMs: ANSWER_TIMEOUT_MS });
  const mode = modeOf(tokens);
  let token: string;
  try {
    token = await tokens.getAccessToken();
    secrets.push(token);
    record(names[0], ok(`${mode} token from ${settings.authorityHost}`));
  } catch (error) {
    record(
      names[0],
      failed(
        `no ${mode} token: ${firstLine((error as Error).message)}`,
        isPartnerCenterError(error) && error.retryable
          ? 'check AZURE_AUTHORITY_HOST and the network path to it (proxy, firewall, trusted CA), then run doctor again'
          : appPlusUser
            ? 'check AZURE_TENANT_ID, AZURE_CLIENT_ID and the app credential; an expired or revoked refresh token needs a new consent (secure application model) and a new PARTNER_CENTER_REFRESH_TOKEN'
            : 'check AZURE_TENANT_ID, AZURE_CLIENT_ID and the app credential (AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH) of the app registration',
      ),
    );
    names.slice(1).forEach((name) => record(name, skipped('no token')));
    return secrets;
  }
  if (appPlusUser) {
    const amr = methodsOf(token);
    record(
      'MFA claim',
      amr.includes('mfa')
        ? ok('the App+User token carries the MFA claim (amr: mfa)')
        : failed(
            `the App+User token lacks the MFA claim (amr: ${amr.length > 0 ? amr.join(', ') : 'none'}); Partner Center refuses it (401/900421)`,
            MFA_REQUIRED_ACTION,
          ),
    );
  }
  try {
    await client.listCustomersPage({ size: 1 });
    record('Partner Center reachable', ok(`read one page of customers from ${settings.baseUrl}`));
  } catch (error) {
    const refusal = isPartnerCenterError(error) ? error : undefined;
    const detail = firstLine((error as Error).message);
    record(
      'Partner Center reachable',
      refusal?.kind === 'mfa-required'
        ? failed(
            `MFA required: Partner Center refused the App+User token (HTTP ${refusal.status}, code ${refusal.code}${refusal.requestId !== undefined ? `, MS-RequestId ${refusal.requestId}` : ''})`,
            MFA_REQUIRED_ACTION,
          )
        : failed(
            `${settings.baseUrl}: ${detail}`,
            refusal?.kind === 'unauthorized'
              ? 'the token was refused: give the app registration Partner Center API access (and consent) in the partner tenant'
              : 'check PARTNER_CENTER_BASE_URL and the network path to it (proxy, firewall, trusted CA)',
          ),
    );
  }
  await checkGraphBilling(settings.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL, graph, record);
  return secrets;
}

/**
 * The reconciliation exports need PartnerBilling.Read.All on Microsoft Graph. Proved without starting an export:
 * reading an operation that does not exist answers 404 to a token with the permission and 403 to one without.
 */
async function checkGraphBilling(graphBaseUrl: string, graph: GraphBillingClient, record: RecordCheck) {
  const name = 'Graph billing';
  try {
    await graph.getExportOperation(`pcw-doctor-${randomUUID()}`);
  } catch (error) {
    const refusal = isPartnerCenterError(error) ? error : undefined;
    if (refusal?.kind !== 'not-found') {
      record(
        name,
        refusal?.status === 403
          ? failed(
              `${graphBaseUrl} refused a billing read (HTTP 403): the app lacks ${BILLING_PERMISSION}`,
              `add the Microsoft Graph permission ${BILLING_PERMISSION} to the app registration (application; delegated for App+User) and have an administrator of the partner tenant grant consent`,
            )
          : failed(
              `${graphBaseUrl}: ${firstLine((error as Error).message)}`,
              "check MICROSOFT_GRAPH_BASE_URL, the app's access to Microsoft Graph and the network path to it (proxy, firewall, trusted CA)",
            ),
      );
      return;
    }
  }
  record(name, ok(`${BILLING_PERMISSION} granted: ${graphBaseUrl} answered a billing read`));
}

function modeOf(tokens: TokenProvider): string {
  if (tokens.mode === 'app+user') return 'App+User';
  return tokens.credentialKind === 'certificate' ? 'App-only (certificate)' : 'App-only (client secret)';
}

/** The `amr` claim of a JWT (its payload decoded, never verified: Partner Center does that), or [] without one. */
function methodsOf(token: string): string[] {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const amr = (payload as { amr?: unknown }).amr;
    return Array.isArray(amr) ? amr.filter((method): method is string => typeof method === 'string') : [];
  } catch {
    return [];
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}
