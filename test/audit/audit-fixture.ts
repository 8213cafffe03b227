import Database from 'better-sqlite3';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore, catchUpAndSign, loadOrCreateSigningKey, SignedCheckpoint } from '@civicloop/audit';
import { EventStore, SqliteEventStore } from '@civicloop/event-store';
import { loadConfig } from '@civicloop/platform';
import { simulateDistrict } from '../../apps/simulator/src/simulate';

/** A district played through the real command path into a fresh DATA_DIR. */
export async function simulatedDataDir(cases = 12): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-audit-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir });
  await simulateDistrict({ config, seed: 7, cases, days: 3, start: new Date('2026-03-02T00:00:00+08:00') });
  return dataDir;
}

/** Runs the chain follower over a store until every event is in the tree, then signs a checkpoint. */
export async function buildTree(store: EventStore, dataDir: string): Promise<SignedCheckpoint> {
  const audit = new AuditStore(join(dataDir, 'audit.sqlite'));
  try {
    const checkpoint = await catchUpAndSign(store, audit, loadOrCreateSigningKey(join(dataDir, 'audit-signing-key.pem')), 20_000);
    if (!checkpoint) throw new Error('no checkpoint');
    return checkpoint;
  } finally {
    audit.close();
  }
}

/** A copy of a data directory to tamper with. */
export function copyDataDir(dataDir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'civicloop-tampered-'));
  cpSync(dataDir, copy, { recursive: true });
  return copy;
}

/** Raw access to the SQLite file, as someone with the disk has it. */
export function rawEvents(dataDir: string): Database.Database {
  return new Database(join(dataDir, 'events.sqlite'));
}

export const openStore = (dataDir: string) => new SqliteEventStore(join(dataDir, 'events.sqlite'), { cachedEvents: 0 });

/** A stream with at least `n` events, and its rows. */
export function streamWith(db: Database.Database, n: number): { streamId: string; rows: { position: number; revision: number; data: string }[] } {
  const row = db.prepare('SELECT stream_id FROM events GROUP BY stream_id HAVING COUNT(*) >= ? ORDER BY MIN(position) LIMIT 1').get(n) as { stream_id: string };
  const rows = db.prepare('SELECT position, revision, data FROM events WHERE stream_id = ? ORDER BY revision').all(row.stream_id) as { position: number; revision: number; data: string }[];
  return { streamId: row.stream_id, rows };
}
