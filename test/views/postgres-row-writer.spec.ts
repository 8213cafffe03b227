import { sql } from 'kysely';
import { createTable, openReadDatabase, ReadDatabase, Row, TableSpec, writeRows } from '@civicloop/read-models';
import { PostgresServer, startPostgres } from '../support/postgres-server';

jest.setTimeout(120_000);

const SPEC: TableSpec = {
  name: 'writer_check',
  columns: { case_id: 'text', seq: 'num', title: 'text', count: 'int', took_ms: 'num' },
  primaryKey: ['case_id', 'seq'],
};

/**
 * A rebuild's rows reach PostgreSQL as one JSON text per chunk; text that PostgreSQL's json cannot
 * turn into text (a lone surrogate) goes by the per-column arrays instead, and both upsert.
 */
describe('writeRows on PostgreSQL', () => {
  let pg: PostgresServer;
  let rdb: ReadDatabase;

  beforeAll(async () => {
    pg = await startPostgres();
    rdb = openReadDatabase({ databaseUrl: await pg.createDatabase('writer') });
    await createTable(rdb.db, 'postgres', SPEC, 1);
  });

  afterAll(async () => {
    await rdb?.close();
    await pg?.stop();
  });

  const read = async () => (await sql<Row>`select * from writer_check_g1 order by case_id, seq`.execute(rdb.db)).rows;
  const target = () => ({ db: rdb.db, dialect: 'postgres' as const });

  it('writes and then replaces rows, Chinese text, quotes, backslashes and nulls intact', async () => {
    // One chunk as JSON (nothing in it needs the array path), then one that matches the array path's test.
    const asJson: Row[] = [
      { case_id: 'b1', seq: 1, title: '朝阳区 "噪音" 投诉 \\ 路径 C:\\x', count: 3, took_ms: 1.5 },
      { case_id: 'b2', seq: 1, title: null, count: 0, took_ms: 86_400_000 },
    ];
    const asArrays: Row[] = [{ case_id: 'b1', seq: 2, title: 'a\\ud800 is six characters, {"x": [1]}', count: null, took_ms: null }];
    await writeRows(target(), SPEC, 1, asJson);
    await writeRows(target(), SPEC, 1, asArrays);
    expect(await read()).toEqual([asJson[0], asArrays[0], asJson[1]]);
    await writeRows(target(), SPEC, 1, [{ case_id: 'b1', seq: 1, title: '已办结', count: 4, took_ms: 2 }]);
    expect((await read())[0]).toEqual({ case_id: 'b1', seq: 1, title: '已办结', count: 4, took_ms: 2 });
  });

  it('writes a lone surrogate as U+FFFD instead of failing the chunk', async () => {
    await writeRows(target(), SPEC, 1, [
      { case_id: 'c1', seq: 1, title: 'half \ud83d pair', count: 1, took_ms: 1 },
      { case_id: 'c2', seq: 1, title: '整齐 😀', count: 2, took_ms: 2 },
    ]);
    const titles = (await read()).filter((r) => String(r.case_id).startsWith('c')).map((r) => r.title);
    expect(titles).toEqual(['half \ufffd pair', '整齐 😀']);
  });

  it('a NUL a resident typed is written as U+FFFD and a non-finite number as NULL, on either path, instead of failing the batch', async () => {
    await writeRows(target(), SPEC, 1, [
      { case_id: 'd1', seq: 1, title: '漏水\u0000了', count: 1, took_ms: Number.NaN },
      { case_id: 'd2', seq: 1, title: '无碍', count: 2, took_ms: Number.POSITIVE_INFINITY },
    ]);
    await writeRows(target(), SPEC, 1, [{ case_id: 'd3', seq: 1, title: '整齐', count: 3, took_ms: Number.NaN }]);
    const rows = (await read()).filter((r) => String(r.case_id).startsWith('d')).map((r) => [r.title, r.took_ms]);
    expect(rows).toEqual([['漏水\ufffd了', null], ['无碍', null], ['整齐', null]]);
  });
});
