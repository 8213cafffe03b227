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
const KEY_CONTEXT = Buffer.from('civicloop pd3 xchacha20poly1305 + synthetic nonce', 'utf8');

/**
 * The keys a case's data key gives pd3 (one keyed BLAKE2b of 64 bytes, split): the cipher's key and
 * the key of the nonce's MAC, so no key serves two purposes, and none of them the AES-GCM of pd2
 * values sealed with the same data key. Destroying the data key destroys these with it (they are
 * never stored). Remembered per key buffer for reads, which open many events with one key; a seal
 * derives them afresh unless a read remembered them, because a new case's key seals one event and an
 * entry for it would only cost the collector.
 */
interface Pd3Keys { cipher: Buffer; nonce: Buffer }
const derivedKeys = new WeakMap<Buffer, Pd3Keys>();
function deriveKeys(key: Buffer): Pd3Keys {
  const both = Buffer.alloc(2 * KEY_BYTES);
  sodium.crypto_generichash(both, KEY_CONTEXT, key);
  return { cipher: both.subarray(0, KEY_BYTES), nonce: both.subarray(KEY_BYTES) };
}
function rememberedKeys(key: Buffer): Pd3Keys {
  let keys = derivedKeys.get(key);
  if (!keys) derivedKeys.set(key, keys = deriveKeys(key));
  return keys;
}

/**
 * The texts sealed in one pd3 value. The event's id and type are bound as additional data (a value
 * moved to another event does not open). The nonce is synthetic, never drawn at random: a MAC of the
 * additional data and the message, so the same event seals to the same bytes (the simulator's history
 * hash stays the same for the same seed; a resumed migration writes what an uninterrupted one would),
 * and two different messages under one key never share a nonce, even where an event id repeats (the
 * simulator's ids and keys repeat across runs of one seed with other options). Readers take the nonce
 * from the value.
 */
export function sealTexts(key: Buffer, eventId: string, type: string, texts: Record<string, string>): string {
  if (key.length !== KEY_BYTES) throw new Error(`a data key has ${KEY_BYTES} bytes, not ${key.length}`);
  const keys = derivedKeys.get(key);
  if (keys) return sealWith(keys.cipher, keys.nonce, eventId, type, texts);
  sodium.crypto_generichash(keysScratch, KEY_CONTEXT, key);
  try {
    return sealWith(cipherKeyScratch, nonceKeyScratch, eventId, type, texts);
  } finally {
    keysScratch.fill(0);
  }
}

/**
 * Buffers a seal reuses (one thread, and a seal never awaits): allocating and measuring fresh ones for
 * each seal cost a quarter of it. The keys and the plain side are zeroed after every seal; the sealed
 * side holds only ciphertext. Grown when a message needs more.
 */
const keysScratch = Buffer.allocUnsafeSlow(2 * KEY_BYTES);
const cipherKeyScratch = keysScratch.subarray(0, KEY_BYTES);
const nonceKeyScratch = keysScratch.subarray(KEY_BYTES);
let plainScratch = Buffer.alloc(2048);
let sealedScratch = Buffer.alloc(NONCE_BYTES + plainScratch.length + TAG_BYTES);
let nonceScratch = sealedScratch.subarray(0, NONCE_BYTES);

/** What a sealed value is bound to besides its key (pd2 and pd3 alike): its event, so a value moved to another event does not open. */
export const additionalDataOf = (eventId: string, type: string): string => `${eventId}\u0000${type}`;

function sealWith(cipherKey: Buffer, nonceKey: Buffer, eventId: string, type: string, texts: Record<string, string>): string {
  const aad = additionalDataOf(eventId, type);
  const json = JSON.stringify(texts);
  const most = 4 + 3 * (aad.length + json.length); // UTF-8 takes at most 3 bytes per UTF-16 unit
  if (plainScratch.length < most) {
    plainScratch = Buffer.alloc(most);
    sealedScratch = Buffer.alloc(NONCE_BYTES + most + TAG_BYTES);
    nonceScratch = sealedScratch.subarray(0, NONCE_BYTES);
  }
  const [plain, sealed, nonce] = [plainScratch, sealedScratch, nonceScratch];
  // The MAC's input, unambiguous: the additional data's length, the additional data, the message.
  const aadBytes = plain.write(aad, 4, 'utf8');
  plain.writeUInt32BE(aadBytes, 0);
  const end = 4 + aadBytes + plain.write(json, 4 + aadBytes, 'utf8');
  const sealedBytes = NONCE_BYTES + (end - 4 - aadBytes) + TAG_BYTES;
  try {
    sodium.crypto_generichash(nonce, plain.subarray(0, end), nonceKey);
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
      sealed.subarray(NONCE_BYTES, sealedBytes), plain.subarray(4 + aadBytes, end), plain.subarray(4, 4 + aadBytes), null, nonce, cipherKey,
    );
  } finally {
    plain.fill(0, 0, end);
  }
  return PD3 + sealed.toString('base64', 0, sealedBytes);
}

/** The texts in a pd3 value, or null when this key did not seal it for this event (another key, a moved or altered value). */
export function openTexts(key: Buffer, eventId: string, type: string, value: string): Record<string, unknown> | null {
  const sealed = Buffer.from(value.slice(PD3.length), 'base64');
  if (sealed.length < NONCE_BYTES + TAG_BYTES || key.length !== KEY_BYTES) return null;
  const message = Buffer.alloc(sealed.length - NONCE_BYTES - TAG_BYTES);
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      message, null, sealed.subarray(NONCE_BYTES), Buffer.from(additionalDataOf(eventId, type), 'utf8'), sealed.subarray(0, NONCE_BYTES), rememberedKeys(key).cipher,
    );
    const texts: unknown = JSON.parse(message.toString('utf8'));
    return isRecord(texts) ? texts : null;
  } catch {
    return null; // the tag did not match: nothing of the value is used
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
