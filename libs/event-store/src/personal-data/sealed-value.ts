import * as sodium from 'sodium-native';

/**
 * pd3, written since 2026-11-30: one XChaCha20-Poly1305 (IETF) value per event holding all its
 * personal texts, through libsodium. It replaced AES-256-GCM through Node's crypto (pd2, still read,
 * see legacy-sealed-value.ts) because OpenSSL 3.0 sets up a cipher context per call: ~15–30 µs per
 * seal in place, against 3–11 µs here, on an append of ~0.4 ms (bench/README, issue 17). Layout:
 * `pd3:` + base64(nonce 24 | ciphertext | tag 16).
 */
export const PD3 = 'pd3:';
const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
const TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES;
const KEY_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
const SEALING_KEY_CONTEXT = Buffer.from('civicloop pd3 xchacha20poly1305', 'utf8');

/**
 * pd3 values are sealed with a key derived from the case's data key (keyed BLAKE2b), not the data key
 * itself: the same data key sealed pd2 values with AES-GCM, and one key is never used by two ciphers.
 * Destroying the data key destroys this one with it (it is never stored). Remembered per key buffer
 * for reads, which open many events with one key; a seal derives it afresh unless a read remembered
 * it, because a new case's key seals one event and an entry for it would only cost the collector.
 */
const sealingKeys = new WeakMap<Buffer, Buffer>();
function deriveSealingKey(key: Buffer): Buffer {
  const sealingKey = Buffer.alloc(KEY_BYTES);
  sodium.crypto_generichash(sealingKey, SEALING_KEY_CONTEXT, key);
  return sealingKey;
}
function rememberedSealingKey(key: Buffer): Buffer {
  let sealingKey = sealingKeys.get(key);
  if (!sealingKey) sealingKeys.set(key, sealingKey = deriveSealingKey(key));
  return sealingKey;
}

/** The event's id and type, bound as additional data: a sealed value moved to another event does not open. */
const additionalData = (eventId: string, type: string): Buffer => Buffer.from(`${eventId}\u0000${type}`, 'utf8');

/**
 * The texts sealed in one pd3 value. The nonce is the event id's BLAKE2b-192, never drawn at random:
 * an event id is unique (the store refuses a second event with it), so no nonce repeats under a key,
 * and the same event seals to the same bytes (the simulator's history hash stays the same for the
 * same seed; a resumed migration writes what an uninterrupted one would). A nonce is public (it is
 * stored with the value); keying its hash would cost a second key set-up per seal for nothing.
 */
export function sealTexts(key: Buffer, eventId: string, type: string, texts: Record<string, string>): string {
  const sealingKey = sealingKeys.get(key) ?? deriveSealingKey(key);
  const message = Buffer.from(JSON.stringify(texts), 'utf8');
  const sealed = Buffer.allocUnsafe(NONCE_BYTES + message.length + TAG_BYTES);
  const nonce = sealed.subarray(0, NONCE_BYTES);
  sodium.crypto_generichash(nonce, Buffer.from(eventId, 'utf8'));
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.subarray(NONCE_BYTES), message, additionalData(eventId, type), null, nonce, sealingKey);
  message.fill(0);
  return PD3 + sealed.toString('base64');
}

/** The texts in a pd3 value, or null when this key did not seal it for this event (another key, a moved or altered value). */
export function openTexts(key: Buffer, eventId: string, type: string, value: string): Record<string, unknown> | null {
  const sealed = Buffer.from(value.slice(PD3.length), 'base64');
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return null;
  const message = Buffer.alloc(sealed.length - NONCE_BYTES - TAG_BYTES);
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      message, null, sealed.subarray(NONCE_BYTES), additionalData(eventId, type), sealed.subarray(0, NONCE_BYTES), rememberedSealingKey(key),
    );
    const texts: unknown = JSON.parse(message.toString('utf8'));
    return isRecord(texts) ? texts : null;
  } catch {
    return null; // the tag did not match: nothing of the value is used
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
