import { PersonalDataRetention } from '@civicloop/consumers';
import { BOARD_TABLE, ReadModels } from '@civicloop/read-models';
import { ApiHarness, startApi } from '../support/api-harness';

const DAY = 86_400_000;

/** The retention job on a real API (projections in process), its clock moved by the test. */
describe('PERSONAL_DATA_RETENTION_DAYS: the personal data of cases closed long enough ago is erased, once', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({ WORKER_IN_PROCESS: 'true', PERSONAL_DATA_RETENTION_DAYS: '30' });
  });
  afterAll(async () => {
    await api?.close();
  });

  async function newCase(description: string): Promise<string> {
    const answer = await api.request('POST', '/cases', {
      token: api.token('operator'),
      body: {
        channel: 'phone', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description,
        location: { compoundId: 'compound-01', building: '3', unit: '2单元' }, reporter: { name: '李先生', phone: '13700001111' },
      },
    });
    expect(answer.status).toBe(201);
    return answer.body.id;
  }
  const close = async (id: string) => (await api.request('POST', `/cases/${id}/close`, { token: api.token('operator'), body: { reason: '居民撤诉' } })).body;
  const read = async (id: string) => (await api.request('GET', `/cases/${id}`, { token: api.token('operator') })).body;
  const revisions = async (ids: string[]) => Promise.all(ids.map(async (id) => (await api.request('GET', `/cases/${id}/events`, { token: api.token('operator') })).body.length));

  it('erases cases closed before the limit, leaves the others, and a second run changes nothing', async () => {
    const old = await newCase('四十天前结案的漏水');
    await close(old);
    // A resident's own words may read exactly what an erasure leaves: still erased.
    const literal = await newCase('已删除');
    await close(literal);
    api.clock.set(new Date(api.clock.now().getTime() + 20 * DAY));
    const recent = await newCase('二十天前结案的漏水');
    const answer = await close(recent);
    const open = await newCase('仍在办理的漏水');
    api.clock.set(new Date(api.clock.now().getTime() + 20 * DAY + 60_000));
    expect((await api.request('GET', `/views/board?consistentWith=${answer.position + 1}`, { token: api.token('operator') })).status).toBe(200);

    // A board row with no case behind it (a stale read model), closed first: its erasure fails, the others still go.
    const models = api.app.get(ReadModels, { strict: false });
    const table = (await models.tables('board'))(BOARD_TABLE.name);
    const row = await models.db.selectFrom(table).selectAll().where('case_id', '=', old).executeTakeFirstOrThrow();
    await models.db.insertInto(table).values({ ...row, case_id: 'ghost-case', closed_at: '2000-01-01T00:00:00.000Z' }).execute();

    const retention = api.app.get(PersonalDataRetention, { strict: false });
    const before = await revisions([old, literal, recent, open]);
    const first = await retention.run();
    expect({ ...first, erased: [...first.erased].sort() }).toEqual({ erased: [old, literal].sort(), alreadyErased: 0, failed: ['ghost-case'] });
    expect(await read(old)).toMatchObject({ description: '已删除', status: 'closed', category: 'repair.water_leak' });
    expect((await read(literal)).reporter).toMatchObject({ name: '已删除', phone: '已删除' });
    expect((await read(recent)).description).toBe('二十天前结案的漏水');
    expect((await read(open)).description).toBe('仍在办理的漏水');
    const after = await revisions([old, literal, recent, open]);
    expect(after).toEqual([before[0] + 1, before[1] + 1, before[2], before[3]]);

    // Run again at once (the board may not have the erasure yet) and after it has: nothing changes.
    const second = await retention.run();
    expect(second.erased).toEqual([]);
    const lastPosition = async (id: string): Promise<number> => (await api.request('GET', `/cases/${id}/events`, { token: api.token('operator') })).body.at(-1).position;
    const position = Math.max(await lastPosition(old), await lastPosition(literal));
    expect((await api.request('GET', `/views/board?consistentWith=${position}`, { token: api.token('operator') })).status).toBe(200);
    expect(await retention.run()).toEqual({ erased: [], alreadyErased: 0, failed: ['ghost-case'] });
    expect(await revisions([old, literal, recent, open])).toEqual(after);
  });
});
