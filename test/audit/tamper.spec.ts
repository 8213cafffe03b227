import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentHash, sealEvents, SignedCheckpoint, sqliteFileEntries, storedHash, verifyLog } from '@civicloop/audit';
import { buildTree, copyDataDir, openStore, rawEvents, simulatedDataDir, streamWith } from './audit-fixture';

/** Someone with the disk: edits the SQLite file while nothing has it open. */
function tamper(dataDir: string, edit: (db: ReturnType<typeof rawEvents>) => void): void {
  const db = rawEvents(dataDir);
  try {
    edit(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

describe('audit verify finds every kind of tampering in the SQLite file', () => {
  let original: string;
  let checkpoint: SignedCheckpoint;
  const copies: string[] = [];
  const copy = () => {
    const dir = copyDataDir(original);
    copies.push(dir);
    return dir;
  };
  const verify = async (dataDir: string, with_: SignedCheckpoint | null = checkpoint) => {
    const store = openStore(dataDir);
    try {
      // Through the port (every event parsed and re-encoded) and from the file's bytes (what the CLI does): the same verdict.
      const viaPort = await verifyLog(store, { checkpoint: with_ });
      const viaFile = await verifyLog(store, { checkpoint: with_, entries: sqliteFileEntries(join(dataDir, 'events.sqlite')) });
      expect(viaFile).toEqual(viaPort);
      return viaPort;
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    original = await simulatedDataDir();
    const store = openStore(original);
    checkpoint = await buildTree(store, original);
    await store.close();
  }, 60_000);
  afterAll(() => [original, ...copies].forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('finds the untouched history intact and matching its signed checkpoint', async () => {
    const report = await verify(original);
    expect(report.firstBreak).toBeNull();
    expect(report.unsealed).toBe(0);
    expect(report.events).toBeGreaterThan(50);
    expect(report.checkpoint).toMatchObject({ treeSize: report.events, matches: true, signatureValid: true });
    expect(report.intact).toBe(true);
  });

  it('one flipped byte in an event\'s data, written into the file itself: changed content, at that event', async () => {
    const dir = copy();
    const db = rawEvents(dir);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const rows = db.prepare('SELECT position, stream_id, revision, data FROM events WHERE revision >= 1 ORDER BY position').all() as
      { position: number; stream_id: string; revision: number; data: string }[];
    db.close();
    const file = join(dir, 'events.sqlite');
    const bytes = readFileSync(file);
    // An event whose data text occurs once in the file, so the flipped byte is certainly that event's.
    const target = rows.find((r) => bytes.indexOf(r.data) !== -1 && bytes.indexOf(r.data) === bytes.lastIndexOf(r.data) && /":"[a-z]/.test(r.data))!;
    const at = bytes.indexOf(target.data) + target.data.search(/":"[a-z]/) + 3;
    bytes[at] ^= 0x01; // e.g. "grid" → "frid": still valid JSON, one bit different
    writeFileSync(file, bytes);

    const report = await verify(dir);
    expect(report.firstBreak).toMatchObject({ kind: 'changed', streamId: target.stream_id, revision: target.revision, position: target.position });
    expect(report.checkpoint).toMatchObject({ matches: false, signatureValid: true });
    expect(report.intact).toBe(false);
  });

  it('a deleted event: deleted, at its revision, before the event that now follows the hole', async () => {
    const dir = copy();
    let expected = { streamId: '', revision: 2, position: 0 };
    tamper(dir, (db) => {
      const { streamId, rows } = streamWith(db, 4);
      expected = { streamId, revision: 2, position: rows[3].position };
      db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 2').run(streamId);
    });
    const report = await verify(dir);
    expect(report.firstBreak).toMatchObject({ kind: 'deleted', ...expected });
    expect(report.checkpoint?.matches).toBe(false);
  });

  it('a deleted and renumbered event (no hole left): still deleted, at that revision', async () => {
    const dir = copy();
    let expected = { streamId: '', revision: 2, position: 0 };
    tamper(dir, (db) => {
      const { streamId, rows } = streamWith(db, 4);
      expected = { streamId, revision: 2, position: rows[3].position };
      db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 2').run(streamId);
      db.prepare('UPDATE events SET revision = revision - 1 WHERE stream_id = ? AND revision > 2').run(streamId);
    });
    expect((await verify(dir)).firstBreak).toMatchObject({ kind: 'deleted', ...expected });
  });

  it('two events swapped: reordered, at the first of the two', async () => {
    const dir = copy();
    let expected = { streamId: '', revision: 1, position: 0 };
    tamper(dir, (db) => {
      const { streamId, rows } = streamWith(db, 3);
      expected = { streamId, revision: 1, position: rows[1].position };
      // Revision and position stay; what the rows hold trades places.
      const [a, b] = [rows[1].position, rows[2].position];
      db.prepare('UPDATE events SET position = -1 WHERE position = ?').run(a);
      db.prepare('UPDATE events SET position = ?, revision = -1 WHERE position = ?').run(a, b);
      db.prepare('UPDATE events SET position = ?, revision = 2 WHERE position = -1').run(b);
      db.prepare('UPDATE events SET revision = 1 WHERE revision = -1 AND stream_id = ?').run(streamId);
    });
    expect((await verify(dir)).firstBreak).toMatchObject({ kind: 'reordered', ...expected });
  });

  it('two events of a stream swapped in the global order only: reordered, at the one that came too early', async () => {
    const dir = copy();
    let expected = { streamId: '', revision: 2, position: 0 };
    tamper(dir, (db) => {
      const { streamId, rows } = streamWith(db, 3);
      const [a, b] = [rows[1].position, rows[2].position];
      expected = { streamId, revision: 2, position: a };
      db.prepare('UPDATE events SET position = -1 WHERE position = ?').run(a);
      db.prepare('UPDATE events SET position = ? WHERE position = ?').run(a, b);
      db.prepare('UPDATE events SET position = ? WHERE position = -1').run(b);
    });
    expect((await verify(dir)).firstBreak).toMatchObject({ kind: 'reordered', ...expected });
  });

  it('an event inserted by hand without any hash: inserted', async () => {
    const dir = copy();
    let expected = { streamId: '', revision: 0, position: 0 };
    tamper(dir, (db) => {
      const { streamId, rows } = streamWith(db, 2);
      const last = db.prepare('SELECT metadata FROM events WHERE stream_id = ? AND revision = ?').get(streamId, rows.length - 1) as { metadata: string };
      const { hash: _h, prevHash: _p, ...metadata } = JSON.parse(last.metadata);
      const info = db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run('hand-made', streamId, rows.length, 'CaseNoteAdded', JSON.stringify({ text: '补记' }), JSON.stringify({ ...metadata, eventId: 'hand-made' }), metadata.occurredAt);
      expected = { streamId, revision: rows.length, position: Number(info.lastInsertRowid) };
    });
    expect((await verify(dir)).firstBreak).toMatchObject({ kind: 'inserted', ...expected });
  });

  it('an event inserted with a correct-looking hash of its own: inserted, at the forged event', async () => {
    const dir = copy();
    let expected = { streamId: '', revision: 2, position: 0 };
    tamper(dir, (db) => {
      const { streamId } = streamWith(db, 4);
      const before = db.prepare('SELECT * FROM events WHERE stream_id = ? AND revision = 1').get(streamId) as { metadata: string };
      db.prepare('UPDATE events SET revision = revision + 1000 WHERE stream_id = ? AND revision >= 2').run(streamId);
      db.prepare('UPDATE events SET revision = revision - 999 WHERE stream_id = ? AND revision >= 1000').run(streamId);
      const metadata = { ...JSON.parse(before.metadata), eventId: 'forged-event', occurredAt: '2026-03-02T03:00:00.000Z' };
      const [forged] = sealEvents(streamId, 2, JSON.parse(before.metadata).hash, [{ type: 'CaseNoteAdded', data: { text: '已办结（伪造）' }, metadata }]);
      const info = db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata, occurred_at) VALUES (?, ?, 2, ?, ?, ?, ?)')
        .run('forged-event', streamId, forged.type, JSON.stringify(forged.data), JSON.stringify(forged.metadata), metadata.occurredAt);
      expected = { streamId, revision: 2, position: Number(info.lastInsertRowid) };
    });
    const report = await verify(dir);
    expect(report.firstBreak).toMatchObject({ kind: 'inserted', ...expected });
  });

  it('the strong forger (all of DATA_DIR, signing key included) re-hashes the stream and the tree: the auditor\'s checkpoint from before still catches it', async () => {
    const dir = copy();
    const auditorsCopy: SignedCheckpoint = JSON.parse(JSON.stringify(checkpoint)); // exported before the edit, kept outside
    tamper(dir, (db) => {
      const { streamId } = streamWith(db, 3);
      const rows = db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision').all(streamId) as
        { position: number; revision: number; type: string; data: string; metadata: string }[];
      let prevHash = JSON.parse(rows[0].metadata).hash as string;
      for (const row of rows.slice(1)) {
        const data = row.revision === 1 ? { ...JSON.parse(row.data), forged: '改过' } : JSON.parse(row.data);
        const { hash: _h, prevHash: _p, ...metadata } = JSON.parse(row.metadata);
        const [sealed] = sealEvents(streamId, row.revision, prevHash, [{ type: row.type, data, metadata: metadata as never }]);
        db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(JSON.stringify(sealed.data), JSON.stringify(sealed.metadata), row.position);
        prevHash = storedHash(sealed)!;
      }
    });
    for (const f of ['audit.sqlite', 'audit.sqlite-wal', 'audit.sqlite-shm']) rmSync(join(dir, f), { force: true });
    const store = openStore(dir);
    const forgedCheckpoint = await buildTree(store, dir); // re-signed with the key from DATA_DIR
    await store.close();

    const local = await verify(dir, forgedCheckpoint);
    expect(local.intact).toBe(true); // everything inside DATA_DIR agrees with itself…
    const audited = await verify(dir, auditorsCopy);
    expect(audited.checkpoint).toMatchObject({ matches: false, signatureValid: true, treeSize: checkpoint.treeSize });
    expect(audited.intact).toBe(false); // …but not with what the auditor kept
  });

  it('the hash of an event is its content: recomputing it gives what was written', async () => {
    const store = openStore(original);
    const [first] = await store.readAll({ limit: 1 });
    await store.close();
    expect(contentHash(first)).toBe(storedHash(first));
  });
});
