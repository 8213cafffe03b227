import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Directory } from '@civicloop/directory';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { AppConfig } from '@civicloop/platform';
import { openReadDatabase } from './database';
import { OrgLookup } from './org';
import { ReadModels } from './read-models';
import { viewSettings, ViewSettings } from './settings';

export function viewSettingsFromConfig(config: AppConfig): ViewSettings {
  const [response, resolution, satisfaction] = config.THREE_RATE_WEIGHTS.split(',').map(Number);
  return viewSettings({
    timeZone: config.TIME_ZONE,
    slaPolicyFile: config.SLA_POLICY_FILE,
    basicallySatisfiedWeight: config.BASICALLY_SATISFIED_WEIGHT,
    threeRateWeights: { response, resolution, satisfaction },
  });
}

/** PostgreSQL when DATABASE_URL is set (production), else the SQLite file under DATA_DIR. */
export async function createReadModels(config: AppConfig, store: EventStore, directory: Directory): Promise<ReadModels> {
  const rdb = openReadDatabase({ databaseUrl: config.DATABASE_URL, sqliteFile: config.readModelsFile });
  const models = new ReadModels(rdb, store, new OrgLookup(directory), viewSettingsFromConfig(config));
  await models.ensureSchema();
  return models;
}

@Injectable()
class CloseReadDatabase implements OnApplicationShutdown {
  constructor(@Inject(ReadModels) private readonly models: ReadModels) {}

  // After every module's onModuleDestroy, so the projection runners have committed and stopped.
  async onApplicationShutdown(): Promise<void> {
    await this.models.rdb.close();
  }
}

/** The read side shared by the API's views and the worker's projection runners (one instance per process). */
@Module({
  providers: [
    {
      provide: ReadModels,
      inject: [AppConfig, EVENT_STORE, Directory],
      useFactory: createReadModels,
    },
    CloseReadDatabase,
  ],
  exports: [ReadModels],
})
export class ReadModelsModule {}
