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
const ID_BYTES = 16;

/**
 * `count` random keys with random ids (22 base64url characters, as keyIdFor's), from one call to the
 * random source: one randomBytes(32) and one HMAC per key cost more than the rest of an intake's
 * encryption. A random id is as one-way as a derived one (it says nothing about the key).
 */
export function randomDataKeys(count: number): DataKey[] {
  const bytes = randomBytes(count * (KEY_BYTES + ID_BYTES));
  const keys = Array.from({ length: count }, (_, i) => {
    const at = i * (KEY_BYTES + ID_BYTES);
    // Each key in memory of its own (Buffer.from would take a slice of Node's shared 8 KB pool),
    // and the batch's bytes zeroed below, so no key outlives its own buffer anywhere in the heap.
    const key = Buffer.alloc(KEY_BYTES);
    bytes.copy(key, 0, at, at + KEY_BYTES);
    return { keyId: bytes.subarray(at + KEY_BYTES, at + KEY_BYTES + ID_BYTES).toString('base64url'), key };
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
