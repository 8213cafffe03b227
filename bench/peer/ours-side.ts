import { randomUUID } from 'node:crypto';
import { Actor, CaseCommand } from '@civicloop/domain';
import { CalendarRegistry, CaseRepository, ChosenDatesInWorkingTime, ExecuteCaseCommand, ExecuteCaseCommandHandler } from '@civicloop/cases';
import { Directory } from '@civicloop/directory';
import { NewEvent, SqliteEventStore } from '@civicloop/event-store';
import { loadConfig, systemClock } from '@civicloop/platform';
import {
  BOARD_TABLE, boardProjection, OrgLookup, openReadDatabase, physicalName, Projection, ReadModels, rebuildProjections, viewSettings,
} from '@civicloop/read-models';

/** The one gate (libs/cases) over our SQLite adapter, built as the service builds it, without Nest around it. */
export function openOurGate(dir: string, eventsFile: string, directory: Directory) {
  const store = new SqliteEventStore(eventsFile);
  const cases = new CaseRepository(store, systemClock);
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir });
  const calendars = new CalendarRegistry(store, systemClock);
  const gate = new ExecuteCaseCommandHandler(cases, directory, config, new ChosenDatesInWorkingTime(calendars), calendars);
  return {
    store,
    command: async (caseId: string, command: CaseCommand, actor: Actor) => {
      const id = randomUUID();
      await gate.execute(new ExecuteCaseCommand(caseId, command, { actor, commandId: id, correlationId: id, causationId: id }));
    },
  };
}

export async function ourAppend(store: SqliteEventStore, streamId: string, event: NewEvent, expected: number | 'no_stream'): Promise<void> {
  await store.append(streamId, [event], expected);
}

/** Our board projection alone (libs/read-models), rebuilt from the start of the log into a fresh read database. */
export async function ourRebuild(eventsFile: string, readFile: string, directory: Directory, batchSize: number): Promise<{ seconds: number; rows: number }> {
  const store = new SqliteEventStore(eventsFile);
  const rdb = openReadDatabase({ sqliteFile: readFile });
  const board: Projection = boardProjection as Projection;
  const models = new ReadModels(rdb, store, new OrgLookup(directory), viewSettings(), [board]);
  try {
    await models.ensureSchema();
    const started = performance.now();
    const [result] = await rebuildProjections(rdb, store, [board], models.env, { batchSize });
    const seconds = (performance.now() - started) / 1000;
    const rows = await rdb.db.selectFrom(physicalName(BOARD_TABLE.name, result.generation)).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    return { seconds, rows: Number(rows?.n ?? 0) };
  } finally {
    await rdb.close();
    await store.close();
  }
}
