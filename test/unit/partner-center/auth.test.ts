import { redactSecrets } from '../../../src/partner-center/auth';

describe('redactSecrets', () => {
  test('removes every occurrence of each known secret', () => {
    const text = 'AADSTS7000215: secret sbx~abcdefgh12345 was wrong; again sbx~abcdefgh12345; rt 1.sbx.zzzzzzzzzz';
    const redacted = redactSecrets(text, ['sbx~abcdefgh12345', '1.sbx.zzzzzzzzzz']);
    expect(redacted).toBe('AADSTS7000215: secret [redacted] was wrong; again [redacted]; rt [redacted]');
  });

  test('removes JWTs whatever they are', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    expect(redactSecrets(`token ${jwt} rejected`, [])).toBe('token [redacted-jwt] rejected');
  });

  test('very short values are not treated as secrets (they would shred ordinary text)', () => {
    expect(redactSecrets('a b c', ['a'])).toBe('a b c');
  });
});
