import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomDataKeys, SqlitePersonalDataKeys } from '../src';
import { KeyBatchThread } from '../src/personal-data/key-batch-thread';

describe('key batches written on a thread of their own', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'civicloop-key-thread-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('never keeps the process alive: a started thread holds no active handle, and a closed one takes no batch', async () => {
    const file = join(dir, 'personal-data-keys.sqlite');
    await new SqlitePersonalDataKeys(file).close(); // the schema
    const handles = () => process.getActiveResourcesInfo().filter((kind) => kind === 'MessagePort' || kind === 'Worker').length;
    const before = handles();
    const thread = new KeyBatchThread(file);
    await thread.warm();
    await thread.write(randomDataKeys(2));
    expect(handles()).toBe(before);
    await thread.close();
    await expect(thread.write(randomDataKeys(1))).rejects.toThrow(/closed/);
  });

  it('commits a batch (each key its own bytes), fails a batch it cannot write, and goes on after a stop', async () => {
    const file = join(dir, 'personal-data-keys.sqlite');
    await new SqlitePersonalDataKeys(file).close(); // the schema
    const thread = new KeyBatchThread(file);
    try {
      const batch = randomDataKeys(40);
      await thread.write(batch);
      const rows = new Database(file, { readonly: true });
      const stored = new Map(rows.prepare<[], { key_id: string; key: Buffer }>('SELECT key_id, key FROM data_keys').all().map((row) => [row.key_id, row.key]));
      rows.close();
      expect(batch.every(({ keyId, key }) => stored.get(keyId)?.equals(key))).toBe(true);
      expect(batch.every(({ key }) => key.some((byte) => byte !== 0))).toBe(true); // the thread zeroes its copy, not ours

      await thread.close();
      const broken = new KeyBatchThread(join(dir, 'no-schema.sqlite'));
      await expect(broken.write(randomDataKeys(2))).rejects.toThrow(/writing a batch of data keys failed: .*no such table/);
      await broken.close();

      const again = new KeyBatchThread(file); // a thread of another store on the same file
      await again.write(randomDataKeys(3));
      await again.close();
      const count = new Database(file, { readonly: true });
      expect(count.prepare('SELECT count(*) FROM data_keys').pluck().get()).toBe(43);
      count.close();
    } finally {
      await thread.close();
    }
  });
});
