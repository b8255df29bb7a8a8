import { createSign } from 'node:crypto';
import { generate } from 'selfsigned';

type CertificateExtension = NonNullable<NonNullable<Parameters<typeof generate>[1]>['extensions']>[number];

/** Certificates for signing Partner Center events: a certificate authority and the leaves it issues. The sandbox signs
 * its events with a leaf of its authority's CA; tests also make CAs and leaves of their own (expired, untrusted). */

export interface IssuedCertificate {
  /** PEM certificate. */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface CertificateOptions {
  commonName: string;
  notBefore?: Date;
  notAfter?: Date;
  /** IP addresses it also serves https for (subjectAltName), such as 127.0.0.1. */
  serverIps?: string[];
}

const DAY_MS = 24 * 3600 * 1000;

/** A self-signed certificate authority (basicConstraints cA, keyCertSign). */
export async function createCertificateAuthority(options: CertificateOptions): Promise<IssuedCertificate> {
  const pems = await generate([{ name: 'commonName', value: options.commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    ...validity(options),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      ...serverNames(options),
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A signing leaf issued by `issuer`, or self-signed without one. */
export async function issueSigningCertificate(
  options: CertificateOptions,
  issuer?: IssuedCertificate,
): Promise<IssuedCertificate> {
  const pems = await generate([{ name: 'commonName', value: options.commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    ...validity(options),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
    ],
    ...(issuer !== undefined ? { ca: { key: issuer.key, cert: issuer.cert } } : {}),
  });
  return { cert: pems.cert, key: pems.private };
}

function serverNames(options: CertificateOptions): CertificateExtension[] {
  if (options.serverIps === undefined) return [];
  return [
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: options.serverIps.map((ip) => ({ type: 7 as const, ip })) },
  ];
}

function validity(options: CertificateOptions): { notBeforeDate: Date; notAfterDate: Date } {
  const notBeforeDate = options.notBefore ?? new Date(Date.now() - DAY_MS);
  return { notBeforeDate, notAfterDate: options.notAfter ?? new Date(notBeforeDate.getTime() + 365 * DAY_MS) };
}

export const EVENT_CERTIFICATE_PATH = '/_sandbox/partner-center-events/certificate.pem';

/** How the authority signs events: the URL of its certificate and the signature of a body. */
export interface EventSigner {
  certificateUrl: string;
  sign(body: Buffer): string;
}

export function eventSigner(host: string, key: string): EventSigner {
  return {
    certificateUrl: `${host}${EVENT_CERTIFICATE_PATH}`,
    sign: (body) => createSign('sha256').update(body).sign(key, 'base64'),
  };
}
