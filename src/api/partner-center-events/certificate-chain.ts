import { X509Certificate, type KeyObject } from 'node:crypto';

/** Whether a fetched certificate can be trusted: it chains to a trusted root and every link is valid now. Pure. */

/** How many certificates above the leaf a chain may have (leaf, intermediates, root). */
const MAX_CHAIN_LENGTH = 5;

/** The certificates of a fetched body: one DER certificate, or PEM blocks (the leaf first, then intermediates). */
export function parseCertificates(body: Buffer): X509Certificate[] {
  const text = body.toString('latin1');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) return [new X509Certificate(body)];
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

/** Every PEM certificate of a bundle (Node's store, NODE_EXTRA_CA_CERTS), unreadable blocks left out. */
export function parseRoots(pems: readonly string[]): X509Certificate[] {
  const roots: X509Certificate[] = [];
  for (const pem of pems)
    for (const block of pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
      try {
        roots.push(new X509Certificate(block));
      } catch {
        // A malformed entry in an extra bundle trusts nothing; the others still count.
      }
    }
  return roots;
}

export type ChainProblem = { check: 'certificate-validity' | 'certificate-chain'; reason: string };

/** A chain found trusted: the leaf's key, and when the chain is valid (every link used: the leaf up to its root). */
export interface TrustedChain {
  leafKey: KeyObject;
  from: number;
  to: number;
}

/** Trusted when `chain[0]` (the leaf) is valid now and chains to one of `roots` through valid CA certificates. */
export function trustChain(
  chain: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  now: Date,
): TrustedChain | ChainProblem {
  const [leaf, ...intermediates] = chain;
  if (leaf === undefined) return { check: 'certificate-chain', reason: 'the certificate URL served no certificate' };
  const window = { from: -Infinity, to: Infinity };
  const narrowed = (certificate: X509Certificate) => {
    window.from = Math.max(window.from, Date.parse(certificate.validFrom));
    window.to = Math.min(window.to, Date.parse(certificate.validTo));
  };
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    const invalid = validityProblem(current, now);
    if (invalid !== undefined) return { check: 'certificate-validity', reason: invalid };
    narrowed(current);
    const root = roots.find((candidate) => issued(current, candidate) && validityProblem(candidate, now) === undefined);
    if (root !== undefined) {
      narrowed(root);
      return { leafKey: leaf.publicKey, ...window };
    }
    const issuer = intermediates.find((candidate) => candidate.ca && issued(current, candidate));
    if (issuer === undefined) break;
    current = issuer;
  }
  return {
    check: 'certificate-chain',
    reason: `the certificate (subject ${oneLine(leaf.subject)}, issuer ${oneLine(leaf.issuer)}) does not chain to a trusted root`,
  };
}

function issued(subject: X509Certificate, issuer: X509Certificate): boolean {
  return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}

function validityProblem(certificate: X509Certificate, now: Date): string | undefined {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  const subject = oneLine(certificate.subject);
  if (!(now.getTime() >= from)) return `the certificate ${subject} is not valid before ${certificate.validFrom}`;
  if (!(now.getTime() <= to)) return `the certificate ${subject} expired at ${certificate.validTo}`;
  return undefined;
}

function oneLine(name: string): string {
  return JSON.stringify(name.replace(/\n/g, ', '));
}
