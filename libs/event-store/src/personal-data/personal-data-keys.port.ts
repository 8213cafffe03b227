/**
 * Where each case's data key lives: a durable store beside the event log (never a read model, which
 * is rebuilt at will), replaceable by a KMS. A key is made when a case first holds personal data and
 * destroyed when that data is erased; the destroyed case keeps a tombstone, so it is never given a
 * new key and every later read knows it was erased rather than never encrypted.
 */
export type CaseKey =
  | { state: 'none' }
  | { state: 'active'; key: Buffer }
  | { state: 'erased'; erasedAt: string };

export interface PersonalDataKeys {
  /** The case's key as it stands now (never cached across processes: another one may have erased it). */
  lookup(caseId: string): Promise<CaseKey>;
  /** The case's key, made and stored durably first when it has none; `erased` once destroyed. */
  obtain(caseId: string): Promise<CaseKey>;
  /** Destroys the key for good (idempotent) and leaves the tombstone. */
  destroy(caseId: string, at: string): Promise<void>;
  close(): Promise<void>;
}

/** Makes a new 32-byte key for a case: random in production, derived from a seed in the simulator. */
export type KeyMaker = (caseId: string) => Buffer;

export const PERSONAL_DATA_KEYS = Symbol('PersonalDataKeys');
