import { StoreUnavailable } from '../event-store.port';

/** SQLite result codes that say the store cannot write now, not that the append was wrong. */
const OUTAGE_CODES = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|NOMEM)/;
/** Of those, the ones that need an operator (space, a disk, the file back), not just a moment. */
const LASTING_CODES = /^SQLITE_(FULL|IOERR|CANTOPEN|READONLY|NOMEM)/;

/** Marks an error from a writer thread that stopped while it held appends: they may have been committed. */
export class WriterLost extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriterLost';
  }
}

/**
 * An append's failure as the port names it: an outage (lock held past busy_timeout, disk full, I/O
 * error, file gone, a writer thread that stopped) becomes StoreUnavailable, answered 503 with
 * Retry-After; anything else (a constraint, a bug) is passed on as it is.
 */
export function asStoreFailure(error: unknown): unknown {
  if (error instanceof StoreUnavailable) return error;
  if (error instanceof WriterLost) return new StoreUnavailable(error.message, true, { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && OUTAGE_CODES.test(code)) {
    return new StoreUnavailable(`${code}: ${(error as Error).message}`, false, { cause: error, code, retryAfterSeconds: LASTING_CODES.test(code) ? 30 : 1 });
  }
  return error;
}
