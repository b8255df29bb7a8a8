import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { parseEncryptionKeys } from '../../../src/settings/encryption-keys';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../../src/temporal/codec';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');

function keysOf(text: string) {
  const parsed = parseEncryptionKeys(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.keys;
}

const input = { customerId: '4b8f2c1e-0000-4000-8000-000000000001', items: [{ quantity: 3 }] };

describe('AesGcmPayloadCodec', () => {
  it('encrypts a payload whole (no field in clear, key id in metadata) and decrypts it back', async () => {
    const codec = new AesGcmPayloadCodec(keysOf(`k1:${keyA}`));
    const payload = defaultPayloadConverter.toPayload(input);
    const [encrypted] = await codec.encode([payload]);
    expect(Buffer.from(encrypted.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted.metadata!['encryption-key-id']!).toString()).toBe('k1');
    expect(Buffer.from(encrypted.data!).toString('latin1')).not.toContain(input.customerId);
    expect(Buffer.from(encrypted.data!).toString('latin1')).not.toContain('json/plain');
    const [decoded] = await codec.decode([encrypted]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(input);
  });

  it('rotates: the first key encrypts, every listed key decrypts; an unlisted key id is a clear error', async () => {
    const old = new AesGcmPayloadCodec(keysOf(`old:${keyA}`));
    const rotated = new AesGcmPayloadCodec(keysOf(`new:${keyB},old:${keyA}`));
    const [byOld] = await old.encode([defaultPayloadConverter.toPayload(input)]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([byOld]))[0])).toEqual(input);
    const [byNew] = await rotated.encode([defaultPayloadConverter.toPayload(input)]);
    expect(Buffer.from(byNew.metadata!['encryption-key-id']!).toString()).toBe('new');
    await expect(old.decode([byNew])).rejects.toThrow('key id "new", which PAYLOAD_ENCRYPTION_KEYS does not list');
  });

  it('refuses a tampered payload (GCM authentication) and passes unencrypted payloads through', async () => {
    const codec = new AesGcmPayloadCodec(keysOf(`k1:${keyA}`));
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(input)]);
    const data = Buffer.from(encrypted.data!);
    data[20] ^= 1;
    await expect(codec.decode([{ ...encrypted, data }])).rejects.toThrow();
    const plain = defaultPayloadConverter.toPayload(input);
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});

describe('parseEncryptionKeys', () => {
  it.each([
    ['', 'at least one'],
    [keyA, 'entry 1: must be keyId:base64key'],
    [
      `k1:${randomBytes(16).toString('base64')}`,
      'entry 1 (key id "k1"): the key must be the base64 of exactly 32 bytes',
    ],
    [`k1:not base64!`, 'exactly 32 bytes'],
    [`k1:${keyA},k1:${keyB}`, 'entry 2 (key id "k1"): key id listed twice'],
  ])('refuses %j naming the entry, never its key material', (text, problem) => {
    const parsed = parseEncryptionKeys(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem).toContain(problem);
    expect(parsed.problem).not.toContain(keyA);
    expect(parsed.problem).not.toContain(keyB);
  });

  it('reads several keys in order, the first one encrypting', () => {
    expect(keysOf(` a:${keyA} , b.2:${keyB} `).map((k) => k.id)).toEqual(['a', 'b.2']);
  });
});
