import { createSign, X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createCertificateAuthority, issueSigningCertificate, type IssuedCertificate } from 'partner-center-sandbox';
import { parseRoots } from '../../../src/api/partner-center-events/certificate-chain';
import { verifyPartnerCenterSignature, type SignatureVerifier } from '../../../src/api/partner-center-events/signature';

const DAY_MS = 24 * 3600 * 1000;
const CERT_URL = 'https://events.example.com/certs/signing.cer';
const BODY = Buffer.from(
  JSON.stringify({
    EventName: 'test-created',
    ResourceUri: 'https://api.partnercenter.microsoft.com/webhooks/v1/registration/validationEvents/c0ffee',
    ResourceName: 'test',
    AuditUri: null,
    ResourceChangeUtcDate: '2026-12-07T08:00:00.000Z',
  }),
);

let ca: IssuedCertificate;
let leaf: IssuedCertificate;
let expiredLeaf: IssuedCertificate;
let selfSigned: IssuedCertificate;
let otherCaLeaf: IssuedCertificate;

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'Test events CA' });
  leaf = await issueSigningCertificate({ commonName: 'events.example.com' }, ca);
  expiredLeaf = await issueSigningCertificate(
    { commonName: 'expired', notBefore: new Date(Date.now() - 30 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) },
    ca,
  );
  selfSigned = await issueSigningCertificate({ commonName: 'self-signed' });
  otherCaLeaf = await issueSigningCertificate(
    { commonName: 'other' },
    await createCertificateAuthority({ commonName: 'Untrusted CA' }),
  );
});

function signed(body: Buffer, key: string): string {
  return createSign('sha256').update(body).sign(key, 'base64');
}

function headersFor(signer: IssuedCertificate, overrides: IncomingHttpHeaders = {}): IncomingHttpHeaders {
  return {
    authorization: `Signature ${signed(BODY, signer.key)}`,
    'x-ms-certificate-url': CERT_URL,
    'x-ms-signature-algorithm': 'rsa-sha256',
    ...overrides,
  };
}

/** A verifier whose certificate URL serves `served`; `fetched` records each URL asked for. */
function verifierServing(served: IssuedCertificate | Error, fetched: string[] = []): SignatureVerifier {
  return {
    allowedHosts: ['events.example.com'],
    fetchCertificates: async (url) => {
      fetched.push(url.href);
      if (served instanceof Error) throw served;
      return [new X509Certificate(served.cert)];
    },
    trustedRoots: parseRoots([ca.cert]),
    now: () => new Date(),
  };
}

