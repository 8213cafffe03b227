import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CasesCoreModule, CaseRepository } from '@civicloop/cases';
import { Directory } from '@civicloop/directory';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { InfrastructureModule, loadConfig, ManualClock } from '@civicloop/platform';
import {
  ALL_PROJECTIONS, openReadDatabase, OrgLookup, ProjectionRunner, ReadDatabase, ReadModels, ViewSettings, viewSettings,
} from '@civicloop/read-models';

@Module({ imports: [CasesCoreModule] })
class WritePathModule {}

export interface Fixture {
  dir: string;
  context: INestApplicationContext;
  bus: CommandBus;
  cases: CaseRepository;
  directory: Directory;
  store: EventStore;
  clock: ManualClock;
  settings: ViewSettings;
  org: OrgLookup;
  close(): Promise<void>;
}

/** The real write path (CommandBus → decider → event store, SQLite unless `env` names another) with a manual clock. */
export async function startWritePath(start = '2026-01-26T02:00:00.000Z', env: Record<string, string> = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-views-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, ...env });
  const clock = new ManualClock(new Date(start));
  const context = await NestFactory.createApplicationContext(
    { module: class Root {}, imports: [InfrastructureModule.forRoot({ config, clock }), CqrsModule.forRoot(), WritePathModule] },
    { logger: false },
  );
  await context.init();
  const directory = context.get(Directory);
  const settings: ViewSettings = viewSettings();
  return {
    dir, context, clock, directory, settings,
    bus: context.get(CommandBus),
    cases: context.get(CaseRepository),
    store: context.get<EventStore>(EVENT_STORE),
    org: new OrgLookup(directory),
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A read side (SQLite file or PostgreSQL) with one runner per projection following the store. */
export async function startReadSide(f: Fixture, options: { databaseUrl?: string; sqliteFile?: string; owner: string; leaseMs?: number }) {
  const rdb: ReadDatabase = openReadDatabase(options);
  const models = new ReadModels(rdb, f.store, f.org, f.settings);
  await models.ensureSchema();
  const runners = ALL_PROJECTIONS.map((p) => new ProjectionRunner(rdb, f.store, p, models.env, {
    owner: options.owner, leaseMs: options.leaseMs ?? 10_000, retryMs: 100, batchSize: 200,
  }));
  return { rdb, models, runners };
}
