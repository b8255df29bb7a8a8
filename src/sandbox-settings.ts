import type { PartnerCenterSettings } from './config';
import type { TokenProviderOptions } from './partner-center';
import type { Sandbox } from 'partner-center-sandbox';

export interface SandboxConnectOptions {
  /** App+User through the sandbox's refresh token (secure application model) instead of App-only. */
  appPlusUser?: boolean;
}

/** Worker settings that point at `sandbox`, as `npm start` and the tests use them. */
export function sandboxPartnerCenterSettings(
  sandbox: Sandbox,
  options: SandboxConnectOptions = {},
): PartnerCenterSettings {
  return {
    baseUrl: sandbox.baseUrl,
    graphBaseUrl: sandbox.graphBaseUrl,
    pricingBaseUrl: sandbox.pricingBaseUrl,
    authorityHost: sandbox.authorityHost,
    tenantId: sandbox.tenantId,
    clientId: sandbox.clientId,
    credential: { clientSecret: sandbox.clientSecret },
    ...(options.appPlusUser ? { refreshToken: sandbox.refreshToken } : {}),
  };
}

/** Token provider options for the sandbox's authority, trusting its self-signed CA in this process. */
export function sandboxTokenOptions(sandbox: Sandbox, options: SandboxConnectOptions = {}): TokenProviderOptions {
  const {
    baseUrl: _baseUrl,
    graphBaseUrl: _graphBaseUrl,
    pricingBaseUrl: _pricingBaseUrl,
    ...settings
  } = sandboxPartnerCenterSettings(sandbox, options);
  return { ...settings, trustedCaPem: sandbox.caPem };
}
