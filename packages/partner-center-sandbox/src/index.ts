import type { KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { startAuthority } from './authority';
import type { AppRegistration } from './authority-state';
import { createClock } from './clock';
import { REPEATED_CHECKOUT_ANSWERS, type ApiPolicy } from './api-policy';
import { createControlClient, type SandboxControl } from './control';
import { createFaults } from './faults';
import { createGraphStore } from './graph';
import { GRAPH_PATH } from './routes/graph';
import { PRICING_PATH } from './routes/pricing';
import { closeServer, listenOnLoopback } from './loopback';
import { readSnapshot, restoreWorld, saveWorld } from './persist';
import { createRandom, type SandboxRandom } from './random';
import type { SandboxRuntime } from './router';
import { createApiServer } from './server';
import { resetWorld, type ServerDeps } from './server-deps';
import type { Delays, Partner } from './state';
import { createEventState } from './webhook-state';
import { createWorld } from './world';
import { createThrottle } from './throttle';

export type { SandboxControl, SandboxCounters } from './control';
export { verifyAccessToken } from './access-token';
export {
  createCertificateAuthority,
  issueSigningCertificate,
  type CertificateOptions,
  type IssuedCertificate,
} from './event-certificates';
export type { AuthorityPolicy } from './authority-state';
/** The seeded catalog, so tests can name offers the sandbox sells. */
export { CATALOG_PRODUCTS, type CatalogProduct, type CatalogSku } from './catalog';

/** The Partner Center sandbox as a library: an https token authority plus the /v1 API and the
 * /_sandbox/ control API on one http port (docs/seams.md §1, docs/sandbox.md). */

export const sandboxOptionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  authorityPort: z.number().int().min(0).max(65535).default(0),
  seed: z.number().int().default(1),
  orderCompletionDelayMs: z.number().int().min(0).default(2000),
  orderListDelayMs: z.number().int().min(0).default(3000),
  dataFile: z.string().optional(),
  /** A refresh token stops working once redeemed and rotated (docs/sandbox.md, Refresh tokens). */
  singleUseRefreshTokens: z.boolean().default(false),
  /** App+User tokens carry `amr: ["pwd", "mfa"]`; false issues them without `mfa`, refused 401/900421 (docs/sandbox.md, Auth). */
  mfaClaim: z.boolean().default(true),
  /** Tokens for the retired audience https://graph.windows.net whatever the scope, refused 401/900420. */
  legacyAudience: z.boolean().default(false),
  /** How a repeated checkout of an ordered cart is answered (docs/sandbox.md, API policy). */
  repeatedCheckout: z.enum(REPEATED_CHECKOUT_ANSWERS).default('replay'),
  /** Whether a POST/PUT/PATCH repeated with the same MS-RequestId answers the stored response. */
  requestIdReplay: z.boolean().default(true),
  /** How long after its creation a subscription's licences show in the customer's tenant (docs/sandbox.md, Customers' tenants). */
  licenceVisibilityDelayMs: z.number().int().min(0).default(0),
  /** How long a customer's qualification stays InReview (docs/sandbox.md, Customer onboarding). */
  qualificationReviewDelayMs: z.number().int().min(0).default(3000),
  /** How long a GDAP access assignment stays pending (docs/sandbox.md, Customer onboarding). */
  accessAssignmentDelayMs: z.number().int().min(0).default(1000),
  /** Where the sandbox clock starts (and returns on reset) relative to the wall clock; negative: behind it. */
  clockOffsetMs: z.number().int().default(0),
});
export type SandboxOptions = z.input<typeof sandboxOptionsSchema>;

export interface PartnerCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** PEM file with the app's private key and certificate (for `AZURE_CLIENT_CERTIFICATE_PATH`). */
  clientCertificatePath: string;
  customerIds: string[];
}

export interface Sandbox extends PartnerCredentials {
  /** http://127.0.0.1:PORT (clients append /v1). */
  baseUrl: string;
  /** http://127.0.0.1:PORT/graph: the Microsoft Graph billing host (clients append /v1.0; tokens for https://graph.microsoft.com). */
  graphBaseUrl: string;
  /** http://127.0.0.1:PORT/pricing: the price sheets' host (clients append /v1.0; tokens for https://api.partner.microsoft.com, App+User). */
  pricingBaseUrl: string;
  /** https://127.0.0.1:PORT (OpenID configuration at {host}/{tenant}/v2.0/.well-known/openid-configuration). */
  authorityHost: string;
  /** The authority's self-signed certificate: trust it with NODE_EXTRA_CA_CERTS=caFile or a `ca` option. */
  caFile: string;
  caPem: string;
  /** Public key the sandbox signs access tokens with (for `verifyAccessToken`). */
  tokenSigningKey: KeyObject;
  /** A second partner tenant: its customers are invisible to the main partner and vice versa. */
  otherPartner: PartnerCredentials;
  /** Typed client of the /_sandbox/ control API. */
  control: SandboxControl;
  close(): Promise<void>;
}

