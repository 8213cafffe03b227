import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { Directory } from '@civicloop/directory';
import {
  EVENT_STORE, EventStore, KeyMaker, PERSONAL_DATA_KEYS, PersonalDataKeys, PersonalDataStore, randomKeyMaker,
} from '@civicloop/event-store';
import { PERSONAL_DATA_POLICY } from './personal-data-policy';
import { AppConfig } from './app-config';
import { CLOCK, Clock, systemClock } from './clock';
import { createEventStore, openPersonalDataKeys } from './event-store.factory';
import { ID_GENERATOR, IdGenerator, randomIdGenerator } from './id-generator';
import { REDIS_NAMESPACE, redisNamespaceProvider } from './store-identity';

export const APP_STATE_DB = Symbol('AppStateDb');

export interface InfrastructureOptions {
  config: AppConfig;
  clock?: Clock;
  idGenerator?: IdGenerator;
  /** How a case's data key is made: at random, or derived from the simulator's seed. */
  keyMaker?: KeyMaker;
}

class ShutdownHooks implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore, @Inject(APP_STATE_DB) private readonly db: Database.Database,
    @Inject(PERSONAL_DATA_KEYS) private readonly keys: PersonalDataKeys,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.keys.close();
    this.db.close();
  }
}

/** Process-wide adapters: configuration, clock, directory, event store, the app's own state file. */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot({ config, clock = systemClock, idGenerator = randomIdGenerator, keyMaker = randomKeyMaker }: InfrastructureOptions): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: ID_GENERATOR, useValue: idGenerator },
        { provide: Directory, useFactory: () => Directory.fromFile(config.DIRECTORY_FILE) },
        {
          provide: PERSONAL_DATA_KEYS,
          // Beside the events: in their PostgreSQL database when they live there, else a file in DATA_DIR.
          useFactory: () => openPersonalDataKeys(config, keyMaker),
        },
        // Every reader gets residents' personal data decrypted (or erased); the stored bytes stay ciphertext.
        {
          provide: EVENT_STORE,
          inject: [PERSONAL_DATA_KEYS],
          useFactory: async (keys: PersonalDataKeys) => new PersonalDataStore(await createEventStore(config), keys, PERSONAL_DATA_POLICY),
        },
        {
          provide: APP_STATE_DB,
          useFactory: () => {
            mkdirSync(config.DATA_DIR, { recursive: true });
            const db = new Database(config.appStateFile);
            db.pragma('journal_mode = WAL');
            return db;
          },
        },
        redisNamespaceProvider,
        ShutdownHooks,
      ],
      exports: [AppConfig, CLOCK, ID_GENERATOR, Directory, EVENT_STORE, PERSONAL_DATA_KEYS, APP_STATE_DB, REDIS_NAMESPACE],
    };
  }
}
