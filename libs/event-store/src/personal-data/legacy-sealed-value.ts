import { createDecipheriv, createSecretKey, KeyObject } from 'node:crypto';
import { additionalDataOf, isRecord } from './sealed-value';

/**
 * Values written before pd3, still read (never written any more): AES-256-GCM through Node's crypto,
 * the nonce derived by HMAC from the key and the event's id. Layout: prefix + base64(iv 12 | tag 16 |
 * ciphertext).
 * pd1 (until 2026-11-30): one value per field, the field's name as additional data.
 * pd2 (2026-11-30): one value per event holding all its personal texts, its id and type as additional data.
 */
export const PD1 = 'pd1:';
export const PD2 = 'pd2:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** One KeyObject per key buffer: Node then skips re-importing the raw key for every event a read opens. */
const keyObjects = new WeakMap<Buffer, KeyObject>();
const keyObjectOf = (key: Buffer): KeyObject => {
  let object = keyObjects.get(key);
  if (!object) keyObjects.set(key, object = createSecretKey(key));
  return object;
};

/** The plain bytes of an AES-GCM value, or null when the tag does not match (another key, an altered value). */
function openAesGcm(key: Buffer, value: string, prefix: string, additionalData: string): Buffer | null {
  const bytes = Buffer.from(value.slice(prefix.length), 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyObjectOf(key), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES));
    decipher.final(); // throws when the tag does not match: nothing read is used before it
    return plain;
  } catch {
    return null;
  }
}

/** The texts sealed in a pd2 value, or null when this key did not seal it for this event. */
export function openPd2Texts(key: Buffer, eventId: string, type: string, value: string): Record<string, unknown> | null {
  const plain = openAesGcm(key, value, PD2, additionalDataOf(eventId, type));
  if (!plain) return null;
  try {
    const texts: unknown = JSON.parse(plain.toString('utf8'));
    return isRecord(texts) ? texts : null;
  } catch {
    return null;
  }
}

/** A pd1 value's text, or null when this key did not write it. */
export function decryptText(key: Buffer, field: string, value: string): string | null {
  return openAesGcm(key, value, PD1, field)?.toString('utf8') ?? null;
}
