import { randomUUID } from 'node:crypto';
import { DEFAULT_GRAPH_BASE_URL, type PartnerCenterSettings, type WorkerConfig } from '../config';
import {
  BILLING_PERMISSION,
  isPartnerCenterError,
  MFA_REQUIRED_ACTION,
  type GraphBillingClient,
  type PartnerCenterClient,
  type TokenProvider,
} from '../partner-center';
import { connectPartnerCenter } from '../partner-center-connection';
import { failed, firstLine, ok, skipped, type RecordCheck } from './doctor-checks';
import { checkWebhookRegistration, WEBHOOK_REGISTRATION } from './doctor-webhooks';

/** `pcw doctor`'s Partner Center checks: a token (with the MFA claim for App+User), a read, the Graph billing grant. */

/** How long the authority and Partner Center get to answer: a check that hangs tells the operator nothing. */
const ANSWER_TIMEOUT_MS = 10_000;

const TOKEN = 'Partner Center token';
const MFA_CLAIM = 'MFA claim';
const REACHABLE = 'Partner Center reachable';
const GRAPH_BILLING = 'Graph billing';

/** The token, MFA and read checks; returns every secret it held, so the report can be scrubbed of them. */
export async function checkPartnerCenter(
  config: WorkerConfig | undefined,
  env: NodeJS.ProcessEnv,
  record: RecordCheck,
): Promise<string[]> {
  const settings = config?.partnerCenter;
  const appPlusUser = settings ? settings.refreshToken !== undefined : (env.PARTNER_CENTER_REFRESH_TOKEN ?? '') !== '';
  const secrets = [env.AZURE_CLIENT_SECRET, env.PARTNER_CENTER_REFRESH_TOKEN].filter(
    (value): value is string => value !== undefined && value.trim() !== '',
  );
  const afterToken = [...(appPlusUser ? [MFA_CLAIM] : []), REACHABLE, GRAPH_BILLING, WEBHOOK_REGISTRATION];
  if (settings === undefined) {
    [TOKEN, ...afterToken].forEach((name) => record(name, skipped('the configuration is not valid')));
    return secrets;
  }
  const { tokens, client, graph } = connectPartnerCenter(settings, { timeoutMs: ANSWER_TIMEOUT_MS });
  const token = await checkToken(tokens, settings, appPlusUser, record);
  if (token === undefined) {
    afterToken.forEach((name) => record(name, skipped('no token')));
    return secrets;
  }
  secrets.push(token);
  if (appPlusUser) checkMfaClaim(token, record);
  await checkRead(client, settings.baseUrl, record);
  await checkGraphBilling(settings.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL, graph, record);
  await checkWebhookRegistration(client, record);
  return secrets;
}

/** The access token, or undefined once its failure is recorded with the likely fix. */
async function checkToken(
  tokens: TokenProvider,
  settings: PartnerCenterSettings,
  appPlusUser: boolean,
  record: RecordCheck,
): Promise<string | undefined> {
  const mode = modeOf(tokens);
  try {
    const token = await tokens.getAccessToken();
    record(TOKEN, ok(`${mode} token from ${settings.authorityHost}`));
    return token;
  } catch (error) {
    record(
      TOKEN,
      failed(
        `no ${mode} token: ${firstLine((error as Error).message)}`,
        isPartnerCenterError(error) && error.retryable
          ? 'check AZURE_AUTHORITY_HOST and the network path to it (proxy, firewall, trusted CA), then run doctor again'
          : appPlusUser
            ? 'check AZURE_TENANT_ID, AZURE_CLIENT_ID and the app credential; an expired or revoked refresh token needs a new consent (secure application model) and a new PARTNER_CENTER_REFRESH_TOKEN'
            : 'check AZURE_TENANT_ID, AZURE_CLIENT_ID and the app credential (AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH) of the app registration',
      ),
    );
    return undefined;
  }
}

function checkMfaClaim(token: string, record: RecordCheck): void {
  const amr = methodsOf(token);
  record(
    MFA_CLAIM,
    amr.includes('mfa')
      ? ok('the App+User token carries the MFA claim (amr: mfa)')
      : failed(
          `the App+User token lacks the MFA claim (amr: ${amr.length > 0 ? amr.join(', ') : 'none'}); Partner Center refuses it (401/900421)`,
          MFA_REQUIRED_ACTION,
        ),
  );
}

/** One page of customers: the token is accepted and the API is reachable. */
async function checkRead(client: PartnerCenterClient, baseUrl: string, record: RecordCheck): Promise<void> {
  try {
    await client.listCustomersPage({ size: 1 });
    record(REACHABLE, ok(`read one page of customers from ${baseUrl}`));
  } catch (error) {
    const refusal = isPartnerCenterError(error) ? error : undefined;
    const detail = firstLine((error as Error).message);
    record(
      REACHABLE,
      refusal?.kind === 'mfa-required'
        ? failed(
            `MFA required: Partner Center refused the App+User token (HTTP ${refusal.status}, code ${refusal.code}${refusal.requestId !== undefined ? `, MS-RequestId ${refusal.requestId}` : ''})`,
            MFA_REQUIRED_ACTION,
          )
        : failed(
            `${baseUrl}: ${detail}`,
            refusal?.kind === 'unauthorized'
              ? 'the token was refused: give the app registration Partner Center API access (and consent) in the partner tenant'
              : 'check PARTNER_CENTER_BASE_URL and the network path to it (proxy, firewall, trusted CA)',
          ),
    );
  }
}

/**
 * The reconciliation exports need PartnerBilling.Read.All on Microsoft Graph. Proved without starting an export:
 * reading an operation that does not exist answers 404 to a token with the permission and 403 to one without.
 */
async function checkGraphBilling(graphBaseUrl: string, graph: GraphBillingClient, record: RecordCheck) {
  try {
    await graph.getExportOperation(`pcw-doctor-${randomUUID()}`);
  } catch (error) {
    const refusal = isPartnerCenterError(error) ? error : undefined;
    if (refusal?.kind !== 'not-found') {
      record(
        GRAPH_BILLING,
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
  record(GRAPH_BILLING, ok(`${BILLING_PERMISSION} granted: ${graphBaseUrl} answered a billing read`));
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
