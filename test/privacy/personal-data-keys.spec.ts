import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConcurrencyError, PersonalDataKeys, PostgresPersonalDataKeys, SqliteEventStore, SqlitePersonalDataKeys } from '@civicloop/event-store';
import { encryptedCases, intake, operatorContext as context } from '../support/encrypted-cases';
import { PostgresServer, startPostgres } from '../support/postgres-server';

/** The same rules for every key store: one key per case, made once, destroyed for good with a tombstone. */
function keyStoreContract(name: string, open: () => Promise<PersonalDataKeys>) {
  describe(name, () => {
    it('makes a key once (also when two ask together), destroys it for good, and never makes another', async () => {
      const keys = await open();
      try {
        expect(await keys.lookup('k-1')).toEqual({ state: 'none' });
        const [a, b] = await Promise.all([keys.obtain('k-1'), keys.obtain('k-1')]);
        expect(a.state === 'active' && b.state === 'active' && a.key.equals(b.key) && a.key.length === 32).toBe(true);
        await keys.destroy('k-1', '2026-11-29T00:00:00.000Z');
        await keys.destroy('k-1', '2026-12-01T00:00:00.000Z');
        expect(await keys.lookup('k-1')).toEqual({ state: 'erased', erasedAt: '2026-11-29T00:00:00.000Z' });
        expect(await keys.obtain('k-1')).toEqual({ state: 'erased', erasedAt: '2026-11-29T00:00:00.000Z' });
        expect((await keys.obtain('k-2')).state).toBe('active');
      } finally {
        await keys.close();
      }
    });

    it('hands out more keys than a batch holds, many asking at once, each once and each on record', async () => {
      const keys = await open();
      try {
        const taken = await Promise.all(Array.from({ length: 1_200 }, (_, i) => keys.obtain(`many-${i}`, { newCase: true })));
        const active = taken.flatMap((key) => (key.state === 'active' && key.keyId !== null ? [{ keyId: key.keyId, key: key.key }] : []));
        expect(active).toHaveLength(1_200);
        expect(new Set(active.map((key) => key.keyId)).size).toBe(1_200);
        for (const { keyId, key } of active) {
          const found = await keys.lookupKey(keyId);
          expect(found.state === 'active' && found.key.equals(key)).toBe(true);
        }
      } finally {
        await keys.close();
      }
    });

    it('finds a key by the id its events carry, and destroys every key the case\'s events name', async () => {
      const keys = await open();
      try {
        const [a, b] = [await keys.obtain('by-id-a'), await keys.obtain('by-id-b')];
        if (a.state !== 'active' || b.state !== 'active' || a.keyId === null || b.keyId === null) throw new Error('no key ids');
        expect(a.keyId).not.toBe(b.keyId);
        expect(await keys.lookupKey(a.keyId)).toEqual(a);
        expect(await keys.lookupKey('no-such-key')).toEqual({ state: 'none' });
        // b's key named by one of a's events (as after a claim lost to a power cut and a second key): both go.
        await keys.destroy('by-id-a', '2026-11-29T00:00:00.000Z', [b.keyId]);
        expect(await keys.lookupKey(a.keyId)).toEqual({ state: 'erased', erasedAt: '2026-11-29T00:00:00.000Z' });
        expect(await keys.lookupKey(b.keyId)).toEqual({ state: 'erased', erasedAt: '2026-11-29T00:00:00.000Z' });
      } finally {
        await keys.close();
      }
    });

    it('makes a key of its own for each of many cases asking together (concurrent intakes), each kept', async () => {
      const keys = await open();
      try {
        const ids = Array.from({ length: 40 }, (_, i) => `together-${i}`);
        const made = await Promise.all([...ids, ...ids.slice(0, 5)].map((id) => keys.obtain(id)));
        const hex = made.map((k) => (k.state === 'active' ? k.key.toString('hex') : k.state));
        expect(new Set(hex.slice(0, 40)).size).toBe(40);
        expect(hex.slice(40)).toEqual(hex.slice(0, 5));
        const looked = await Promise.all(ids.map((id) => keys.lookup(id)));
        expect(looked.map((k) => (k.state === 'active' ? k.key.toString('hex') : k.state))).toEqual(hex.slice(0, 40));
      } finally {
        await keys.close();
      }
    });
  });
}

