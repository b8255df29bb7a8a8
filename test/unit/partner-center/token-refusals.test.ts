/**
 * Partner Center's 2026 token refusals: an App+User token without the MFA claim (401/900421) is its own
 * non-retryable kind, MfaRequired; a token for the retired audience (401/900420) is Unauthorized naming
 * the audience. Every plausible spelling of the refusal is recognised; neither is repeated with a
 * refreshed token (a refresh gives the same claims). The client runs against a node:http stand-in.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { toActivityFailure } from '../../../src/activities/common/failures';
import {
  classifyHttpError,
  createPartnerCenterClient,
  PartnerCenterError,
  PartnerCenterMfaRequiredError,
  PartnerCenterUnauthorizedError,
  type TokenProvider,
} from '../../../src/partner-center';

const partnerFd = (code: number | string, description: string) => ({
  code,
  description,
  data: [],
  source: 'PartnerFD',
});
const bearerInvalid = 'Bearer realm="urn:cpsvc:cpid:x", error="invalid_token"';

describe('classification of a 401', () => {
  test.each<[name: string, body: unknown, challenge: string | undefined]>([
    ['code 900421 as a number', partnerFd(900421, 'Unauthorized'), undefined],
    ['code "900421" as a string', partnerFd('900421', 'Unauthorized'), undefined],
    ['the code under error', { error: { code: '900421', message: 'Access denied' } }, undefined],
    ['the code only in the description', partnerFd(0, 'Error 900421: access denied'), undefined],
    ['the code only in the challenge', undefined, `${bearerInvalid}, error_description="code 900421"`],
    ['only the wording, with Bearer error="invalid_token"', partnerFd(0, 'MFA required'), bearerInvalid],
    ['"multi-factor" in the description', { message: 'Multi-factor authentication required' }, undefined],
  ])('MFA required: %s → mfa-required, not retryable', (_name, body, challenge) => {
    const error = classifyHttpError({ status: 401, body, wwwAuthenticate: challenge, requestId: 'r-1' });
    expect(error).toBeInstanceOf(PartnerCenterMfaRequiredError);
    expect(error).toMatchObject({ kind: 'mfa-required', retryable: false, status: 401, requestId: 'r-1' });
  });

  test.each<[name: string, body: unknown]>([
    ['900420 (retired audience), number', partnerFd(900420, 'Unauthorized')],
    ['900420 (retired audience), string', partnerFd('900420', 'Unauthorized')],
    ['a plain 401 with only Bearer error="invalid_token"', partnerFd(0, 'The access token has expired.')],
    ['another 9004xx code', partnerFd(900422, 'Unauthorized')],
  ])('%s → unauthorized, not MFA', (_name, body) => {
    const error = classifyHttpError({ status: 401, body, wwwAuthenticate: bearerInvalid });
    expect(error).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(error.retryable).toBe(false);
  });

  test('900421 on another status is not an MFA refusal', () => {
    expect(classifyHttpError({ status: 400, body: partnerFd(900421, 'x') }).kind).toBe('business');
  });
});

describe('the client', () => {
  let server: Server;
  let baseUrl: string;
  let answer: (res: ServerResponse) => void;
  let requests: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      req.resume();
      req.on('end', () => answer(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    requests = 0;
  });

  const refuse =
    (body: unknown, challenge = bearerInvalid) =>
    (res: ServerResponse) => {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': challenge });
      res.end(JSON.stringify(body));
    };

  const SECRET_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhbXIiOlsicHdkIl19.c2lnbmF0dXJlLXZhbHVl';
  function tokens(mode: TokenProvider['mode']): TokenProvider & { calls: Array<{ forceRefresh?: boolean }> } {
    const calls: Array<{ forceRefresh?: boolean }> = [];
    return {
      mode,
      credentialKind: mode === 'app+user' ? 'refresh-token' : 'certificate',
      calls,
      getAccessToken: async (options) => {
        calls.push({ ...options });
        return SECRET_TOKEN;
      },
    };
  }

  async function refusal(mode: TokenProvider['mode']): Promise<{ error: PartnerCenterError; tokenCalls: number }> {
    const provider = tokens(mode);
    const error = await createPartnerCenterClient({ baseUrl, tokens: provider })
      .getOrder('c', 'o1', { requestId: 'req-mfa' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartnerCenterError);
    return { error: error as PartnerCenterError, tokenCalls: provider.calls.length };
  }

  test.each([
    ['numeric code', partnerFd(900421, 'Unauthorized')],
    ['string code', partnerFd('900421', 'Unauthorized')],
  ])(
    'App+User refused 401/900421 (%s): MfaRequired after one request, no token refresh, the operator action in the message',
    async (_name, body) => {
      answer = refuse(body);
      const { error, tokenCalls } = await refusal('app+user');
      expect(error).toBeInstanceOf(PartnerCenterMfaRequiredError);
      expect(error).toMatchObject({ kind: 'mfa-required', retryable: false, status: 401, requestId: 'req-mfa' });
      expect(requests).toBe(1);
      expect(tokenCalls).toBe(1);
      expect(error.message).toMatch(
        /^Partner Center HTTP 401, code 900421: App\+User token \(secure application model refresh token\) refused by Partner Center: MFA required/,
      );
      expect(error.message).toContain('re-consent with Microsoft Entra MFA through the secure application model');
      expect(error.message).toContain('PARTNER_CENTER_REFRESH_TOKEN');
      expect(error.message).not.toContain(SECRET_TOKEN);
      expect(error.message).not.toContain('c2lnbmF0dXJlLXZhbHVl');
    },
  );

  test('401/900420: Unauthorized naming the expected audience, without a refresh', async () => {
    answer = refuse(partnerFd(900420, 'Unauthorized'));
    const { error, tokenCalls } = await refusal('app-only');
    expect(error).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('App-only token (certificate) refused by Partner Center');
    expect(error.message).toContain('retired Azure AD Graph audience (900420)');
    expect(error.message).toContain('https://api.partnercenter.microsoft.com');
    expect([requests, tokenCalls]).toEqual([1, 1]);
  });

  test('an ordinary 401 still gets one forced refresh and one repeat', async () => {
    answer = refuse(partnerFd(0, 'The access token has expired.'));
    const { error, tokenCalls } = await refusal('app+user');
    expect(error).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect([requests, tokenCalls]).toEqual([2, 2]);
  });
});

describe('as an activity failure', () => {
  test('MfaRequired, non-retryable, with the message and the Partner Center code as details', () => {
    const error = new PartnerCenterMfaRequiredError({
      status: 401,
      code: 900421,
      description: 'App+User token refused: MFA required',
      requestId: 'r-9',
    });
    const failure = toActivityFailure(error, 'CartRejected');
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'MfaRequired', nonRetryable: true, message: error.message });
    expect((failure as ApplicationFailure).details).toEqual([
      { status: 401, code: 900421, description: 'App+User token refused: MFA required', requestId: 'r-9' },
    ]);
  });

  test('a retired-audience refusal stays Unauthorized', () => {
    const failure = toActivityFailure(
      new PartnerCenterUnauthorizedError({ status: 401, code: 900420, description: 'retired audience' }),
      'CartRejected',
    );
    expect(failure).toMatchObject({ type: 'Unauthorized', nonRetryable: true });
  });
});