type SandboxConfig = z.output<typeof sandboxOptionsSchema>;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const config = sandboxOptionsSchema.parse(options);
  const random = createRandom(config.seed);
  const { apps, partners, customerIds } = partnerTenants(random);
  // Read before anything listens, so a bad data file fails fast without leaking servers.
  const snapshot = config.dataFile ? readSnapshot(config.dataFile) : undefined;
  const authority = await startAuthority({
    port: config.authorityPort,
    apps,
    random,
    policy: {
      singleUseRefreshTokens: config.singleUseRefreshTokens,
      mfaClaim: config.mfaClaim,
      legacyAudience: config.legacyAudience,
    },
  });
  const deps = createServerDeps(config, { authority, random, partners, customerIds });
  // A customer's id is its tenant id: its partner's app gets tokens there (tenant.ts, the customer's Graph).
  authority.trustCustomerTenants((tenantId) => deps.runtime.world.customers.get(tenantId)?.partnerTenantId);
  resetWorld(deps, snapshot?.seed ?? config.seed);
  if (snapshot) {
    restoreWorld(deps.runtime.world, snapshot);
    deps.runtime.clock.advance(snapshot.clockOffsetMs - deps.runtime.clock.offsetMs());
  }
  const server = createApiServer(deps);
  try {
    await listenOnLoopback(server, config.port);
  } catch (error) {
    await authority.close();
    throw error;
  }
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials = (app: AppRegistration): PartnerCredentials => ({
    tenantId: app.tenantId,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    refreshToken: authority.issueRefreshToken(app.clientId),
    clientCertificatePath: authority.clientCertificateFiles[app.clientId],
    customerIds: customerIds[app.tenantId],
  });
  return {
    ...credentials(apps[0]),
    baseUrl,
    graphBaseUrl: `${baseUrl}${GRAPH_PATH}`,
    pricingBaseUrl: `${baseUrl}${PRICING_PATH}`,
    authorityHost: authority.host,
    caFile: authority.caFile,
    caPem: authority.caPem,
    tokenSigningKey: authority.publicKey,
    otherPartner: credentials(apps[1]),
    control: createControlClient(baseUrl),
    close: async () => {
      await closeServer(server);
      deps.onChange?.(); // the last save to the data file, if there is one
      await authority.close();
    },
  };
}

/** The two partner tenants: their app registrations, partner records and customer ids, all from the seed. */
function partnerTenants(random: SandboxRandom): {
  apps: AppRegistration[];
  partners: Partner[];
  customerIds: Record<string, string[]>;
} {
  const apps = [partnerApp(random, 'contoso-partner'), partnerApp(random, 'fabrikam-partner')];
  const partners: Partner[] = [
    { tenantId: apps[0].tenantId, name: 'Contoso Partner', mpnId: String(1_000_000 + random.int(8_999_999)) },
    { tenantId: apps[1].tenantId, name: 'Fabrikam Partner', mpnId: String(1_000_000 + random.int(8_999_999)) },
  ];
  const customerIds: Record<string, string[]> = Object.fromEntries(
    partners.map((p) => [p.tenantId, [random.guid(), random.guid(), random.guid()]]),
  );
  return { apps, partners, customerIds };
}

/** The running world with its start delays and policy, and what the API server works with. */
function createServerDeps(
  config: SandboxConfig,
  parts: Pick<ServerDeps, 'authority' | 'partners' | 'customerIds'> & { random: SandboxRandom },
): ServerDeps {
  const initialDelays: Delays = {
    orderCompletionMs: config.orderCompletionDelayMs,
    orderListMs: config.orderListDelayMs,
    subscriptionProvisioningMs: 0,
    patchAcceptedMs: 0,
    checkoutMs: 50,
    reconLineMs: 0,
    licenceVisibilityMs: config.licenceVisibilityDelayMs,
    qualificationReviewMs: config.qualificationReviewDelayMs,
    accessAssignmentMs: config.accessAssignmentDelayMs,
  };
  const initialPolicy: ApiPolicy = {
    repeatedCheckout: config.repeatedCheckout,
    requestIdReplay: config.requestIdReplay,
    transitionEvents: 'state',
  };
  const runtime: SandboxRuntime = {
    world: createWorld(config.seed, parts.partners, parts.customerIds),
    clock: createClock(config.clockOffsetMs),
    delays: { ...initialDelays },
    policy: { ...initialPolicy },
    activityLog: [],
  };
  const dataFile = config.dataFile;
  return {
    runtime,
    events: createEventState(),
    authority: parts.authority,
    faults: createFaults(),
    throttle: createThrottle(),
    graph: createGraphStore(parts.random),
    partners: parts.partners,
    customerIds: parts.customerIds,
    initialDelays,
    initialPolicy,
    onChange: dataFile ? () => saveWorld(dataFile, runtime.world, runtime.clock.offsetMs()) : undefined,
  };
}

function partnerApp(random: SandboxRandom, domain: string): AppRegistration {
  return {
    tenantId: random.guid(),
    clientId: random.guid(),
    clientSecret: `sbx~${random.token(36)}`,
    user: { oid: random.guid(), upn: `admin@${domain}.onmicrosoft.com`, name: 'Partner Admin Agent' },
  };
}
