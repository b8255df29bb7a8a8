import type { KeyObject } from 'node:crypto';
import type { AppCertificate } from './authority-certificates';
import type { SandboxRandom } from './random';

/** What the token authority knows and counts while it runs: its apps, the refresh tokens it issued,
 * its counters and its policy (which the control API changes). */

/** An app registration in a partner tenant, with the partner user that consented for App+User. */
export interface AppRegistration {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  user: { oid: string; upn: string; name: string };
}

/** How strict the authority is about refresh tokens; changeable while running (control API). */
export interface AuthorityPolicy {
  /** While on, a refresh token works once: after it has been redeemed (and rotated) a reuse gets
   * 400 invalid_grant AADSTS50173, as Entra answers for a revoked grant. Off by default: Entra
   * usually keeps a rotated-out refresh token valid until it expires. */
  singleUseRefreshTokens: boolean;
  /** App+User tokens from the token endpoint carry `amr: ["pwd", "mfa"]` (on by default, as after an MFA
   * sign-in); off, they carry `["pwd"]` only, which Partner Center refuses with 401/900421. */
  mfaClaim: boolean;
  /** Tokens from the token endpoint are for the retired audience (RETIRED_AUDIENCE) whatever the scope
   * asked for, which Partner Center refuses with 401/900420. Off by default. */
  legacyAudience: boolean;
}

export interface AppEntry {
  registration: AppRegistration;
  certificate: AppCertificate;
}

interface RefreshGrant {
  clientId: string;
  /** From issueRefreshToken (a published credential) rather than rotation. */
  issued: boolean;
  /** Redeemed while refresh tokens were single-use. */
  redeemed: boolean;
}

export interface AuthorityState {
  /** https://127.0.0.1:PORT, set once the server listens (tokens name it as their issuer). */
  host: string;
  /** The key pair tokens are signed with (the public half is published as the JWKS). */
  signing: { publicKey: KeyObject; privateKey: KeyObject };
  apps: Map<string, AppEntry>;
  refreshGrants: Map<string, RefreshGrant>;
  counters: { clientCredentials: number; refreshToken: number };
  /** Mutable: the control API changes it; a reset restores initialPolicy. */
  policy: AuthorityPolicy;
  initialPolicy: AuthorityPolicy;
  random: SandboxRandom;
  /** The partner tenant whose customer's tenant `tenantId` is (its apps get tokens there), if any. */
  customerTenantOwner: (tenantId: string) => string | undefined;
}

export function createAuthorityState(options: {
  apps: AppEntry[];
  signing: { publicKey: KeyObject; privateKey: KeyObject };
  random: SandboxRandom;
  policy?: Partial<AuthorityPolicy>;
}): AuthorityState {
  const initialPolicy: AuthorityPolicy = {
    singleUseRefreshTokens: options.policy?.singleUseRefreshTokens ?? false,
    mfaClaim: options.policy?.mfaClaim ?? true,
    legacyAudience: options.policy?.legacyAudience ?? false,
  };
  return {
    host: '',
    signing: options.signing,
    apps: new Map(options.apps.map((app) => [app.registration.clientId, app])),
    refreshGrants: new Map(),
    counters: { clientCredentials: 0, refreshToken: 0 },
    policy: { ...initialPolicy },
    initialPolicy,
    random: options.random,
    customerTenantOwner: () => undefined,
  };
}

export function newRefreshToken(state: AuthorityState, clientId: string, issued: boolean): string {
  const token = `1.sbx.${state.random.token(96)}`;
  state.refreshGrants.set(token, { clientId, issued, redeemed: false });
  return token;
}

/** Counters to zero, the policy back to the start options, issued refresh tokens usable again. */
export function resetAuthorityState(state: AuthorityState): void {
  state.counters.clientCredentials = 0;
  state.counters.refreshToken = 0;
  Object.assign(state.policy, state.initialPolicy);
  for (const grant of state.refreshGrants.values()) if (grant.issued) grant.redeemed = false;
}
