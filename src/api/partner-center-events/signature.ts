import { verify, type KeyObject, type X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from '../../settings/values';
import { trustChain, type ChainProblem, type TrustedChain } from './certificate-chain';

/**
 * Partner Center's webhook signature (contract §3f): `Authorization: Signature <base64>`, `X-MS-Certificate-Url`,
 * `X-MS-Signature-Algorithm: rsa-sha256`. The certificate URL's host (and port, when the setting names one) is
 * checked before anything is fetched (an attacker-chosen URL is a server-side request forgery), the certificate must
 * chain to a trusted root and be valid now, and RSA-SHA256 must verify over the exact raw body. A refusal names the
 * check that failed, for the log.
 */

export type SignatureCheck =
  | 'signature-header'
  | 'signature-algorithm'
  | 'certificate-url'
  | 'certificate-host'
  | 'certificate-fetch'
  | ChainProblem['check']
  | 'signature';

export type SignatureVerdict = { ok: true } | { ok: false; check: SignatureCheck; reason: string };

export interface SignatureVerifier {
  /** PARTNER_CENTER_WEBHOOK_CERT_HOSTS, lower case: `host` (any port) or `host:port`. */
  allowedHosts: readonly string[];
  /** The certificates served at an allowed https URL (the leaf first); throws a message-only Error when it cannot. */
  fetchCertificates(url: URL): Promise<X509Certificate[]>;
  trustedRoots: readonly X509Certificate[];
  now(): Date;
}

const SIGNATURE_HEADER = /^Signature +([A-Za-z0-9+/]+={0,2}) *$/;

/** Verifies one delivery: its headers and the raw bytes of its body. */
export async function verifyPartnerCenterSignature(
  request: { headers: IncomingHttpHeaders; rawBody: Buffer },
  verifier: SignatureVerifier,
): Promise<SignatureVerdict> {
  const signature = SIGNATURE_HEADER.exec(single(request.headers.authorization) ?? '')?.[1];
  if (signature === undefined)
    return refused('signature-header', 'the Authorization header is missing or not "Signature <base64>"');
  const algorithm = single(request.headers['x-ms-signature-algorithm']);
  if (algorithm?.trim().toLowerCase() !== 'rsa-sha256')
    return refused('signature-algorithm', 'X-MS-Signature-Algorithm is missing or not rsa-sha256');
  const url = certificateUrl(single(request.headers['x-ms-certificate-url']));
  if (url === undefined)
    return refused('certificate-url', 'X-MS-Certificate-Url is missing or not an https URL (http only for loopback)');
  if (!hostAllowed(url, verifier.allowedHosts))
    return refused(
      'certificate-host',
      `the certificate host ${url.hostname} is not one of PARTNER_CENTER_WEBHOOK_CERT_HOSTS (${verifier.allowedHosts.join(', ') || 'none set'})`,
    );
  let chain: X509Certificate[];
  try {
    chain = await verifier.fetchCertificates(url);
  } catch (error) {
    return refused('certificate-fetch', `the certificate at ${url.origin}${url.pathname}: ${(error as Error).message}`);
  }
  const trust = trustedChain(chain, verifier.trustedRoots, verifier.now());
  if (!('leafKey' in trust)) return { ok: false, ...trust };
  return signatureVerdict(trust.leafKey, request.rawBody, signature);
}

/**
 * Chains already found trusted, by the fetched list: the certificate cache hands out the same list for a URL until it
 * fetches it again, so a burst of events checks its chain (a walk over every trusted root) once, not per event. Reused
 * only against the same roots and while every link used is valid; outside that window the chain is checked afresh.
 */
const trustedChains = new WeakMap<
  readonly X509Certificate[],
  { roots: readonly X509Certificate[]; trust: TrustedChain }
>();

function trustedChain(
  chain: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  now: Date,
): TrustedChain | ChainProblem {
  const known = trustedChains.get(chain);
  const at = now.getTime();
  if (known !== undefined && known.roots === roots && at >= known.trust.from && at <= known.trust.to)
    return known.trust;
  const trust = trustChain(chain, roots, now);
  if ('leafKey' in trust) trustedChains.set(chain, { roots, trust });
  return trust;
}

function signatureVerdict(leafKey: KeyObject, rawBody: Buffer, signature: string): SignatureVerdict {
  if (leafKey.asymmetricKeyType !== 'rsa')
    return refused('signature', `the certificate's key is ${leafKey.asymmetricKeyType}, not RSA`);
  const valid = verify('sha256', rawBody, leafKey, Buffer.from(signature, 'base64'));
  return valid ? { ok: true } : refused('signature', 'the RSA-SHA256 signature does not match the body');
}

/** An https URL without credentials; plain http only on a loopback host (contract §3f: a local stand-in). */
function certificateUrl(text: string | undefined): URL | undefined {
  if (text === undefined) return undefined;
  try {
    const url = new URL(text.trim());
    const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
    return scheme && url.username === '' && url.password === '' ? url : undefined;
  } catch {
    return undefined;
  }
}

function hostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return allowedHosts.includes(host) || allowedHosts.includes(`${host}:${port}`);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

function refused(check: SignatureCheck, reason: string): SignatureVerdict {
  return { ok: false, check, reason };
}
