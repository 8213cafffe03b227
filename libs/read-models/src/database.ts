import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Pool, types } from 'pg';

export type Dialect = 'sqlite' | 'postgres';

/** Read models are dynamic (versioned table names), so the builder is untyped by design. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ReadDb = Kysely<any>;

export interface ReadDatabase {
  db: ReadDb;
  dialect: Dialect;
  /** SQLite only: the connection under `db`, for the projections' prepared statements. */
  sqlite?: Database.Database;
  close(): Promise<void>;
}

export interface ReadDatabaseOptions {
  /** PostgreSQL in production; when absent, the embedded SQLite file. */
  databaseUrl?: string;
  sqliteFile?: string;
  poolSize?: number;
}

// Positions, counts and millisecond figures fit in a double; strings for BIGINT would leak into views.
const int8 = (value: string) => Number(value);
const numeric = (value: string) => Number(value);

export function openReadDatabase(options: ReadDatabaseOptions): ReadDatabase {
  if (options.databaseUrl) {
    const pool = new Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 5,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === 20) return int8;
          if (oid === 1700) return numeric;
          return types.getTypeParser(oid, format as 'text');
        }) as typeof types.getTypeParser,
      },
    });
    // An idle client whose server went away must not crash the process; the pool replaces it.
    pool.on('error', (error) => console.warn(`read-model database: idle connection lost (${error.message})`));
    const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const file = options.sqliteFile ?? ':memory:';
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // Read models are rebuildable from the event log, so NORMAL (crash-safe, not power-cut-safe) is enough.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  // An erased resident's words must not linger in freed space of the file (PIPL): zero it when freed.
  sqlite.pragma('secure_delete = ON');
  // 64 MB of page cache instead of 2: the projections' upserts and the views' reads land on random
  // pages of tables and indexes that outgrow 2 MB early, and each miss is a read from the file.
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', sqlite, close: () => db.destroy() };
}
