import {
  classifyHttpError,
  DEFAULT_MAX_RETRY_AFTER_MS,
  parseErrorBody,
  parseRetryAfter,
  PartnerCenterBusinessError,
  PartnerCenterConflictError,
  PartnerCenterNotFoundError,
  PartnerCenterThrottledError,
  PartnerCenterTransientError,
  PartnerCenterUnauthorizedError,
  type PartnerCenterErrorKind,
} from '../../../src/partner-center';

const partnerFd = (code: number | string, description = 'something') => ({
  code,
  description,
  data: [],
  source: 'PartnerFD',
});

describe('classification table', () => {
  const table: Array<[status: number, body: unknown, kind: PartnerCenterErrorKind, retryable: boolean]> = [
    [400, partnerFd(800090, 'Subscription quantity cannot be decreased.'), 'business', false],
    [403, partnerFd(13605), 'business', false],
    [405, undefined, 'business', false],
    [404, partnerFd(400019, 'Availability not found'), 'not-found', false],
    [409, partnerFd(800064, 'Cart is being processed by another request'), 'conflict', true],
    [409, partnerFd('800082', 'Subscription is not ready to be updated'), 'conflict', true],
    [409, partnerFd(800060, 'Your order is in progress'), 'conflict', false],
    [409, partnerFd(900278), 'conflict', false],
    [409, undefined, 'conflict', false],
    [412, partnerFd(2055, 'Etag is no longer valid'), 'conflict', false],
    [401, partnerFd(0, 'The access token has expired.'), 'unauthorized', false],
    [401, partnerFd(900421, 'MFA required'), 'mfa-required', false],
    [408, undefined, 'transient', true],
    [429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 57 seconds.' }, 'throttled', true],
    [500, partnerFd(0), 'transient', true],
    [502, 'Bad gateway', 'transient', true],
    [503, undefined, 'transient', true],
    [504, undefined, 'transient', true],
  ];

  test.each(table)('HTTP %i %j → %s (retryable %s)', (status, body, kind, retryable) => {
    const error = classifyHttpError({ status, body, requestId: 'r-1' });
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.status).toBe(status);
    expect(error.requestId).toBe('r-1');
  });

  test('classes match kinds, and carry code and description into the message', () => {
    const error = classifyHttpError({
      status: 400,
      body: partnerFd(800090, 'Subscription quantity cannot be decreased.'),
      requestId: 'req-9',
    });
    expect(error).toBeInstanceOf(PartnerCenterBusinessError);
    expect(error.code).toBe(800090);
    expect(error.description).toBe('Subscription quantity cannot be decreased.');
    expect(error.message).toContain('HTTP 400');
    expect(error.message).toContain('800090');
    expect(error.message).toContain('req-9');
    expect(classifyHttpError({ status: 404, body: undefined })).toBeInstanceOf(PartnerCenterNotFoundError);
    expect(classifyHttpError({ status: 409, body: partnerFd(800064) })).toBeInstanceOf(PartnerCenterConflictError);
    expect(classifyHttpError({ status: 401, body: undefined })).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(classifyHttpError({ status: 503, body: undefined })).toBeInstanceOf(PartnerCenterTransientError);
    expect(classifyHttpError({ status: 429, body: undefined })).toBeInstanceOf(PartnerCenterThrottledError);
  });

  test('reads an error body spelled in PascalCase: a busy cart (800064) stays retryable', () => {
    const error = classifyHttpError({ status: 409, body: { Code: '800064', Description: 'Cart is busy.' } });
    expect(error).toBeInstanceOf(PartnerCenterConflictError);
    expect(error.code).toBe(800064);
    expect(error.retryable).toBe(true);
    expect(error.description).toBe('Cart is busy.');
  });

  test('429 takes its delay from Retry-After; the throttle body message is the description', () => {
    const error = classifyHttpError({
      status: 429,
      body: { statusCode: 429, message: 'Rate limit is exceeded. Try again in 57 seconds.' },
      retryAfter: '57',
    });
    expect(error.retryAfterMs).toBe(57_000);
    expect(error.description).toBe('Rate limit is exceeded. Try again in 57 seconds.');
  });

  test('a 429 without the header takes the delay from the gateway message', () => {
    const error = classifyHttpError({
      status: 429,
      body: { statusCode: 429, message: 'Rate limit is exceeded. Try again in 57 seconds.' },
    });
    expect(error.retryAfterMs).toBe(57_000);
    expect(
      classifyHttpError({ status: 429, body: { statusCode: 429, message: 'Slow down.' } }).retryAfterMs,
    ).toBeUndefined();
  });

  test('a 503 may carry Retry-After too', () => {
    expect(classifyHttpError({ status: 503, body: undefined, retryAfter: '2' }).retryAfterMs).toBe(2_000);
    expect(classifyHttpError({ status: 400, body: undefined, retryAfter: '2' }).retryAfterMs).toBeUndefined();
  });

  test('a description-less response falls back to the status text', () => {
    expect(classifyHttpError({ status: 502, body: undefined, statusText: 'Bad Gateway' }).description).toBe(
      'Bad Gateway',
    );
    expect(classifyHttpError({ status: 502, body: undefined }).description).toBe('HTTP 502');
  });
});

describe('error bodies', () => {
  test('PartnerFD, throttling gateway and OData shapes; numeric string codes become numbers', () => {
    expect(parseErrorBody(partnerFd('800064', 'busy'), 'x')).toEqual({ code: 800064, description: 'busy' });
    expect(parseErrorBody({ statusCode: 429, message: 'slow down' }, 'x')).toEqual({
      code: undefined,
      description: 'slow down',
    });
    expect(parseErrorBody({ error: { code: 'Forbidden', message: 'no' } }, 'x')).toEqual({
      code: 'Forbidden',
      description: 'no',
    });
    expect(parseErrorBody('<html>oops</html>', 'fallback')).toEqual({ description: 'fallback' });
  });

  test('descriptions are capped at 1024 characters', () => {
    const { description } = parseErrorBody(partnerFd(1, 'x'.repeat(5000)), 'x');
    expect(description.length).toBeLessThanOrEqual(1025);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  test('delta-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('57', now)).toBe(57_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
  });

  test('HTTP-date, relative to now', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
  });

  test('a date in the past is no wait at all', () => {
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });

  test('clamped to the maximum', () => {
    expect(parseRetryAfter('86400', now)).toBe(DEFAULT_MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 02 Jan 2026 00:00:00 GMT', now)).toBe(DEFAULT_MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('120', now, 60_000)).toBe(60_000);
  });

  test('absent or garbage is undefined', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
