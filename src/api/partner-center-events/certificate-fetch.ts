import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { rootCertificates } from 'node:tls';
import { parseCertificates } from './certificate-chain';

/**
 * Fetching the certificate a Partner Center event names: https (http only for a loopback URL, which the signature
 * check alone lets through), a short timeout, a size cap, cached by URL.
 */

export const CERTIFICATE_FETCH_TIMEOUT_MS = 3_000;
export const CERTIFICATE_MAX_BYTES = 64 * 1024;
/** Partner Center rotates its signing certificate behind the same URL: a cached one is fetched again after this. */
export const CERTIFICATE_CACHE_TTL_MS = 6 * 3600 * 1000;

/**
 * The trusted roots as PEM: Node's store plus the file NODE_EXTRA_CA_CERTS names (Node reads it only at start, and
 * `tls.rootCertificates` leaves it out) plus `extraPem` (the sandbox's CA under `npm start`).
 */
export function trustedRootPems(env: NodeJS.ProcessEnv = process.env, extraPem?: string): string[] {
  const pems = [...rootCertificates];
  const extraFile = env.NODE_EXTRA_CA_CERTS;
  if (extraFile !== undefined && extraFile.trim() !== '') {
    try {
      pems.push(readFileSync(extraFile.trim(), 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS: it adds no root then, here neither.
    }
  }
  if (extraPem !== undefined) pems.push(extraPem);
  return pems;
}

export interface CertificateFetchOptions {
  /** The roots the https connection to the certificate's host is checked against. */
  ca: readonly string[];
  timeoutMs?: number;
  maxBytes?: number;
  /** How long a fetched certificate is kept (default CERTIFICATE_CACHE_TTL_MS). */
  ttlMs?: number;
  now?: () => number;
}

/**
 * A fetcher that keeps each URL's certificates for `ttlMs`, and never past the leaf's expiry — so a rotated
 * certificate is picked up — while a failed fetch is not kept, so the next delivery tries again. Redirects are not
 * followed: the host was pinned, a redirect would leave it.
 */
export function cachedCertificateFetcher(options: CertificateFetchOptions): (url: URL) => Promise<X509Certificate[]> {
  const cache = new Map<string, { certificates: Promise<X509Certificate[]>; until: number }>();
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? CERTIFICATE_CACHE_TTL_MS;
  return (url) => {
    const key = url.href;
    const cached = cache.get(key);
    if (cached !== undefined && now() < cached.until) return cached.certificates;
    const entry = { certificates: fetchBody(url, options).then(parseFetched), until: now() + ttlMs };
    cache.set(key, entry);
    entry.certificates.then(
      ([leaf]) => (entry.until = Math.min(entry.until, Date.parse(leaf?.validTo ?? '') || entry.until)),
      () => cache.delete(key),
    );
    return entry.certificates;
  };
}

function parseFetched(body: Buffer): X509Certificate[] {
  try {
    return parseCertificates(body);
  } catch {
    throw new Error('the body is not a DER or PEM certificate');
  }
}

/** The body of a 200 answer, refused past `maxBytes` or when it is not complete within `timeoutMs` (a total deadline). */
function fetchBody(url: URL, options: CertificateFetchOptions): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? CERTIFICATE_FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? CERTIFICATE_MAX_BYTES;
  return new Promise<Buffer>((resolve, reject) => {
    const get = url.protocol === 'http:' ? httpGet : httpsGet;
    const request = get(url, { ca: [...options.ca] }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`answered ${response.statusCode} (only a 200 with the certificate is accepted)`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) request.destroy(new Error(`more than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve(Buffer.concat(chunks)));
      response.on('error', (error) => reject(new Error(error.message)));
    });
    const deadline = setTimeout(
      () => request.destroy(new Error(`no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.on('close', () => clearTimeout(deadline));
    request.on('error', (error) => reject(new Error(error.message)));
  });
}
