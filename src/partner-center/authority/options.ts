/** How a token provider reaches its authority (src/partner-center/auth.ts). */
export interface TokenProviderOptions {
  tenantId: string;
  clientId: string;
  credential: { clientSecret: string } | { certificatePath: string };
  /** App+User (secure application model) when set. */
  refreshToken?: string;
  /** Default https://login.microsoftonline.com */
  authorityHost?: string;
  /** Extra CA for the authority (tests); otherwise Node's store, including NODE_EXTRA_CA_CERTS. */
  trustedCaPem?: string;
  /** Renew this long before expiry (capped at half the token's lifetime). Default 5 minutes. */
  renewBeforeExpiryMs?: number;
  /** Per call to the authority. Default 30 s. */
  timeoutMs?: number;
  /** Clock for the renewal decision (tests). */
  now?: () => number;
}
