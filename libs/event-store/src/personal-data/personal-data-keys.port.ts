/**
 * Where each case's data key lives: a durable store beside the event log (never a read model, which
 * is rebuilt at will), replaceable by a KMS. A key is given to a case when it first holds personal
 * data and destroyed when that data is erased; the destroyed case keeps a tombstone, so it is never
 * given a new key and every later read knows it was erased rather than never encrypted.
 *
 * Every key has an id, which each event it sealed names in its metadata (`keyId`): a reader finds the
 * key by it, and an erasure destroys every key the case's events name, so the case→key record itself
 * need not be fsynced on its own (the event records which key it used). Keys kept with the case
 * before key ids (and the events they sealed, which name none) have `keyId: null` and are found by case.
 */
export type CaseKey =
  | { state: 'none' }
  | { state: 'active'; key: Buffer; keyId: string | null }
  | { state: 'erased'; erasedAt: string };

export interface PersonalDataKeys {
  /** The case's key as it stands now (another process may have erased it since: stores check before trusting a cache). */
  lookup(caseId: string): Promise<CaseKey>;
  /** The key an event names by id, as it stands now. */
  lookupKey(keyId: string): Promise<CaseKey>;
  /** What lookup/lookupKey would answer, when the store can tell without waiting (a trusted cache); else undefined. */
  peek?(by: 'case' | 'key', id: string): CaseKey | undefined;
  /**
   * The case's key, one on disk before it is handed out; `erased` once destroyed. `newCase`: the
   * case's stream does not exist yet, so no erasure can be running on it and the store may record
   * the claim a little later (the event names its key). For an existing case the claim is on record
   * before the key is handed out, so an erasure in another process finds it.
   */
  obtain(caseId: string, options?: { newCase?: boolean }): Promise<CaseKey>;
  /** Destroys the case's key and every key named in `keyIds` (the ids its events carry) for good (idempotent), and leaves the tombstone. */
  destroy(caseId: string, at: string, keyIds?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Makes a new 32-byte key for a case: random in production, derived from a seed in the simulator. */
export type KeyMaker = (caseId: string) => Buffer;

export const PERSONAL_DATA_KEYS = Symbol('PersonalDataKeys');
