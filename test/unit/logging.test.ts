import { createLogger, redact } from '../../src/logging';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJhYmMifQ.c2lnbmF0dXJl';

describe('createLogger', () => {
  it('writes one JSON object per line at or above its level', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    logger.debug('hidden');
    logger.info('Purchase started', { workflowId: 'purchase-r1', step: 'resolving' });
    logger.error('Checkout failed', { code: 800064 });
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.endsWith('\n'))).toBe(true);
    const [first, second] = lines.map((line) => JSON.parse(line));
    expect(first).toMatchObject({
      level: 'info',
      msg: 'Purchase started',
      workflowId: 'purchase-r1',
      step: 'resolving',
    });
    expect(new Date(first.time).toString()).not.toBe('Invalid Date');
    expect(second).toMatchObject({ level: 'error', msg: 'Checkout failed', code: 800064 });
  });

  it('never writes a secret, whether by field name or as a bearer token inside text', () => {
    const lines: string[] = [];
    const logger = createLogger('trace', (line) => lines.push(line));
    logger.warn(`token request answered with Bearer ${JWT}`, {
      clientSecret: 's3cr3t',
      headers: { Authorization: `Bearer ${JWT}`, 'MS-RequestId': 'r-1' },
      refresh_token: 'rt-value',
      nested: [{ detail: `got ${JWT}` }],
    });
    const text = lines.join('');
    for (const secret of [JWT, 's3cr3t', 'rt-value']) expect(text).not.toContain(secret);
    expect(JSON.parse(lines[0]).headers['MS-RequestId']).toBe('r-1');
  });
});

describe('redact', () => {
  it('redacts fields named for a credential, whatever their spelling', () => {
    const secrets = {
      accessToken: 'a',
      refresh_token: 'b',
      id_token: 'c',
      clientSecret: 'd',
      password: 'e',
      Authorization: 'f',
      'x-api-key': 'g',
      apiKey: 'h',
      client_assertion: 'i',
      credential: { clientSecret: 'j' },
      credentials: 'k',
      privateKey: 'l',
      Cookie: 'm',
    };
    expect(redact(secrets)).toEqual(Object.fromEntries(Object.keys(secrets).map((key) => [key, '[redacted]'])));
  });

  it('keeps fields that only describe a credential', () => {
    const described = {
      tokenMode: 'app+user',
      tokenCount: 2,
      tokenType: 'Bearer',
      tokens: { refreshToken: 3 },
      secretName: 'pc-app',
    };
    expect(redact(described)).toEqual({ ...described, tokens: { refreshToken: '[redacted]' } });
  });

  it('keeps what is not secret as it is', () => {
    expect(redact({ orderId: 'o-1', quantity: 3, ok: true, list: ['a'] })).toEqual({
      orderId: 'o-1',
      quantity: 3,
      ok: true,
      list: ['a'],
    });
  });
  it('reduces errors to name and redacted message', () => {
    expect(redact(new TypeError(`bad ${JWT}`))).toEqual({ name: 'TypeError', message: 'bad [redacted-jwt]' });
  });
});
