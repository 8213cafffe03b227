import { createHmac, randomBytes } from 'node:crypto';
import { CaseKey, KeyMaker } from './personal-data-keys.port';

export const randomKeyMaker: KeyMaker = () => randomBytes(32);

/**
 * The id of a key made by a KeyMaker, derived from the key (so the simulator's keys, derived from its
 * seed, get the same ids run after run and its history hash stays the same). One-way: the id left in
 * the log after an erasure says nothing about the destroyed key.
 */
export const keyIdFor = (key: Buffer): string => createHmac('sha256', key).update('civicloop data key id').digest('base64url').slice(0, 22);

/** Keys made ahead in one durable batch (one fsync for many intakes); this many at a time. */
export const KEY_POOL_BATCH = 512;

export interface DataKey { keyId: string; key: Buffer }

export const newDataKey = (key: Buffer): DataKey => ({ keyId: keyIdFor(key), key });

const KEY_BYTES = 32;
const ID_RANDOM_BYTES = 8;

/**
 * `count` random keys, with ids that sort by when they were made: the time in ms (12 hex digits), the
 * key's place in its batch (4) and 8 random bytes (16), 32 characters. Ordered ids go in at the end
 * of the key file's index, where random ones went anywhere in it: a key row cost half as much (4–5
 * against 8–10 µs on this machine at 20,000 keys, more as the file grows). An id says when its key was
 * made (as the row's created_at does) and nothing about the key. All from one call to the random
 * source: one randomBytes(32) and one HMAC per key cost more than the rest of an intake's encryption.
 */
export function randomDataKeys(count: number, now = Date.now()): DataKey[] {
  const bytes = randomBytes(count * (KEY_BYTES + ID_RANDOM_BYTES));
  const made = now.toString(16).padStart(12, '0');
  const keys = Array.from({ length: count }, (_, i) => {
    const at = i * (KEY_BYTES + ID_RANDOM_BYTES);
    // Each key in memory of its own (Buffer.from would take a slice of Node's shared 8 KB pool),
    // and the batch's bytes zeroed below, so no key outlives its own buffer anywhere in the heap.
    const key = Buffer.alloc(KEY_BYTES);
    bytes.copy(key, 0, at, at + KEY_BYTES);
    const random = bytes.toString('hex', at + KEY_BYTES, at + KEY_BYTES + ID_RANDOM_BYTES);
    return { keyId: `${made}${i.toString(16).padStart(4, '0')}${random}`, key };
  });
  bytes.fill(0);
  return keys;
}

export interface KeyRow { key: Buffer | null; erased_at: string | null }

/** A data key's row as a CaseKey: none when this copy of the keys never had it. */
export const keyOf = (row: KeyRow | undefined, keyId: string): CaseKey => {
  if (!row) return { state: 'none' };
  if (row.erased_at !== null || row.key === null) return { state: 'erased', erasedAt: row.erased_at ?? '' };
  return { state: 'active', key: row.key, keyId };
};

/** A case's row joined with the data key it claims (both key stores read it so). */
export interface CaseKeyRow extends KeyRow { key_id: string | null; data_key: Buffer | null; data_erased_at: string | null }

/**
 * A case's key from its row: its tombstone, the key kept with the case (before key ids), or the
 * data key it claims; none without a row (it may claim one any moment, so never remember that).
 */
export const caseKeyOf = (row: CaseKeyRow | undefined): CaseKey => {
  if (!row) return { state: 'none' };
  if (row.erased_at !== null) return { state: 'erased', erasedAt: row.erased_at };
  if (row.key !== null) return { state: 'active', key: row.key, keyId: null };
  if (row.key_id === null) return { state: 'erased', erasedAt: '' };
  return keyOf({ key: row.data_key, erased_at: row.data_erased_at }, row.key_id);
};
