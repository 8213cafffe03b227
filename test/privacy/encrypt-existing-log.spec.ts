import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkHashOf, verifyLog } from '@civicloop/audit';
import { CaseRepository, CommandContext } from '@civicloop/cases';
import { CaseEvent } from '@civicloop/domain';
import {
  PersonalDataStore, PostgresEventStore, PostgresPersonalDataKeys, RecordedEvent, SqliteEventStore, SqlitePersonalDataKeys,
} from '@civicloop/event-store';
import { ManualClock, PERSONAL_DATA_POLICY } from '@civicloop/platform';
import { PersonalDataEncryption } from '../../apps/api/src/cli/migrate/encrypt-personal-data';
import { migrate } from '../../apps/api/src/cli/migrate/migrate';
import { startPostgres } from '../support/postgres-server';

const context: CommandContext = {
  actor: { id: 'op-1', role: 'operator', unitId: null }, commandId: 'c', correlationId: 'c', causationId: 'c',
};
const received = (caseId: string, description: string): CaseEvent => ({
  type: 'CaseReceived',
  data: {
    caseId, channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description,
    compoundId: 'compound-01', building: '3', unit: '东单元', lat: null, long: null, reporterName: '赵明月', reporterPhone: '13600002222',
    anonymous: false, residentId: null,
  },
});

/** A log written before this change: the gate sealed plain text (a repository without data keys). */
async function plainLog(file: string): Promise<void> {
  const store = new SqliteEventStore(file);
  const cases = new CaseRepository(store, new ManualClock(new Date('2026-01-05T02:00:00.000Z')));
  await cases.append('a', [received('a', '电梯困人三次仍未修好')], -1, context);
  await cases.append('b', [received('b', '地下车库积水没过脚踝')], -1, context);
  await cases.append('a', [{ type: 'CaseDispatched', data: { assigneeId: 'company-jinling', tier: 'grid' } }], 0, context);
  await cases.append('a', [{ type: 'CaseNoteAdded', data: { text: '赵明月来电：电梯困人三次仍未修好' } }], 1, context);
  await cases.append('a', [{ type: 'CaseAccepted', data: { assigneeId: 'company-jinling', tier: 'grid' } }], 2, context);
  await store.close();
}

