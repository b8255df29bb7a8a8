/**
 * The msal confidential client application of one token provider, built on first use (a certificate file is read
 * then), and the App+User refresh token it exchanges: Entra rotates it on use, and the rotated one is kept in
 * memory only and used for the next exchange.
 */
import { ConfidentialClientApplication, type AuthenticationResult, type INetworkModule } from '@azure/msal-node';
import { PartnerCenterUnauthorizedError } from '../errors';
import type { TokenProviderOptions } from './options';
import { loadCertificate } from './certificate';
import { authorityError } from './failures';

export const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export class MsalApplication {
  private application: Promise<ConfidentialClientApplication> | undefined;
  private refreshToken: string | undefined;
  private readonly options: TokenProviderOptions;
  private readonly authorityHost: string;
  private readonly label: string;
  private readonly network: INetworkModule;

  /** `label` names the token request in messages; `authorityHost` has no trailing slash. */
  constructor(
    options: TokenProviderOptions,
    { authorityHost, label, network }: { authorityHost: string; label: string; network: INetworkModule },
  ) {
    this.options = options;
    this.refreshToken = options.refreshToken;
    this.authorityHost = authorityHost;
    this.label = label;
    this.network = network;
  }

  /** Every secret held right now (the client secret, the refresh tokens given and rotated). */
  secrets(): string[] {
    const { credential } = this.options;
    return [
      'clientSecret' in credential ? credential.clientSecret : undefined,
      this.options.refreshToken,
      this.refreshToken,
    ].filter((value): value is string => value !== undefined);
  }

  /**
   * A new access token for `scope`: by refresh token (App+User) or client credentials (App-only), from the authority
   * of `tenantId` (a customer's tenant) when given, else of the configured tenant.
   */
  async acquireToken(scope: string, tenantId?: string): Promise<AuthenticationResult> {
    const client = await this.app();
    const authority = tenantId === undefined ? undefined : `${this.authorityHost}/${tenantId}`;
    const result = this.refreshToken
      ? // forceCache: store the result although the account is new to msal's cache, so the rotated refresh token is kept.
        await client.acquireTokenByRefreshToken({
          scopes: [scope],
          refreshToken: this.refreshToken,
          forceCache: true,
          authority,
        })
      : // skipCache: the provider is the cache, msal's would hand back a token we decided to renew.
        await client.acquireTokenByClientCredential({ scopes: [scope], skipCache: true, authority });
    if (!result?.accessToken) {
      throw authorityError(PartnerCenterUnauthorizedError, { description: `${this.label} returned no access token` });
    }
    if (this.refreshToken) {
      this.refreshToken = rotatedRefreshToken(client, result.account?.homeAccountId) ?? this.refreshToken;
    }
    return result;
  }

  private app(): Promise<ConfidentialClientApplication> {
    this.application ??= this.build().catch((error: unknown) => {
      this.application = undefined; // a missing certificate file may appear later; do not cache the failure
      throw error;
    });
    return this.application;
  }

  private async build(): Promise<ConfidentialClientApplication> {
    const { credential } = this.options;
    const secretOrCertificate =
      'clientSecret' in credential
        ? { clientSecret: credential.clientSecret }
        : { clientCertificate: await loadCertificate(credential.certificatePath, this.label) };
    const host = new URL(this.authorityHost).host;
    const isPublicCloud = host.toLowerCase() === new URL(PUBLIC_AUTHORITY_HOST).host;
    return new ConfidentialClientApplication({
      auth: {
        clientId: this.options.clientId,
        authority: `${this.authorityHost}/${this.options.tenantId}`,
        ...secretOrCertificate,
        // Sovereign clouds and the sandbox: trusted as given, metadata from the host itself.
        knownAuthorities: isPublicCloud ? [] : [host],
      },
      system: { networkClient: this.network, loggerOptions: { piiLoggingEnabled: false } },
    });
  }
}

/** The refresh token msal stored from the last exchange (Entra rotates it on use); memory only. */
function rotatedRefreshToken(
  client: ConfidentialClientApplication,
  homeAccountId: string | undefined,
): string | undefined {
  const serialized = JSON.parse(client.getTokenCache().serialize()) as {
    RefreshToken?: Record<string, { home_account_id?: string; secret?: string }>;
  };
  const entries = Object.values(serialized.RefreshToken ?? {});
  const mine =
    entries.find((entry) => homeAccountId !== undefined && entry.home_account_id === homeAccountId) ?? entries[0];
  return mine?.secret || undefined;
}
