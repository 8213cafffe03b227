export interface StoredAnswer {
  fingerprint: string;
  /** Null while the first request with this key is still being handled. */
  status: number | null;
  body: unknown;
}

/**
 * Remembers the first answer to each (user, Idempotency-Key). A claim with no status is a request
 * still being handled: a second request with the same key must not run beside it.
 * Adapters: SQLite in the app-state file (one process), Redis when replicas must share the keys.
 */
export abstract class IdempotencyStore {
  abstract find(scope: string): Promise<StoredAnswer | undefined>;

  /** Claims the key atomically; false when another request holds it already. */
  abstract begin(scope: string, fingerprint: string, at: Date): Promise<boolean>;

  abstract complete(scope: string, status: number, body: unknown): Promise<void>;

  /** The command failed and wrote nothing: let a retry with the same key run it again. */
  abstract release(scope: string): Promise<void>;
}
