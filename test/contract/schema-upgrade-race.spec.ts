import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { reapOnExit } from '../support/child-reaper';

/**
 * Replicas started together on one data directory each bring an older SQLite file up to date. CI
 * once failed here: two API processes both saw `idempotency.expires_ms` missing and both ran the
 * ALTER, so one died with "duplicate column name". Every check-and-alter must hold the write lock.
 */
const DIST = resolve(__dirname, '../../dist');
const PROCESSES = 6;
const ROUNDS = 2;

/** Each child loads everything, says so, waits for the go file, then opens every store on the shared files. */
const OPEN_ALL = `
const [dir] = process.argv.slice(1);
const { existsSync } = require('node:fs');
const Database = require('better-sqlite3');
const { SqliteIdempotencyStore } = require('${DIST}/apps/api/src/idempotency/sqlite-idempotency.store.js');
const { SqlitePersonalDataKeys } = require('${DIST}/libs/event-store/src/personal-data/sqlite-personal-data-keys.js');
const { DeadlineCheckpoint } = require('${DIST}/libs/consumers/src/deadlines/deadline-checkpoint.js');
const app = new Database(dir + '/app.sqlite');
app.pragma('busy_timeout = 5000');
process.stdout.write('ready\\n');
while (!existsSync(dir + '/go')) { /* the barrier: everyone opens at once */ }
new SqliteIdempotencyStore(app, { retainMs: 60000, inFlightMs: 60000 });
new DeadlineCheckpoint(app);
void new SqlitePersonalDataKeys(dir + '/keys.sqlite').close();
`;

/** A child that opens the stores once the go file appears; `ready` settles when it has loaded (or died). */
function openAllOnGo(dir: string): { ready: Promise<void>; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = reapOnExit(spawn(process.execPath, ['-e', OPEN_ALL, dir], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<{ code: number | null; stderr: string }>((done) => child.once('exit', (code) => done({ code, stderr })));
  const ready = new Promise<void>((done) => {
    child.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('ready')) done(); });
    void exited.then(() => done());
  });
  return { ready, exited };
}

/** The files as an older release left them: each table without the column added since. */
function writeOlderFiles(dir: string): void {
  const app = new Database(join(dir, 'app.sqlite'));
  app.pragma('journal_mode = WAL');
  app.exec(`CREATE TABLE idempotency (scope TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER, body TEXT, created_at TEXT NOT NULL);
    CREATE TABLE deadline_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)`);
  app.close();
  const keys = new Database(join(dir, 'keys.sqlite'));
  keys.pragma('journal_mode = WAL');
  keys.exec('CREATE TABLE case_keys (case_id TEXT PRIMARY KEY, key BLOB, created_at TEXT NOT NULL, erased_at TEXT)');
  keys.close();
}

const columnsOf = (file: string, table: string): string[] => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((c) => c.name);
  } finally {
    db.close();
  }
};

describe('schema upgrades by replicas starting together', () => {
  it(`${PROCESSES} processes open older files at the same instant, ${ROUNDS} rounds: all start, each column added once`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'civicloop-schema-race-'));
      try {
        if (round % 2 === 0) writeOlderFiles(dir); // odd rounds: brand-new files
        const children = Array.from({ length: PROCESSES }, () => openAllOnGo(dir));
        await Promise.all(children.map((c) => c.ready)); // every child loaded, however busy the machine
        writeFileSync(join(dir, 'go'), '');
        const results = await Promise.all(children.map((c) => c.exited));
        expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
        expect(columnsOf(join(dir, 'app.sqlite'), 'idempotency')).toContain('expires_ms');
        expect(columnsOf(join(dir, 'app.sqlite'), 'deadline_checkpoints')).toContain('event');
        expect(columnsOf(join(dir, 'keys.sqlite'), 'case_keys')).toContain('key_id');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 60_000);
});
