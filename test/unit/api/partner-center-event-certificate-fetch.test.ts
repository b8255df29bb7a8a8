import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueSigningCertificate, type IssuedCertificate } from 'partner-center-sandbox';
import { cachedCertificateFetcher } from '../../../src/api/partner-center-events/certificate-fetch';

/** The certificate fetcher against a real https server on loopback: what it accepts, refuses and keeps. */

let tls: IssuedCertificate;
let leaf: IssuedCertificate;
let server: Server;
let origin: string;
const hits: string[] = [];

beforeAll(async () => {
  tls = await createCertificateAuthority({ commonName: 'Loopback https', serverIps: ['127.0.0.1'] });
  leaf = await issueSigningCertificate({ commonName: 'signing' }, tls);
  server = createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    hits.push(request.url ?? '');
    if (request.url === '/leaf.pem') response.end(leaf.cert);
    else if (request.url === '/redirect') response.writeHead(302, { location: `${origin}/leaf.pem` }).end();
    else if (request.url === '/huge') response.end(Buffer.alloc(70 * 1024, 65));
    else if (request.url === '/not-a-certificate') response.end('hello');
    else if (request.url === '/missing') response.writeHead(404).end();
    // '/silent' never answers.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => hits.splice(0));

const fetcher = () => cachedCertificateFetcher({ ca: [tls.cert], timeoutMs: 300, maxBytes: 64 * 1024 });

describe('cachedCertificateFetcher', () => {
  it('fetches a PEM certificate once per URL', async () => {
    const fetch = fetcher();
    const first = await fetch(new URL(`${origin}/leaf.pem`));
    const second = await fetch(new URL(`${origin}/leaf.pem`));
    expect(first.map((c) => c.subject)).toEqual(['CN=signing']);
    expect(second).toBe(first);
    expect(hits).toEqual(['/leaf.pem']);
  });

  it.each([
    ['a redirect, without following it', '/redirect', 'answered 302 (only a 200 with the certificate is accepted)'],
    ['a 404', '/missing', 'answered 404 (only a 200 with the certificate is accepted)'],
    ['a body over the size cap', '/huge', 'more than 65536 bytes'],
    ['a body that is no certificate', '/not-a-certificate', 'the body is not a DER or PEM certificate'],
    ['a server that does not answer in time', '/silent', 'no complete answer within 300 ms'],
  ])('refuses %s, and tries again next time', async (_name, path, message) => {
    const fetch = fetcher();
    await expect(fetch(new URL(`${origin}${path}`))).rejects.toThrow(message);
    await expect(fetch(new URL(`${origin}${path}`))).rejects.toThrow(message);
    expect(hits).toEqual([path, path]);
  });

  it('fetches again once the cache time has passed, so a rotated certificate is picked up', async () => {
    let clock = 0;
    const fetch = cachedCertificateFetcher({ ca: [tls.cert], ttlMs: 1000, now: () => clock });
    await fetch(new URL(`${origin}/leaf.pem`));
    clock = 999;
    await fetch(new URL(`${origin}/leaf.pem`));
    clock = 1000;
    await fetch(new URL(`${origin}/leaf.pem`));
    expect(hits).toEqual(['/leaf.pem', '/leaf.pem']);
  });

  it('keeps a certificate no longer than it is valid', async () => {
    let clock = Date.now();
    const fetch = cachedCertificateFetcher({ ca: [tls.cert], ttlMs: 365 * 24 * 3600 * 1000, now: () => clock });
    const [fetched] = await fetch(new URL(`${origin}/leaf.pem`));
    clock = Date.parse(fetched.validTo) - 1;
    await fetch(new URL(`${origin}/leaf.pem`));
    clock = Date.parse(fetched.validTo) + 1;
    await fetch(new URL(`${origin}/leaf.pem`));
    expect(hits).toEqual(['/leaf.pem', '/leaf.pem']);
  });

  it('fetches over plain http from a loopback host', async () => {
    const plain = createHttpServer((_request, response) => response.end(leaf.cert));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/leaf.pem`);
      expect((await fetcher()(url)).map((c) => c.subject)).toEqual(['CN=signing']);
    } finally {
      plain.closeAllConnections();
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it('refuses a host whose https certificate is not trusted', async () => {
    const fetch = cachedCertificateFetcher({ ca: [leaf.cert] });
    await expect(fetch(new URL(`${origin}/leaf.pem`))).rejects.toThrow(/certificate/i);
    expect(hits).toEqual([]);
  });
});