describe('migrate --encrypt-personal-data: the log written in plain text, encrypted once, resumably', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'civicloop-encrypt-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('encrypts what residents wrote, re-seals from there with the old hashes recorded, resumes after a crash, and verifies', async () => {
    await plainLog(join(dir, 'plain.sqlite'));
    const source = new SqliteEventStore(join(dir, 'plain.sqlite'), { cachedEvents: 0 });
    const target = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = new SqlitePersonalDataKeys(join(dir, 'personal-data-keys.sqlite'));
    const options = { from: { name: 'plain', store: source }, to: { name: 'encrypted', store: target }, checkpointFile: join(dir, 'cp.json'), pageSize: 2 };
    try {
      // The first run dies after writing its second page, before its checkpoint: a new rewriter repeats that page.
      const crashed = new PersonalDataEncryption(keys, target);
      await expect(migrate({ ...options, rewrite: crashed.rewrite, afterPageWritten: (copied) => { if (copied > 2) throw new Error('killed'); } })).rejects.toThrow('killed');
      const resumed = new PersonalDataEncryption(keys, target);
      const done = await migrate({ ...options, rewrite: resumed.rewrite });
      expect(done.copied).toBe(5);
      expect(crashed.report.encrypted + resumed.report.encrypted).toBeGreaterThanOrEqual(3);
      expect(resumed.report.rechained).toBeGreaterThan(0);

      const before = await source.readAll();
      const after = await target.readAll();
      const text = JSON.stringify(after);
      for (const secret of ['电梯困人三次', '地下车库积水', '赵明月', '13600002222', '东单元']) expect(text).not.toContain(secret);
      expect(after.map((e) => [e.streamId, e.revision, e.metadata.eventId])).toEqual(before.map((e) => [e.streamId, e.revision, e.metadata.eventId]));
      // Each re-sealed event names the hash it had: an auditor holding an old checkpoint can follow it.
      const old = new Map(before.map((e) => [e.metadata.eventId, linkHashOf(e)]));
      for (const e of after) expect(e.metadata.rechainedFrom).toBe(old.get(e.metadata.eventId));
      expect(await verifyLog(target)).toMatchObject({ intact: true, unsealed: 0, events: 5 });

      const readable = new PersonalDataStore(target, keys, PERSONAL_DATA_POLICY);
      const shown = await readable.readStream('case-a');
      expect(shown.map((e: RecordedEvent) => e.data.description ?? e.data.text).filter(Boolean))
        .toEqual(['电梯困人三次仍未修好', '赵明月来电：电梯困人三次仍未修好']);

      // Run again over the encrypted log: nothing is plain any more, so nothing is rewritten.
      const again = new SqliteEventStore(join(dir, 'again.sqlite'));
      const rerun = new PersonalDataEncryption(keys, again);
      await migrate({ from: { name: 'encrypted', store: target }, to: { name: 'again', store: again }, checkpointFile: join(dir, 'cp2.json'), rewrite: rerun.rewrite });
      expect(rerun.report).toEqual({ encrypted: 0, rechained: 0, streams: 0 });
      await again.close();
    } finally {
      await keys.close();
      await source.close();
      await target.close();
    }
  });

  it('resumed after a power cut lost the key claims, seals the repeated page with the keys the target\'s copies name, and verifies', async () => {
    await plainLog(join(dir, 'plain.sqlite'));
    const source = new SqliteEventStore(join(dir, 'plain.sqlite'), { cachedEvents: 0 });
    const target = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keysFile = join(dir, 'personal-data-keys.sqlite');
    const options = { from: { name: 'plain', store: source }, to: { name: 'encrypted', store: target }, checkpointFile: join(dir, 'cp.json'), pageSize: 2 };
    const lost = new SqlitePersonalDataKeys(keysFile);
    let keys: SqlitePersonalDataKeys | undefined;
    try {
      const crashed = new PersonalDataEncryption(lost, target);
      await expect(migrate({ ...options, rewrite: crashed.rewrite, afterPageWritten: (copied) => { if (copied > 2) throw new Error('killed'); } })).rejects.toThrow('killed');
      await lost.close();
      // The keys were made ahead and fsynced; the claims (written without an fsync) are gone.
      const raw = new Database(keysFile);
      expect(raw.prepare('DELETE FROM case_keys').run().changes).toBeGreaterThan(0);
      raw.close();

      keys = new SqlitePersonalDataKeys(keysFile);
      const done = await migrate({ ...options, rewrite: new PersonalDataEncryption(keys, target).rewrite });
      expect(done.copied).toBe(5);
      expect(await verifyLog(target)).toMatchObject({ intact: true, unsealed: 0, events: 5 });
      const shown = await new PersonalDataStore(target, keys, PERSONAL_DATA_POLICY).readStream('case-a');
      expect(shown.map((e: RecordedEvent) => e.data.description ?? e.data.text).filter(Boolean))
        .toEqual(['电梯困人三次仍未修好', '赵明月来电：电梯困人三次仍未修好']);
    } finally {
      await lost.close();
      await keys?.close();
      await source.close();
      await target.close();
    }
  });

  it('into PostgreSQL (the built CLI): the keys go into its database, where the service reads them', async () => {
    await plainLog(join(dir, 'plain.sqlite'));
    const pg = await startPostgres();
    try {
      const url = await pg.createDatabase('encrypted');
      const env = { ...process.env, DATA_DIR: dir };
      const cli = spawnSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'apps', 'api', 'src', 'cli', 'migrate', 'main.js'),
        '--from', `sqlite:${join(dir, 'plain.sqlite')}`, '--to', url, '--encrypt-personal-data', '--no-progress', '--checkpoint', join(dir, 'cp.json')],
      { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
      expect([cli.status, cli.stderr]).toEqual([0, expect.any(String)]);
      expect(existsSync(join(dir, 'personal-data-keys.sqlite'))).toBe(false);
      const store = await PostgresEventStore.connect(url);
      const keys = await PostgresPersonalDataKeys.connect(url);
      try {
        const stored = await store.readStream('case-a');
        expect(JSON.stringify(stored)).not.toContain('赵明月');
        const shown = await new PersonalDataStore(store, keys, PERSONAL_DATA_POLICY).readStream('case-a');
        expect(shown[0].data).toMatchObject({ description: '电梯困人三次仍未修好', reporterName: '赵明月' });
      } finally {
        await keys.close();
        await store.close();
      }
    } finally {
      await pg.stop();
    }
  }, 90_000);
});