describe('verifyPartnerCenterSignature', () => {
  it('accepts a body signed by a certificate that chains to a trusted root', async () => {
    await expect(
      verifyPartnerCenterSignature({ headers: headersFor(leaf), rawBody: BODY }, verifierServing(leaf)),
    ).resolves.toEqual({ ok: true });
  });

  it.each([
    ['no Authorization header', { authorization: undefined }, 'signature-header'],
    ['a Bearer Authorization header', { authorization: 'Bearer abc' }, 'signature-header'],
    ['a signature that is not base64', { authorization: 'Signature not*base64' }, 'signature-header'],
    ['no algorithm header', { 'x-ms-signature-algorithm': undefined }, 'signature-algorithm'],
    ['another algorithm', { 'x-ms-signature-algorithm': 'rsa-sha1' }, 'signature-algorithm'],
    ['no certificate URL', { 'x-ms-certificate-url': undefined }, 'certificate-url'],
    ['a plain http certificate URL', { 'x-ms-certificate-url': 'http://events.example.com/c.cer' }, 'certificate-url'],
    [
      'a certificate URL with credentials',
      { 'x-ms-certificate-url': 'https://u:p@events.example.com/c' },
      'certificate-url',
    ],
    [
      'a certificate URL on another host',
      { 'x-ms-certificate-url': 'https://attacker.example/c.cer' },
      'certificate-host',
    ],
    [
      'a host that only ends like an allowed one',
      { 'x-ms-certificate-url': 'https://evilevents.example.com/c' },
      'certificate-host',
    ],
  ])('refuses %s, before fetching anything', async (_name, overrides, check) => {
    const fetched: string[] = [];
    const verdict = await verifyPartnerCenterSignature(
      { headers: headersFor(leaf, overrides as IncomingHttpHeaders), rawBody: BODY },
      verifierServing(leaf, fetched),
    );
    expect(verdict).toMatchObject({ ok: false, check });
    expect(fetched).toEqual([]);
  });

  it.each([
    ['host with any port', ['events.example.com'], 'https://events.example.com:8443/c.cer', true],
    ['host:port on that port', ['events.example.com:8443'], 'https://events.example.com:8443/c.cer', true],
    ['host:443 on the default https port', ['events.example.com:443'], CERT_URL, true],
    ['host:port on another port', ['events.example.com:8443'], 'https://events.example.com:9443/c.cer', false],
    ['plain http on a loopback host', ['127.0.0.1:8080'], 'http://127.0.0.1:8080/c.cer', true],
    ['plain http on loopback, another port', ['127.0.0.1:8080'], 'http://127.0.0.1:8081/c.cer', false],
  ])('PARTNER_CENTER_WEBHOOK_CERT_HOSTS: %s', async (_name, allowedHosts, url, fetches) => {
    const fetched: string[] = [];
    const verifier = { ...verifierServing(leaf, fetched), allowedHosts };
    const verdict = await verifyPartnerCenterSignature(
      { headers: headersFor(leaf, { 'x-ms-certificate-url': url }), rawBody: BODY },
      verifier,
    );
    expect(verdict).toEqual(fetches ? { ok: true } : expect.objectContaining({ check: 'certificate-host' }));
    expect(fetched).toEqual(fetches ? [url] : []);
  });

  it('refuses when the certificate cannot be fetched, saying why', async () => {
    const verdict = await verifyPartnerCenterSignature(
      { headers: headersFor(leaf), rawBody: BODY },
      verifierServing(new Error('no complete answer within 3000 ms')),
    );
    expect(verdict).toEqual({
      ok: false,
      check: 'certificate-fetch',
      reason: 'the certificate at https://events.example.com/certs/signing.cer: no complete answer within 3000 ms',
    });
  });

  it.each([
    ['a self-signed certificate', () => selfSigned, 'certificate-chain'],
    ['a certificate of an untrusted CA', () => otherCaLeaf, 'certificate-chain'],
    ['an expired certificate', () => expiredLeaf, 'certificate-validity'],
  ])('refuses %s even when the signature matches it', async (_name, signer, check) => {
    const verdict = await verifyPartnerCenterSignature(
      { headers: headersFor(signer()), rawBody: BODY },
      verifierServing(signer()),
    );
    expect(verdict).toMatchObject({ ok: false, check });
  });

  it('checks a chain served again (the certificate cache’s same list) once, until a link expires', async () => {
    const chain = [new X509Certificate(leaf.cert)];
    let now = new Date();
    const verifier: SignatureVerifier = {
      ...verifierServing(leaf),
      fetchCertificates: () => Promise.resolve(chain),
      now: () => now,
    };
    const walks = jest.spyOn(X509Certificate.prototype, 'checkIssued');
    try {
      const request = { headers: headersFor(leaf), rawBody: BODY };
      await expect(verifyPartnerCenterSignature(request, verifier)).resolves.toEqual({ ok: true });
      const firstWalk = walks.mock.calls.length;
      expect(firstWalk).toBeGreaterThan(0);
      await expect(verifyPartnerCenterSignature(request, verifier)).resolves.toEqual({ ok: true });
      expect(walks.mock.calls.length).toBe(firstWalk);
      // A wrong signature is still refused: only the chain's trust is remembered.
      const forged = { headers: headersFor(otherCaLeaf), rawBody: BODY };
      await expect(verifyPartnerCenterSignature(forged, verifier)).resolves.toMatchObject({ check: 'signature' });
      // Past the leaf's expiry the chain is checked afresh, and refused.
      now = new Date(Date.parse(chain[0].validTo) + 1_000);
      await expect(verifyPartnerCenterSignature(request, verifier)).resolves.toMatchObject({
        ok: false,
        check: 'certificate-validity',
      });
    } finally {
      walks.mockRestore();
    }
  });

  it('refuses a certificate not yet valid', async () => {
    const verifier = { ...verifierServing(leaf), now: () => new Date(Date.now() - 30 * DAY_MS) };
    const verdict = await verifyPartnerCenterSignature({ headers: headersFor(leaf), rawBody: BODY }, verifier);
    expect(verdict).toMatchObject({ ok: false, check: 'certificate-validity' });
  });

  it('refuses a signature over a different body, even one byte of whitespace', async () => {
    const reformatted = Buffer.from(`${BODY.toString()} `);
    const verdict = await verifyPartnerCenterSignature(
      { headers: headersFor(leaf), rawBody: reformatted },
      verifierServing(leaf),
    );
    expect(verdict).toEqual({
      ok: false,
      check: 'signature',
      reason: 'the RSA-SHA256 signature does not match the body',
    });
  });

  it('refuses a signature made with another key than the certificate’s', async () => {
    const verdict = await verifyPartnerCenterSignature(
      { headers: headersFor(otherCaLeaf), rawBody: BODY },
      verifierServing(leaf),
    );
    expect(verdict).toMatchObject({ ok: false, check: 'signature' });
  });

  it('never puts the signature in a refusal', async () => {
    const headers = headersFor(leaf);
    const verdict = await verifyPartnerCenterSignature({ headers, rawBody: Buffer.from('{}') }, verifierServing(leaf));
    const signature = String(headers.authorization).slice('Signature '.length);
    expect(JSON.stringify(verdict)).not.toContain(signature.slice(0, 24));
  });
});
