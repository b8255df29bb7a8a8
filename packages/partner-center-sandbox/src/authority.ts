import type { KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { verifyAccessToken, type TokenCheck } from './access-token';
import { createAuthorityCredentials, removeTemporaryDir } from './authority-certificates';
import { authorityRequestListener } from './authority-endpoints';
import { EVENT_CERTIFICATE_PATH, eventSigner, type EventSigner } from './event-certificates';
import {
  createAuthorityState,
  newRefreshToken,
  resetAuthorityState,
  type AppRegistration,
  type AuthorityState,
  type AuthorityPolicy,
} from './authority-state';
import { closeServer, listenOnLoopback } from './loopback';
import type { SandboxRandom } from './random';
import { signAccessToken, type MintOptions } from './token-minting';

/** The https token authority: Entra ID's token endpoints for msal-node (authority-endpoints.ts), on
 * its own certificates (authority-certificates.ts), signing tokens (token-minting.ts) that the API
 * checks with verifyAccessToken (access-token.ts). */

export interface TokenAuthority {
  host: string;
  caPem: string;
  caFile: string;
  /** PEM file (private key + certificate) registered as each app's certificate credential, by client id. */
  clientCertificateFiles: Record<string, string>;
  publicKey: KeyObject;
  counters: { clientCredentials: number; refreshToken: number };
  /** Mutable: the control API changes it; reset() restores the start options. */
  policy: AuthorityPolicy;
  /** Checks a token meant for `audience` (default Partner Center; the Graph host passes its own). */
  verify(token: string, audience?: string): TokenCheck;
  /** Adds a refresh token for an app's consenting user (the secure application model's stored token);
   * a reset makes it usable again, so published credentials survive single-use redemption. */
  issueRefreshToken(clientId: string): string;
  /** Lets each partner's apps get tokens for its customers' tenants: `owner` names the partner of a customer tenant. */
  trustCustomerTenants(owner: (tenantId: string) => string | undefined): void;
  /** Signs Partner Center events with a leaf of the authority's CA, served at its certificate URL on this host. */
  eventSigner: EventSigner;
  /** Signs an access token directly, for tests of refusals (expired, no MFA, wrong audience). */
  mint(options: MintOptions): string;
  /** Counters to zero, the policy back to the start options, issued refresh tokens usable again. */
  reset(): void;
  close(): Promise<void>;
}

export async function startAuthority(options: {
  port?: number;
  apps: AppRegistration[];
  random: SandboxRandom;
  policy?: Partial<AuthorityPolicy>;
}): Promise<TokenAuthority> {
  const credentials = await createAuthorityCredentials(options.apps.map((app) => app.clientId));
  const state = createAuthorityState({
    apps: options.apps.map((registration) => ({
      registration,
      certificate: credentials.appCertificates.get(registration.clientId)!,
    })),
    signing: credentials.signing,
    random: options.random,
    policy: options.policy,
  });
  const { tls, dir } = credentials;
  const server = createAuthorityServer(state, tls, credentials.eventSigning.cert);
  try {
    await listenOnLoopback(server, options.port ?? 0);
  } catch (error) {
    await removeTemporaryDir(dir);
    throw error;
  }
  state.host = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { host, signing, apps } = state;

  return {
    host,
    caPem: tls.cert,
    caFile: credentials.caFile,
    clientCertificateFiles: credentials.clientCertificateFiles,
    publicKey: signing.publicKey,
    eventSigner: eventSigner(host, credentials.eventSigning.key),
    counters: state.counters,
    policy: state.policy,
    verify: (token, audience) =>
      verifyAccessToken(token, { publicKey: signing.publicKey, authorityHost: host, audience }),
    issueRefreshToken: (clientId) => newRefreshToken(state, clientId, true),
    trustCustomerTenants: (owner) => {
      state.customerTenantOwner = owner;
    },
    mint: (o) => {
      const app = [...apps.values()].find((a) => a.registration.tenantId === o.tenantId);
      return signAccessToken(state, {
        ...o,
        clientId: app?.registration.clientId ?? o.tenantId,
        user: app?.registration.user,
      });
    },
    reset: () => resetAuthorityState(state),
    close: async () => {
      await closeServer(server);
      await removeTemporaryDir(dir);
    },
  };
}

/** The authority's https server: its token endpoints, and the certificate its events are signed with. */
function createAuthorityServer(
  state: AuthorityState,
  tls: { cert: string; private: string },
  eventCertificatePem: string,
): Server {
  const listener = authorityRequestListener(state);
  return createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    if (req.method === 'GET' && req.url === EVENT_CERTIFICATE_PATH)
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(eventCertificatePem);
    else listener(req, res);
  });
}
