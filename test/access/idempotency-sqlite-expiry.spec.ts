import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteIdempotencyStore } from '../../apps/api/src/idempotency/sqlite-idempotency.store';

describe('Idempotency-Key answers in the embedded SQLite store expire', () => {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-idem-'));
  const db = new Database(join(dir, 'app.sqlite'));
  const store = new SqliteIdempotencyStore(db, { retainMs: 300, inFlightMs: 100 });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  afterAll(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

  it('frees a key whose request died mid-flight, and never lets the late request overwrite the new claim', async () => {
    expect(await store.begin('u\u0000k1', 'f1', new Date())).toBe(true);
    expect(await store.begin('u\u0000k1', 'f1', new Date())).toBe(false);
    await pause(150);
    expect(await store.find('u\u0000k1')).toBeUndefined();
    expect(await store.begin('u\u0000k1', 'f2', new Date())).toBe(true);
    await store.complete('u\u0000k1', 201, { id: 'second' });
    await store.complete('u\u0000k1', 201, { id: 'late first' });
    expect(await store.find('u\u0000k1')).toEqual({ fingerprint: 'f2', status: 201, body: { id: 'second' } });
  });

  it('replays a finished answer for the retention period, then forgets it', async () => {
    expect(await store.begin('u\u0000k2', 'f', new Date())).toBe(true);
    await store.complete('u\u0000k2', 201, { id: 'c' });
    await pause(150);
    expect(await store.find('u\u0000k2')).toMatchObject({ status: 201 });
    await pause(250);
    expect(await store.find('u\u0000k2')).toBeUndefined();
    expect(await store.begin('u\u0000k2', 'f', new Date())).toBe(true);
  });
});
