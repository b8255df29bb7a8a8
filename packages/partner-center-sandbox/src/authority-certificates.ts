import { createHash, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { issueSigningCertificate, type IssuedCertificate } from './event-certificates';

/** The token authority's keys and certificates: its own CA for https, the key it signs tokens with,
 * and a certificate credential per app, written to a temporary directory removed on close or exit. */

/** What the authority checks a client assertion against: the certificate's key and its thumbprints. */
export interface AppCertificate {
  publicKey: KeyObject;
  sha1: string;
  sha256: string;
}

export interface AuthorityCredentials {
  tls: { cert: string; private: string };
  signing: { publicKey: KeyObject; privateKey: KeyObject };
  /** The temporary directory holding the files below. */
  dir: string;
  caFile: string;
  /** PEM file (private key + certificate) registered as each app's certificate credential, by client id. */
  clientCertificateFiles: Record<string, string>;
  appCertificates: Map<string, AppCertificate>;
  /** The leaf of the CA that signs Partner Center events (event-delivery.ts). */
  eventSigning: IssuedCertificate;
}

export async function createAuthorityCredentials(clientIds: string[]): Promise<AuthorityCredentials> {
  const tls = await generateAuthorityTls();
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = await mkdtemp(join(tmpdir(), 'pcw-sandbox-'));
  trackTemporaryDir(dir);
  const caFile = join(dir, 'authority-ca.pem');
  await writeFile(caFile, tls.cert, { mode: 0o644 });
  const clientCertificateFiles: Record<string, string> = {};
  const appCertificates = new Map<string, AppCertificate>();
  for (const clientId of clientIds) {
    const { file, certificate } = await createClientCertificate(dir, clientId);
    clientCertificateFiles[clientId] = file;
    appCertificates.set(clientId, certificate);
  }
  const eventSigning = await issueSigningCertificate(
    { commonName: 'Partner Center sandbox event signing' },
    { cert: tls.cert, key: tls.private },
  );
  return { tls, signing, dir, caFile, clientCertificateFiles, appCertificates, eventSigning };
}

async function generateAuthorityTls(): Promise<{ cert: string; private: string }> {
  return generate([{ name: 'commonName', value: 'Partner Center sandbox authority' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 2 * 365 * 24 * 3600 * 1000),
    extensions: [
      // Its own CA, so clients can trust exactly this certificate through `ca` or NODE_EXTRA_CA_CERTS.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
}

/** Each app also gets a certificate credential, as an app registration in Entra can have. */
async function createClientCertificate(
  dir: string,
  clientId: string,
): Promise<{ file: string; certificate: AppCertificate }> {
  const credential = await generate([{ name: 'commonName', value: `app ${clientId}` }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  const file = join(dir, `client-${clientId}.pem`);
  await writeFile(file, `${credential.private}${credential.cert}`, { mode: 0o600 });
  const x509 = new X509Certificate(credential.cert);
  return {
    file,
    certificate: { publicKey: x509.publicKey, sha1: thumbprint(x509, 'sha1'), sha256: thumbprint(x509, 'sha256') },
  };
}

function thumbprint(x509: X509Certificate, algorithm: 'sha1' | 'sha256'): string {
  return createHash(algorithm).update(x509.raw).digest('base64url');
}

/** Temporary directories (CA and client certificates) of sandboxes not closed yet, removed at process
 * exit too, so a test run or `npm start` that ends without close() leaves nothing behind. */
const liveTemporaryDirs = new Set<string>();

function trackTemporaryDir(dir: string): void {
  if (liveTemporaryDirs.size === 0) process.once('exit', removeLiveTemporaryDirs);
  liveTemporaryDirs.add(dir);
}

function removeLiveTemporaryDirs(): void {
  for (const dir of liveTemporaryDirs) rmSync(dir, { recursive: true, force: true });
  liveTemporaryDirs.clear();
}

export async function removeTemporaryDir(dir: string): Promise<void> {
  liveTemporaryDirs.delete(dir);
  if (liveTemporaryDirs.size === 0) process.removeListener('exit', removeLiveTemporaryDirs);
  await rm(dir, { recursive: true, force: true });
}
