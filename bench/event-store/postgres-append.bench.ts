import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { NewEvent, PostgresEventStore } from '@civicloop/event-store';
import { startPostgres } from '../../test/support/postgres-server';
import { figure, round, writeResult } from '../harness/result';

/** Seconds each writer kind runs per configuration, in SLICES alternating slices. */
const SECONDS = Number(process.env.BENCH_PG_SECONDS ?? 6);
const SLICES = 4;
const CATCH_UP_ROUNDS = 4;
const EVENTS_PER_STREAM = 20;

/** An event shaped like a real one (as append.bench.ts writes them). */
function event(streamId: string, i: number): NewEvent {
  const commandId = randomUUID();
  return {
    type: 'CaseNoteAdded',
    data: { text: `note ${i}: 已上门查看，正在协调维修`, by: 'user-handler-grid-111', urgency: 'normal', tags: ['repair', 'lift'] },
    metadata: {
      eventId: randomUUID(), streamId, caseId: streamId.slice(5), occurredAt: new Date(1_790_000_000_000 + i * 1000).toISOString(),
      actor: { id: 'user-handler-grid-111', role: 'handler', unitId: 'grid-111' },
      commandId, correlationId: commandId, causationId: commandId, schemaVersion: 1,
    },
  };
}

type Write = (streamId: string, expected: number | 'no_stream', events: NewEvent[]) => Promise<unknown>;

/** `writers` loops appending `size`-event commits to their own streams for `ms`; returns commits done. */
async function drive(write: Write, writers: number, size: number, ms: number, tag: string): Promise<number> {
  const end = Date.now() + ms;
  const perStream = Math.max(1, Math.floor(EVENTS_PER_STREAM / size));
  let commits = 0;
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    for (let c = 0; Date.now() < end; c++) {
      const streamId = `case-${tag}-${w}-${Math.floor(c / perStream)}`;
      const first = (c % perStream) * size;
      await write(streamId, first === 0 ? 'no_stream' : first - 1, Array.from({ length: size }, (_, k) => event(streamId, first + k)));
      commits += 1;
    }
  }));
  return commits;
}

/** The floor: the same rows into a table of the same shape and indexes, one multi-row INSERT per commit, no checks. */
function rawInsert(pool: Pool, table: string, lockFirst: boolean): Write {
  return async (streamId, expected, events) => {
    const base = expected === 'no_stream' ? 0 : expected + 1;
    const values: unknown[] = [];
    const rows = events.map((e, i) => {
      values.push(e.metadata.eventId, streamId, base + i, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), e.metadata.occurredAt);
      const p = i * 7;
      return `(nextval('${table}_position'), $${p + 1}, $${p + 2}, $${p + 3}::bigint, $${p + 4}, $${p + 5}::json, $${p + 6}::json, $${p + 7})`;
    });
    const columns = '(position, event_id, stream_id, revision, type, data, metadata, occurred_at)';
    // The alternative to positions.ts's scheme: one lock taken before the insert and held through COMMIT.
    const text = lockFirst
      ? `WITH serial AS (SELECT pg_advisory_xact_lock(19)) INSERT INTO ${table} ${columns} SELECT v.* FROM serial, (VALUES ${rows.join(', ')}) AS v`
      : `INSERT INTO ${table} ${columns} VALUES ${rows.join(', ')}`;
    await pool.query({ name: `${table}-${events.length}`, text, values });
  };
}

