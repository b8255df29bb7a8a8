import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { EncryptionKey } from '../settings/encryption-keys';

/**
 * PAYLOAD_ENCRYPTION_KEYS: an AES-256-GCM payload codec. Every payload (inputs, results, failures' details, memos,
 * query and update arguments) is serialised whole and encrypted before it leaves the process, so Temporal stores only
 * ciphertext; the key id travels in the payload's metadata so that keys can rotate (the first key encrypts, every
 * listed key decrypts).
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The codec of `keys` (non-empty): encrypts with the first, decrypts with whichever the payload names. */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new ValueError('AesGcmPayloadCodec needs at least one key');
    this.current = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: Buffer.from(this.current.id),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before encryption was turned on stay readable.
      if (Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString() !== ENCRYPTED_ENCODING)
        return payload;
      const keyId = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
      const key = this.byId.get(keyId);
      if (key === undefined) {
        throw new ValueError(`Payload encrypted with key id "${keyId}", which PAYLOAD_ENCRYPTION_KEYS does not list`);
      }
      const data = Buffer.from(payload.data ?? []);
      return temporal.api.common.v1.Payload.decode(decrypt(data, key, keyId));
    });
  }
}

/** AES-256-GCM open; a wrong key or altered data is a ValueError (cannot decode), like an unknown key id. */
function decrypt(data: Buffer, key: Buffer, keyId: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new ValueError(`Payload encrypted with key id "${keyId}" does not open with that key (wrong key or altered)`);
  }
}

/** The `dataConverter` option of workers and clients: the codec when keys are configured, else the SDK default. */
export function dataConverterFor(keys: readonly EncryptionKey[] | undefined): { payloadCodecs?: PayloadCodec[] } {
  return keys !== undefined && keys.length > 0 ? { payloadCodecs: [new AesGcmPayloadCodec(keys)] } : {};
}
