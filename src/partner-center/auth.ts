/**
 * Access tokens for Partner Center through @azure/msal-node (docs/seams.md §2, issue 4).
 *
 * - App-only: confidential client, client-credentials grant, with a client secret or a certificate.
 * - App+User: the secure application model — a stored refresh token exchanged for access tokens;
 *   the rotated refresh token Entra returns is kept in memory only and used for the next exchange.
 * - Tokens are cached here per tenant and scope and renewed shortly before expiry; concurrent callers share one
 *   token request. A customer's tenant (Microsoft Graph there) gets its tokens from that tenant's authority with
 *   the same app credentials: client credentials, or the App+User refresh token redeemed for that tenant. Any authority host other than the public cloud is a known authority (no
 *   instance discovery; OpenID metadata from `{host}/{tenant}/v2.0/.well-known/openid-configuration`).
 * - Failures become PartnerCenterErrors whose messages name the credential kind and the reason,
 *   with every secret we hold redacted from anything the authority said.
 *
 * The msal application, the certificate file, msal's network module and the failure messages are in authority/.
 */
import { MsalApplication, PUBLIC_AUTHORITY_HOST } from './authority/application';
import { createNetworkClient } from './authority/network';
import { redactSecrets, tokenFailure } from './authority/failures';
import type { TokenProviderOptions } from './authority/options';
import type { CredentialKind, TokenMode, TokenProvider } from './types';

export { PUBLIC_AUTHORITY_HOST } from './authority/application';
export { redactSecrets } from './authority/failures';

export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/.default';
/** Microsoft Graph (partner billing exports need PartnerBilling.Read.All). */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

const DEFAULT_RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;
const DEFAULT_AUTHORITY_TIMEOUT_MS = 30_000;
/** When the authority gives no expiry, do not trust a token for longer than this. */
const FALLBACK_LIFETIME_MS = 5 * 60_000;

interface CachedToken {
  token: string;
  renewAt: number;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const { mode, credentialKind, label } = describeCredential(options);
  const authorityHost = (options.authorityHost ?? PUBLIC_AUTHORITY_HOST).replace(/\/+$/, '');
  const renewBeforeExpiryMs = options.renewBeforeExpiryMs ?? DEFAULT_RENEW_BEFORE_EXPIRY_MS;
  const now = options.now ?? Date.now;
  const network = createNetworkClient(options.trustedCaPem, options.timeoutMs ?? DEFAULT_AUTHORITY_TIMEOUT_MS);
  const application = new MsalApplication(options, { authorityHost, label, network: network.client });
  // Per tenant and scope (Partner Center, Graph; the partner's tenant, customers' tenants): one provider, so an
  // App+User refresh token is rotated in one place.
  const cached = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<string>>();

  // Every secret this provider holds right now, so no message can carry one.
  const redact = (text: string) =>
    redactSecrets(text, [...application.secrets(), ...[...cached.values()].map((c) => c.token)]);

  async function acquire(key: string, scope: string, tenantId: string | undefined): Promise<string> {
    const started = now();
    const wallClockStart = Date.now();
    try {
      const result = await application.acquireToken(scope, tenantId);
      // msal reports expiry in wall-clock time; keep the lifetime and place it on our clock.
      const lifetime = Math.max(
        (result.expiresOn?.getTime() ?? wallClockStart + FALLBACK_LIFETIME_MS) - wallClockStart,
        0,
      );
      cached.set(key, {
        token: result.accessToken,
        renewAt: started + lifetime - Math.min(renewBeforeExpiryMs, lifetime / 2),
      });
      return result.accessToken;
    } catch (error) {
      const request = tenantId === undefined ? label : `${label} for tenant ${tenantId}`;
      throw tokenFailure(error, request, authorityHost, redact, network.lastFailure());
    }
  }

  return {
    mode,
    credentialKind,
    getAccessToken(request) {
      const forceRefresh = request?.forceRefresh === true;
      const scope = request?.scope ?? PARTNER_CENTER_SCOPE;
      const tenantId = request?.tenantId;
      const key = `${tenantId ?? ''} ${scope}`;
      const token = cached.get(key);
      if (!forceRefresh && token && now() < token.renewAt) return Promise.resolve(token.token);
      // One request in flight per tenant and scope, whoever asks: a forced refresh joins a running one (it is fresh anyway).
      let pending = inFlight.get(key);
      if (pending === undefined) {
        pending = acquire(key, scope, tenantId).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
  };
}

/** Whose token this is (mode, credential kind) and how messages name its request. */
function describeCredential(options: TokenProviderOptions): {
  mode: TokenMode;
  credentialKind: CredentialKind;
  label: string;
} {
  const mode: TokenMode = options.refreshToken ? 'app+user' : 'app-only';
  const credentialKind: CredentialKind = options.refreshToken
    ? 'refresh-token'
    : 'clientSecret' in options.credential
      ? 'client-secret'
      : 'certificate';
  const appCredentialKind = 'clientSecret' in options.credential ? 'client secret' : 'certificate';
  const label =
    mode === 'app+user'
      ? `App+User token request (refresh token, secure application model; app ${appCredentialKind})`
      : `App-only token request (${appCredentialKind})`;
  return { mode, credentialKind, label };
}