async function main(): Promise<void> {
  const server = await startPostgres({ durable: true });
  try {
    const url = await server.createDatabase('bench');
    const store = await PostgresEventStore.connect(url, { poolSize: 16 });
    const pool = new Pool({ connectionString: url, max: 16 });
    for (const table of ['raw_events', 'serial_events']) {
      await pool.query(`CREATE TABLE ${table} (LIKE events INCLUDING ALL); CREATE SEQUENCE ${table}_position`);
    }
    const adapter: Write = (streamId, expected, events) => store.append(streamId, events, expected);
    const writers = {
      adapter,
      raw: rawInsert(pool, 'raw_events', false),
      serialized: rawInsert(pool, 'serial_events', true),
    };
    const rates: Record<string, number> = {};
    let run = 0;
    for (const [size, concurrency] of [[1, 1], [1, 16], [10, 1], [10, 16]] as const) {
      const kinds = concurrency === 16 ? ['adapter', 'raw', 'serialized'] as const : ['adapter', 'raw'] as const;
      const commits: Record<string, number> = {};
      // Slices in alternating order, so whatever else the machine does falls on each kind alike.
      for (let slice = 0; slice < SLICES; slice++) {
        for (const kind of slice % 2 ? [...kinds].reverse() : kinds) {
          commits[kind] = (commits[kind] ?? 0) + await drive(writers[kind], concurrency, size, (SECONDS * 1000) / SLICES, `${kind}-${run++}`);
        }
      }
      for (const kind of kinds) rates[`${kind}/${size}/${concurrency}`] = commits[kind] / SECONDS;
    }

    // Catch-up: a subscription from the start of $all over everything written above, against raw paged SELECTs.
    const total = Number((await pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
    const catchUp = { adapter: 0, raw: 0 };
    // One untimed pass of each first: the first reader pays for planning and a cold cache.
    await subscribeThrough(store, total);
    await pageThrough(pool, total);
    for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
      for (const kind of round % 2 ? ['raw', 'adapter'] as const : ['adapter', 'raw'] as const) {
        const began = process.hrtime.bigint();
        if (kind === 'adapter') await subscribeThrough(store, total);
        else await pageThrough(pool, total);
        catchUp[kind] += Number(process.hrtime.bigint() - began) / 1e9;
      }
    }
    await store.close();
    await pool.end();

    const baseline = 'raw multi-row INSERT per commit into a table of the same shape and indexes, same server, same durability';
    const appendFigure = (size: number, concurrency: number) => {
      const value = rates[`adapter/${size}/${concurrency}`];
      const base = rates[`raw/${size}/${concurrency}`];
      return figure({
        figure: `PostgreSQL adapter append, ${size === 1 ? '1 event' : `${size}-event batch`} per commit, ${concurrency} writer${concurrency > 1 ? 's' : ''}`,
        unit: 'commits/s', value: round(value, 0), baseline, baselineValue: round(base, 0), target: 'ratio >= 0.8', met: value / base >= 0.8,
      });
    };
    const serialFigure = (size: number) => figure({
      figure: `serialized positions (advisory lock held to COMMIT), ${size === 1 ? '1 event' : `${size}-event batch`} per commit, 16 writers`,
      unit: 'commits/s', value: round(rates[`serialized/${size}/16`], 0), baseline, baselineValue: round(rates[`raw/${size}/16`], 0),
    });
    const file = writeResult({
      name: 'event-store-postgres',
      versions: { postgresql: '15', pg: require('pg/package.json').version as string },
      settings: {
        durability: 'fsync=on, synchronous_commit=on, full_page_writes=on; data directory on the machine disk (not tmpfs)',
        secondsPerKindAndConfiguration: SECONDS, interleaving: `${SLICES} slices per configuration, kinds in alternating order; catch-up: one untimed pass each, then alternating rounds`,
        eventsPerStream: EVENTS_PER_STREAM, poolSize: 16, catchUpEvents: total, catchUpRounds: CATCH_UP_ROUNDS,
      },
      figures: [
        appendFigure(1, 1), appendFigure(1, 16), appendFigure(10, 1), appendFigure(10, 16),
        serialFigure(1), serialFigure(10),
        figure({
          figure: 'subscription catch-up from the start of $all (handler does nothing)', unit: 'events/s',
          value: round((total * CATCH_UP_ROUNDS) / catchUp.adapter, 0),
          baseline: 'raw SELECT pages of 500 by position (no horizon), rows parsed the same way', baselineValue: round((total * CATCH_UP_ROUNDS) / catchUp.raw, 0),
        }),
      ],
      notes: [
        'Positions are transaction id × 4096 + index with a visibility horizon (libs/event-store/src/postgres/positions.ts); the serialized rows show what the alternative, one lock from allocation through COMMIT, does to concurrent writers.',
      ],
    });
    console.log(`wrote ${file}`);
  } finally {
    await server.stop();
  }
}

function subscribeThrough(store: PostgresEventStore, total: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const subscription = store.subscribeToAll({
      handler: () => {
        seen += 1;
        if (seen === total) void subscription.stop().then(resolve);
      },
      onError: reject,
    });
  });
}

async function pageThrough(pool: Pool, total: number): Promise<void> {
  let after = -1;
  for (let seen = 0; seen < total;) {
    const { rows } = await pool.query<{ position: string }>({
      name: 'raw-page', text: 'SELECT position, stream_id, revision, type, data, metadata FROM events WHERE position > $1 ORDER BY position LIMIT 500', values: [after],
    });
    if (rows.length === 0) throw new Error(`raw paging ended at ${seen} of ${total}`);
    seen += rows.length;
    after = Number(rows[rows.length - 1].position);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