describe('personal data key stores', () => {
  const dirs: string[] = [];
  let pg: PostgresServer;
  beforeAll(async () => { pg = await startPostgres(); }, 60_000);
  afterAll(async () => {
    await pg?.stop();
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  keyStoreContract('SQLite (DATA_DIR/personal-data-keys.sqlite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'civicloop-keys-'));
    dirs.push(dir);
    return new SqlitePersonalDataKeys(join(dir, 'personal-data-keys.sqlite'));
  });
  keyStoreContract('PostgreSQL (beside a PostgreSQL event store)', async () => PostgresPersonalDataKeys.connect(pg.url));

  it('SQLite: a destroyed key leaves no copy in the file or its -wal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'civicloop-keys-'));
    dirs.push(dir);
    const keys = new SqlitePersonalDataKeys(join(dir, 'personal-data-keys.sqlite'));
    const made = await keys.obtain('gone');
    if (made.state !== 'active') throw new Error('no key made');
    for (let i = 0; i < 50; i++) await keys.obtain(`other-${i}`);
    const present = () => readdirSync(dir).some((f) => readFileSync(join(dir, f)).includes(made.key));
    expect(present()).toBe(true);
    await keys.destroy('gone', '2026-11-29T00:00:00.000Z');
    expect(present()).toBe(false);
    await keys.close();
  });
});

