import type { X509Certificate } from 'node:crypto';
import { parseRoots } from './certificate-chain';
import { cachedCertificateFetcher, trustedRootPems } from './certificate-fetch';
import type { SignatureVerifier } from './signature';

export interface PartnerCenterEventSettings {
  /** PARTNER_CENTER_WEBHOOK_CERT_HOSTS; empty, every event is refused (certificate-host). */
  certHosts: readonly string[];
  /** A root trusted besides Node's store and NODE_EXTRA_CA_CERTS (the sandbox's CA under `npm start` and tests). */
  trustedCaPem?: string;
}

/**
 * The verifier of the events route: the trusted roots read once, at the first event (the API starts without
 * parsing Node's store), and one certificate cache for the life of the API.
 */
export function partnerCenterEventVerifier(settings: PartnerCenterEventSettings): SignatureVerifier {
  let pems: string[] | undefined;
  let roots: X509Certificate[] | undefined;
  const rootPems = (): string[] => (pems ??= trustedRootPems(process.env, settings.trustedCaPem));
  const fetchCertificates = cachedCertificateFetcher({
    get ca() {
      return rootPems();
    },
  });
  return {
    allowedHosts: settings.certHosts.map((host) => host.toLowerCase()),
    fetchCertificates,
    get trustedRoots() {
      return (roots ??= parseRoots(rootPems()));
    },
    now: () => new Date(),
  };
}
