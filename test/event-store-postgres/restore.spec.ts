import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore, RecordedEvent } from '@civicloop/event-store';
import { caseEvent, eventually } from '../contract/event-store.contract';
import { BIN, PostgresServer, startPostgres } from '../support/postgres-server';

jest.setTimeout(90_000);

const at = (second: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, second)).toISOString();

/**
 * Positions come from transaction ids, which belong to a server. A logical dump restored onto a
 * fresh server brings positions ahead of that server's ids: without care every restored event
 * would stay above its visibility horizon (readAll returns nothing) and new events would get
 * positions below the restored ones (subscribers past them would never see them).
 */
describe('PostgreSQL event store: events restored from a pg_dump onto another server', () => {
  let old: PostgresServer;
  let fresh: PostgresServer;
  let dir: string;
  beforeAll(async () => {
    [old, fresh] = [await startPostgres(), await startPostgres()];
    dir = mkdtempSync(join(tmpdir(), 'civicloop-pg-restore-'));
  });
  afterAll(async () => {
    await old?.stop();
    await fresh?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every position, continues after the newest, and a subscriber resumes from its old checkpoint', async () => {
    const source = await PostgresEventStore.connect(await old.createDatabase('events'));
    // 300 transactions: the old server's ids run well ahead of the fresh one's.
    for (let i = 0; i < 300; i++) await source.append(`case-${i % 30}`, [caseEvent(`case-${i % 30}`, `Step${i}`, at(i % 60))], 'any');
    const before = await source.readAll({ limit: 1000 });
    const checkpoint = before[before.length - 1].position; // where a projection stood at the backup
    await source.close();

    const dump = join(dir, 'events.sql');
    execFileSync(`${BIN}/pg_dump`, ['-h', '127.0.0.1', '-p', String(old.port), '-U', 'postgres', '-d', 'events', '-f', dump]);
    const url = await fresh.createDatabase('restored');
    execFileSync(`${BIN}/psql`, ['-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(fresh.port), '-U', 'postgres', '-d', 'restored', '-f', dump]);

    const warnings: string[] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    let store: PostgresEventStore;
    try {
      store = await PostgresEventStore.connect(url);
    } finally {
      warn.mockRestore();
    }
    expect(warnings.join('\n')).toContain(`new positions continue after ${checkpoint}`);
    try {
      const restored = await store.readAll({ limit: 1000 });
      expect(restored.map((e) => [e.metadata.eventId, e.position])).toEqual(before.map((e) => [e.metadata.eventId, e.position]));

      const seen: RecordedEvent[] = [];
      const subscription = store.subscribeToAll({ after: checkpoint, handler: (e) => { seen.push(e); } });
      const appended = await store.append('case-after-restore', [caseEvent('case-after-restore', 'CaseReceived', at(0))], 'no_stream');
      expect(appended.position).toBeGreaterThan(checkpoint);
      await eventually(() => seen.length === 1, 'the new event past the old checkpoint');
      await subscription.stop();
      expect(seen[0].position).toBe(appended.position);
    } finally {
      await store.close();
    }
    // A second start finds nothing to move.
    const again = jest.spyOn(console, 'warn');
    try {
      await (await PostgresEventStore.connect(url)).close();
      expect(again).not.toHaveBeenCalled();
    } finally {
      again.mockRestore();
    }
  });
});
