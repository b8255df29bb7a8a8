/** The certificate credential: a PEM file holding the certificate and its unencrypted private key. */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PartnerCenterUnauthorizedError } from '../errors';
import { authorityError } from './failures';

/** What msal needs of the certificate; a missing, unreadable or invalid file fails naming it (never its content). */
export async function loadCertificate(path: string, label: string) {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw authorityError(PartnerCenterUnauthorizedError, {
      description: `${label} failed: certificate file ${path} could not be read (${code})`,
    });
  }
  const certificatePem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const keyPem = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?)PRIVATE KEY-----[\s\S]+?-----END \1PRIVATE KEY-----/.exec(
    pem,
  )?.[0];
  if (!certificatePem || !keyPem) {
    throw authorityError(PartnerCenterUnauthorizedError, {
      description: `${label} failed: certificate file ${path} must hold a PEM certificate and its unencrypted private key`,
    });
  }
  try {
    const certificate = new X509Certificate(certificatePem);
    const privateKey = createPrivateKey(keyPem).export({ format: 'pem', type: 'pkcs8' }).toString();
    return {
      thumbprintSha256: createHash('sha256').update(certificate.raw).digest('hex'),
      privateKey,
      x5c: certificatePem,
    };
  } catch {
    throw authorityError(PartnerCenterUnauthorizedError, {
      description: `${label} failed: certificate file ${path} holds an invalid certificate or an encrypted private key`,
    });
  }
}