describe('SQLite key store: keys made ahead, claims written together without an fsync of their own', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'civicloop-keys-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('two processes on one file never hand out the same key, agree on a case\'s key, and see each other\'s erasure at once', async () => {
    const file = join(dir, 'personal-data-keys.sqlite');
    const [a, b] = [new SqlitePersonalDataKeys(file), new SqlitePersonalDataKeys(file)];
    try {
      const made = [...await Promise.all(Array.from({ length: 30 }, (_, i) => a.obtain(`a-${i}`))),
        ...await Promise.all(Array.from({ length: 30 }, (_, i) => b.obtain(`b-${i}`)))];
      const ids = made.map((k) => (k.state === 'active' ? k.keyId : k.state));
      expect(new Set(ids).size).toBe(60);
      const shared = await a.obtain('shared');
      a.flushClaims(); // else written within a few ms
      expect(await b.obtain('shared')).toEqual(shared);
      if (shared.state !== 'active' || shared.keyId === null) throw new Error('no key');
      expect(await a.lookupKey(shared.keyId)).toEqual(shared); // now remembered by a
      await b.destroy('shared', '2026-11-29T00:00:00.000Z');
      expect(await a.lookupKey(shared.keyId)).toEqual({ state: 'erased', erasedAt: '2026-11-29T00:00:00.000Z' });
      expect(await a.obtain('shared')).toEqual({ state: 'erased', erasedAt: '2026-11-29T00:00:00.000Z' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('writes a case\'s claim a few ms later, answering from memory meanwhile; an erasure before then still destroys that key', async () => {
    const file = join(dir, 'personal-data-keys.sqlite');
    const keys = new SqlitePersonalDataKeys(file);
    const raw = new Database(file, { readonly: true });
    const claimOf = (caseId: string) => raw.prepare<[string], { key_id: string }>('SELECT key_id FROM case_keys WHERE case_id = ?').get(caseId)?.key_id;
    try {
      const made = await keys.obtain('soon', { newCase: true });
      if (made.state !== 'active' || made.keyId === null) throw new Error('no key');
      expect(claimOf('soon')).toBeUndefined(); // not yet: written with others a few ms later
      expect(await keys.lookup('soon')).toEqual(made);
      expect(await keys.obtain('soon')).toEqual(made);
      for (const began = Date.now(); claimOf('soon') === undefined && Date.now() - began < 5_000;) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(claimOf('soon')).toBe(made.keyId);

      const early = await keys.obtain('erased-early', { newCase: true });
      if (early.state !== 'active' || early.keyId === null) throw new Error('no key');
      await keys.destroy('erased-early', '2026-11-29T00:00:00.000Z');
      expect(await keys.lookupKey(early.keyId)).toEqual({ state: 'erased', erasedAt: '2026-11-29T00:00:00.000Z' });
      expect(await keys.obtain('erased-early')).toEqual({ state: 'erased', erasedAt: '2026-11-29T00:00:00.000Z' });
    } finally {
      raw.close();
      await keys.close();
    }
  });

  it('an existing case\'s claim is on record before its key is handed out: an erasure by another process finds it; a waiting claim never outranks a tombstone', async () => {
    const file = join(dir, 'personal-data-keys.sqlite');
    const [a, b] = [new SqlitePersonalDataKeys(file), new SqlitePersonalDataKeys(file)];
    const at = '2026-11-29T00:00:00.000Z';
    try {
      // a seals a note of an existing case while b erases it, b having read a history without the note
      const noted = await a.obtain('existing');
      if (noted.state !== 'active' || noted.keyId === null) throw new Error('no key');
      await b.destroy('existing', at, []);
      expect(await b.lookupKey(noted.keyId)).toEqual({ state: 'erased', erasedAt: at });
      expect(await a.obtain('existing')).toEqual({ state: 'erased', erasedAt: at });

      // a's claim of a new case still waits in memory when b erases the case
      const fresh = await a.obtain('new', { newCase: true });
      if (fresh.state !== 'active' || fresh.keyId === null) throw new Error('no key');
      await b.destroy('new', at, [fresh.keyId]);
      expect(await a.obtain('new')).toEqual({ state: 'erased', erasedAt: at });
      a.flushClaims();
      expect(await b.obtain('new')).toEqual({ state: 'erased', erasedAt: at });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a new case takes a key without a look at the file: two processes creating one case race at the store, the loser goes on with the winner\'s key or its own, and the erasure destroys every one named', async () => {
    const [eventsFile, keysFile] = [join(dir, 'events.sqlite'), join(dir, 'personal-data-keys.sqlite')];
    const received = (reporterPhone: string) => intake('raced', { description: '楼顶漏水', reporterPhone });
    const process = (name: string) => {
      const [store, keys] = [new SqliteEventStore(eventsFile, { cachedEvents: 0 }), new SqlitePersonalDataKeys(keysFile)];
      return { name, store, keys, cases: encryptedCases(store, keys) };
    };
    const [a, b] = [process('a'), process('b')];
    try {
      await a.cases.append('raced', [received('13800138000')], -1, context);
      a.keys.flushClaims(); // a's claim is on file before b makes the same case
      await expect(b.cases.append('raced', [received('13900139000')], -1, context)).rejects.toBeInstanceOf(ConcurrencyError);
      // b loads the case a made and adds a note: with a's key (the file outranks b's waiting claim) or, had b
      // not looked at the file since, its own; either way both processes read it
      const loaded = await b.cases.load('raced');
      await b.cases.append('raced', [{ type: 'CaseNoteAdded', data: { text: '王女士补充：漏水更严重了' } }], loaded.revision, context);
      const keyIds = [...new Set((await b.cases.storedHistory('raced')).map((event) => String(event.metadata.keyId)))];
      for (const side of [a, b]) {
        const shown = await side.cases.history('raced');
        expect(shown.map((event) => (event.data as { reporterPhone?: string; text?: string }).reporterPhone ?? (event.data as { text: string }).text))
          .toEqual(['13800138000', '王女士补充：漏水更严重了']);
      }
      // the erasure destroys every key the case's events name
      await a.cases.append('raced', [{ type: 'PersonalDataErased', data: { reason: '居民申请删除' } }], 1, context);
      const erased = await b.cases.history('raced');
      expect(erased.map((event) => (event.data as { reporterPhone?: string; text?: string }).reporterPhone ?? (event.data as { text?: string }).text))
        .toEqual(['已删除', '已删除', undefined]);
      for (const keyId of keyIds) expect((await b.keys.lookupKey(keyId)).state).toBe('erased');
    } finally {
      for (const side of [a, b]) {
        await side.store.close();
        await side.keys.close();
      }
    }
  });

  it('a key whose claim was lost (power cut) is still found by id and destroyed with the case; the file keeps no copy', async () => {
    const file = join(dir, 'personal-data-keys.sqlite');
    const keys = new SqlitePersonalDataKeys(file);
    const made = await keys.obtain('lost-claim');
    if (made.state !== 'active' || made.keyId === null) throw new Error('no key');
    await keys.close();
    const raw = new Database(file);
    raw.prepare('DELETE FROM case_keys WHERE case_id = ?').run('lost-claim');
    raw.close();
    const reopened = new SqlitePersonalDataKeys(file);
    try {
      expect(await reopened.lookup('lost-claim')).toEqual({ state: 'none' });
      expect(await reopened.lookupKey(made.keyId)).toEqual(made);
      await reopened.destroy('lost-claim', '2026-11-29T00:00:00.000Z', [made.keyId]);
      expect(await reopened.lookupKey(made.keyId)).toEqual({ state: 'erased', erasedAt: '2026-11-29T00:00:00.000Z' });
      expect(readdirSync(dir).some((f) => readFileSync(join(dir, f)).includes(made.key))).toBe(false);
    } finally {
      await reopened.close();
    }
  });
});
