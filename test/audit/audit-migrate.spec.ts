import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore, catchUpAndSign, loadOrCreateSigningKey, SignedCheckpoint, verifyLog } from '@civicloop/audit';
import { connectEsdb, PostgresEventStore, SqliteEventStore } from '@civicloop/event-store';
import { verifyCommand } from '../../apps/api/src/cli/audit/verify-command';
import { PostgresServer, startPostgres } from '../support/postgres-server';
import { migrate } from '../../apps/api/src/cli/migrate/migrate';
import { EsdbStandIn, startEsdbStandIn } from '../esdb-stand-in/stand-in-server';
import { caseEvent } from '../contract/event-store.contract';
import { buildTree, openStore, simulatedDataDir } from './audit-fixture';

describe('the hashes travel through migrate and verify in the other store', () => {
  let dataDir: string;
  let elsewhere: string;
  let standIn: EsdbStandIn;
  let pg: PostgresServer;
  let checkpoint: SignedCheckpoint;

  beforeAll(async () => {
    dataDir = await simulatedDataDir(10);
    elsewhere = mkdtempSync(join(tmpdir(), 'civicloop-audit-migrated-'));
    const store = openStore(dataDir);
    checkpoint = await buildTree(store, dataDir);
    await store.close();
    standIn = await startEsdbStandIn();
    pg = await startPostgres();
  }, 90_000);
  afterAll(async () => {
    await standIn.stop();
    await pg.stop();
    [dataDir, elsewhere].forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('SQLite → EventStoreDB (stand-in) → SQLite: intact in each, and the checkpoint signed before still matches', async () => {
    const source = openStore(dataDir);
    const esdb = await connectEsdb(standIn.connectionString);
    const back = new SqliteEventStore(join(elsewhere, 'events.sqlite'));
    try {
      await migrate({ from: { name: 'sqlite', store: source }, to: { name: 'esdb', store: esdb }, checkpointFile: join(elsewhere, 'a.json'), pageSize: 50 });
      await migrate({ from: { name: 'esdb', store: esdb }, to: { name: 'back', store: back }, checkpointFile: join(elsewhere, 'b.json'), pageSize: 50 });
      for (const store of [esdb, back]) {
        const report = await verifyLog(store, { checkpoint });
        expect(report).toMatchObject({ intact: true, firstBreak: null, unsealed: 0, checkpoint: { matches: true, signatureValid: true } });
      }
    } finally {
      await Promise.all([source.close(), esdb.close(), back.close()]);
    }
  });

  it('SQLite → PostgreSQL: audit verify --store postgres://… is intact and matches the checkpoint', async () => {
    const source = openStore(dataDir);
    const url = await pg.createDatabase('audited');
    const postgres = await PostgresEventStore.connect(url);
    try {
      await migrate({ from: { name: 'sqlite', store: source }, to: { name: 'postgres', store: postgres }, checkpointFile: join(elsewhere, 'pg.json'), pageSize: 50 });
      expect(await verifyLog(postgres, { checkpoint })).toMatchObject({ intact: true, unsealed: 0, checkpoint: { matches: true } });
    } finally {
      await Promise.all([source.close(), postgres.close()]);
    }
    const kept = join(elsewhere, 'kept.json');
    writeFileSync(kept, JSON.stringify(checkpoint));
    const lines: string[] = [];
    expect(await verifyCommand({ store: url, checkpoint: kept, progress: false, json: false }, (line) => lines.push(line))).toBe(0);
    expect(lines.join('\n')).toMatch(/^INTACT: .*\n[\s\S]*matches, signature valid/);
  });

  it('the follower carries on over the migrated store from where its tree stood (positions moved, order kept)', async () => {
    copyFileSync(join(dataDir, 'audit.sqlite'), join(elsewhere, 'audit.sqlite'));
    const back = new SqliteEventStore(join(elsewhere, 'events.sqlite'));
    const audit = new AuditStore(join(elsewhere, 'audit.sqlite'));
    try {
      const stream = 'case-after-migration';
      await back.append(stream, [caseEvent(stream, 'CaseReceived', '2026-03-05T01:00:00.000Z')], 'no_stream');
      const later = await catchUpAndSign(back, audit, loadOrCreateSigningKey(join(dataDir, 'audit-signing-key.pem')), 20_000);
      expect(later?.treeSize).toBe(checkpoint.treeSize + 1);
      const report = await verifyLog(back, { checkpoint: later });
      expect(report.checkpoint).toMatchObject({ matches: true });
      expect((await verifyLog(back, { checkpoint })).checkpoint).toMatchObject({ matches: true });
    } finally {
      audit.close();
      await back.close();
    }
  });
});
