import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore, parseCheckpoint, SignedCheckpoint } from '@civicloop/audit';
import {
  EventStore, isPostgresConnectionString, PersonalDataKeys, PersonalDataStore, PostgresPersonalDataKeys, SqliteEventStore,
  SqlitePersonalDataKeys,
} from '@civicloop/event-store';
import { PERSONAL_DATA_POLICY } from '@civicloop/platform';
import { openStore } from '../migrate/open-store';

export interface SourceOptions {
  dataDir?: string;
  store?: string;
  checkpoint?: string;
}

/** The events to check: --store names any store migrate can open, --data-dir the embedded SQLite file. */
export async function openEvents({ dataDir, store }: SourceOptions): Promise<EventStore> {
  if (store) return openStore(store);
  const file = join(dataDir ?? process.env.DATA_DIR ?? './data', 'events.sqlite');
  if (!existsSync(file)) throw new UsageError(`no event store at ${file} (pass --data-dir DIR or --store URL)`);
  return new SqliteEventStore(file, { cachedEvents: 0 });
}

/**
 * The events as readers see them: residents' personal data decrypted with the keys the service
 * keeps (in a PostgreSQL store's database, else DATA_DIR/personal-data-keys.sqlite), or 已删除
 * where a key was destroyed or is absent.
 */
export async function readable(stored: EventStore, { dataDir, store }: SourceOptions): Promise<{ events: EventStore; close: () => Promise<void> }> {
  const keys: PersonalDataKeys = store && isPostgresConnectionString(store)
    ? await PostgresPersonalDataKeys.connect(store)
    : new SqlitePersonalDataKeys(join(dataDir ?? process.env.DATA_DIR ?? './data', 'personal-data-keys.sqlite'));
  return { events: new PersonalDataStore(stored, keys, PERSONAL_DATA_POLICY), close: () => keys.close() };
}

/** The follower's tree beside the events (DATA_DIR/audit.sqlite), when there is one. */
export function openAudit({ dataDir }: SourceOptions): AuditStore | null {
  const file = join(dataDir ?? process.env.DATA_DIR ?? './data', 'audit.sqlite');
  return existsSync(file) ? new AuditStore(file) : null;
}

/** The checkpoint to hold the log against: the auditor's file, else the latest the follower signed. */
export function chooseCheckpoint(options: SourceOptions, audit: AuditStore | null): { checkpoint: SignedCheckpoint | null; source: string } {
  if (options.checkpoint) {
    if (!existsSync(options.checkpoint)) throw new UsageError(`--checkpoint ${options.checkpoint}: no such file`);
    return { checkpoint: parseCheckpoint(readFileSync(options.checkpoint, 'utf8'), options.checkpoint), source: options.checkpoint };
  }
  return { checkpoint: audit?.latestCheckpoint() ?? null, source: 'the latest checkpoint in audit.sqlite' };
}

/** Bad arguments: exit 2, unlike a broken log (exit 1). */
export class UsageError extends Error {}
