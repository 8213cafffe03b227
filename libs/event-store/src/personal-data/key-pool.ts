import { DataKey, KEY_POOL_BATCH, randomDataKeys } from './data-key';

/**
 * The next batch of keys is made once this few are left, and written off the event loop (its rows
 * and their fsync took 3–10 ms of it per batch, 6–20 µs per intake): none of it is handed out before
 * its commit has returned.
 */
const LOW_WATER = 128;

/** Writes a batch of keys in one transaction committed with an fsync, now (`writeNow`) or off the event loop (`writeAhead`). */
export interface WriteKeys {
  writeNow(batch: DataKey[]): void;
  writeAhead(batch: DataKey[]): Promise<void>;
  /** Called once the first batch is written: get ready to write ahead (start a thread, open a file). */
  prepareAhead(): void;
}

/**
 * A process's keys made ahead, each handed out once. The first batch of a process is written before
 * anything is handed out; later ones are made ahead and join the pool once their commit returned.
 */
export class KeyPool {
  private keys: DataKey[] = [];
  /** The first batch is written before any key is handed out; after it, batches are made ahead. */
  private firstWritten = false;
  private refilling: Promise<void> | null = null;

  constructor(private readonly write: WriteKeys) {}

  async take(): Promise<DataKey> {
    if (this.keys.length <= LOW_WATER && this.firstWritten) this.refillAhead().catch(() => undefined); // an error shows once the pool is empty
    for (;;) {
      const next = this.keys.pop();
      if (next) return next;
      if (!this.firstWritten) this.makeBatchNow();
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
    this.write.writeNow(batch);
    this.keys = batch;
    this.firstWritten = true;
    this.write.prepareAhead();
  }

  private refillAhead(): Promise<void> {
    this.refilling ??= (async () => {
      const batch = randomDataKeys(KEY_POOL_BATCH);
      await this.write.writeAhead(batch);
      this.keys = [...batch, ...this.keys];
    })().finally(() => {
      this.refilling = null;
    });
    return this.refilling;
  }
}
