import type { KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { startAuthority, type AppRegistration } from './authority';
import { createRandom } from './random';

/** The Partner Center sandbox as a library: an https token authority plus the /v1 API and the
 * /_sandbox/ control API on one http port (docs/seams.md §1, docs/sandbox.md). */

export const sandboxOptionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  authorityPort: z.number().int().min(0).max(65535).default(0),
  seed: z.number().int().default(1),
  orderCompletionDelayMs: z.number().int().min(0).default(2000),
  orderListDelayMs: z.number().int().min(0).default(3000),
  dataFile: z.string().optional(),
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
  /** https://127.0.0.1:PORT (OpenID configuration at {host}/{tenant}/v2.0/.well-known/openid-configuration). */
  authorityHost: string;
  /** The authority's self-signed certificate: trust it with NODE_EXTRA_CA_CERTS=caFile or a `ca` option. */
  caFile: string;
  caPem: string;
  /** Public key the sandbox signs access tokens with (for `verifyAccessToken`). */
  tokenSigningKey: KeyObject;
  /** A second partner tenant: its customers are invisible to the main partner and vice versa. */
  otherPartner: PartnerCredentials;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const config = sandboxOptionsSchema.parse(options);
  const random = createRandom(config.seed);
  const partners = [partnerApp(random, 'contoso-partner'), partnerApp(random, 'fabrikam-partner')];
  const authority = await startAuthority({ port: config.authorityPort, apps: partners, random });
  const server: Server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 0, description: 'Not implemented yet.', data: [], source: 'PartnerFD' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', () => resolve());
  });
  const credentials = (app: AppRegistration): PartnerCredentials => ({
    tenantId: app.tenantId,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    refreshToken: authority.issueRefreshToken(app.clientId),
    clientCertificatePath: authority.clientCertificateFiles[app.clientId],
    customerIds: [random.guid(), random.guid(), random.guid()],
  });
  return {
    ...credentials(partners[0]),
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorityHost: authority.host,
    caFile: authority.caFile,
    caPem: authority.caPem,
    tokenSigningKey: authority.publicKey,
    otherPartner: credentials(partners[1]),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await authority.close();
    },
  };
}

function partnerApp(random: ReturnType<typeof createRandom>, domain: string): AppRegistration {
  return {
    tenantId: random.guid(),
    clientId: random.guid(),
    clientSecret: `sbx~${random.token(36)}`,
    user: { oid: random.guid(), upn: `admin@${domain}.onmicrosoft.com`, name: 'Partner Admin Agent' },
  };
}
