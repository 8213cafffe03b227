import { open } from 'node:fs/promises';
import { DataKey, KEY_POOL_BATCH, randomDataKeys } from './data-key';

/**
 * The next batch of keys is made once this few are left, and made durable by an fsync of the key
 * file's WAL on libuv's pool instead of one inside the commit on the event loop (3–10 ms per batch,
 * 6–20 µs per intake): none of it is handed out before that fsync has returned.
 */
const LOW_WATER = 128;

/** Writes a batch of keys in one transaction: fsynced in the commit when `durably`, else only written (synchronous=NORMAL). */
export type WriteKeys = (batch: DataKey[], durably: boolean) => void;

/**
 * A process's keys made ahead, each handed out once. The first batch of a process is made and
 * fsynced in one commit before anything is handed out (that commit also makes the WAL file's entry
 * durable); later ones are made ahead and join the pool once the WAL holding them is synced.
 */
export class KeyPool {
  private keys: DataKey[] = [];
  private batches = 0;
  private refilling: Promise<void> | null = null;

  constructor(private readonly walFile: string, private readonly write: WriteKeys) {}

  async take(): Promise<DataKey> {
    if (this.keys.length <= LOW_WATER && this.batches > 0) this.refillAhead().catch(() => undefined); // an error shows once the pool is empty
    for (;;) {
      const next = this.keys.pop();
      if (next) return next;
      if (this.batches === 0) this.makeBatchNow();
      else await this.refillAhead();
    }
  }

  /** A key taken and never named by an event: still unused. */
  giveBack(key: DataKey): void {
    this.keys.push(key);
  }

  /** Waits for a batch being made ahead (before the file is closed). */
  async settle(): Promise<void> {
    await this.refilling?.catch(() => undefined);
  }

  private makeBatchNow(): void {
    const batch = randomDataKeys(KEY_POOL_BATCH);
    this.write(batch, true);
    this.keys = batch;
    this.batches++;
  }

  private refillAhead(): Promise<void> {
    this.refilling ??= (async () => {
      const batch = randomDataKeys(KEY_POOL_BATCH);
      this.write(batch, false);
      const wal = await open(this.walFile, 'r');
      try {
        await wal.datasync();
      } finally {
        await wal.close();
      }
      this.keys = [...batch, ...this.keys];
      this.batches++;
    })().finally(() => {
      this.refilling = null;
    });
    return this.refilling;
  }
}
