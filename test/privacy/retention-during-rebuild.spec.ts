import { join } from 'node:path';
import { loadConfig } from '@civicloop/platform';
import { BoardRebuilding, casesPastRetention, openReadDatabase, ReadDatabase, ReadModels } from '@civicloop/read-models';
import { PersonalDataRetention } from '@civicloop/consumers';
import { Fixture, startWritePath } from '../views/views-fixture';

/**
 * After an upgrade the board is rebuilt into a new generation while readers keep the old one, whose
 * tables lack the column the work list selects on (personal_data_erased_at came with board v5).
 * The hourly job must wait for the swap, not fail on every replica until then.
 */
describe('personal data retention while the board is being rebuilt', () => {
  let f: Fixture;
  let rdb: ReadDatabase;
  beforeAll(async () => {
    f = await startWritePath();
    rdb = openReadDatabase({ sqliteFile: join(f.dir, 'upgrading.sqlite') });
  });
  afterAll(async () => {
    await rdb?.close();
    await f?.close();
  });

  it('an older board version: the work list says so, the job erases nothing and reports that it waits', async () => {
    const models = new ReadModels(rdb, f.store, f.org, f.settings);
    await models.ensureSchema();
    expect(await casesPastRetention(models, '2030-01-01T00:00:00.000Z')).toEqual([]);

    await rdb.db.updateTable('projection_state').set({ version: 4 }).where('name', '=', 'board').execute();
    await expect(casesPastRetention(models, '2030-01-01T00:00:00.000Z')).rejects.toBeInstanceOf(BoardRebuilding);
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: f.dir, PERSONAL_DATA_RETENTION_DAYS: '30' });
    const retention = new PersonalDataRetention(config, models, f.bus, f.clock);
    expect(await retention.run()).toEqual({ erased: [], alreadyErased: 0, failed: [], waiting: 'the board is being rebuilt (version 4 → 5)' });
  });
});
