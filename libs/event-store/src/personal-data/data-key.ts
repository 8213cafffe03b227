import { createHmac, randomBytes } from 'node:crypto';
import { CaseKey, KeyMaker } from './personal-data-keys.port';

export const randomKeyMaker: KeyMaker = () => randomBytes(32);

/**
 * A key's id, derived from the key (so the simulator's keys, derived from its seed, get the same ids
 * run after run and its history hash stays the same). One-way: the id left in the log after an
 * erasure says nothing about the destroyed key.
 */
export const keyIdFor = (key: Buffer): string => createHmac('sha256', key).update('civicloop data key id').digest('base64url').slice(0, 22);

/** Keys made ahead in one durable batch (one fsync for many intakes); this many at a time. */
export const KEY_POOL_BATCH = 128;

export interface DataKey { keyId: string; key: Buffer }

export const newDataKey = (key: Buffer): DataKey => ({ keyId: keyIdFor(key), key });

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
