import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NewEvent, SqliteEventStore } from '@civicloop/event-store';
import { figure, round, writeResult } from '../harness/result';

const SINGLE_COMMITS = Number(process.env.BENCH_APPEND_COMMITS ?? 8000);
const BATCHES = Number(process.env.BENCH_APPEND_BATCHES ?? 3000);
const BATCH_SIZE = 10;
const EVENTS_PER_STREAM = 20;

/** An event shaped like a real one: a dozen data fields and the full metadata. */
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

/** Events per commit → batches of `size` events, `EVENTS_PER_STREAM` per stream, like short case histories. */
function workload(commits: number, size: number): { streamId: string; expected: number | 'no_stream'; events: NewEvent[] }[] {
  const out = [];
  const perStream = Math.max(1, Math.floor(EVENTS_PER_STREAM / size));
  for (let c = 0; c < commits; c++) {
    const streamId = `case-${Math.floor(c / perStream)}-${size}`;
    const first = (c % perStream) * size;
    out.push({
      streamId,
      expected: first === 0 ? 'no_stream' as const : first - 1,
      events: Array.from({ length: size }, (_, k) => event(streamId, first + k)),
    });
  }
  return out;
}

const CHUNKS = 8;

type Work = ReturnType<typeof workload>;

/** The adapter under test: each commit is one SqliteEventStore.append. */
function adapterWriter(file: string) {
  const store = new SqliteEventStore(file);
  return {
    write: async (work: Work) => { for (const w of work) await store.append(w.streamId, w.events, w.expected); },
    close: () => store.close(),
  };
}

/** The floor: the same rows into the same table, same pragmas, one transaction per commit, no checks. */
function rawWriter(file: string) {
  new SqliteEventStore(file).close(); // creates the very same schema
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insert = db.prepare(`INSERT INTO events (event_id, stream_id, revision, type, data, metadata, occurred_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const commit = db.transaction((w: Work[number]) => {
    let revision = w.expected === 'no_stream' ? -1 : w.expected;
    for (const e of w.events) {
      insert.run(e.metadata.eventId, w.streamId, ++revision, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), e.metadata.occurredAt);
    }
  });
  return {
    write: async (work: Work) => { for (const w of work) commit.immediate(w); },
    close: async () => { db.close(); },
  };
}

/**
 * Commits per second of the adapter and of raw inserts, measured in alternating chunks so that
 * whatever else the machine's disk is doing falls on both alike.
 */
async function rates(dir: string, commits: number, size: number): Promise<{ adapter: number; raw: number }> {
  const writers = { adapter: adapterWriter(join(dir, `adapter-${size}.sqlite`)), raw: rawWriter(join(dir, `raw-${size}.sqlite`)) };
  const work = { adapter: workload(commits, size), raw: workload(commits, size) };
  const seconds = { adapter: 0, raw: 0 };
  const chunk = Math.ceil(commits / CHUNKS);
  for (let c = 0; c < CHUNKS; c++) {
    const order: ('adapter' | 'raw')[] = c % 2 ? ['raw', 'adapter'] : ['adapter', 'raw'];
    for (const kind of order) {
      const slice = work[kind].slice(c * chunk, (c + 1) * chunk);
      const began = process.hrtime.bigint();
      await writers[kind].write(slice);
      seconds[kind] += Number(process.hrtime.bigint() - began) / 1e9;
    }
  }
  await writers.adapter.close();
  await writers.raw.close();
  return { adapter: commits / seconds.adapter, raw: commits / seconds.raw };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-bench-append-'));
  try {
    const single = await rates(dir, SINGLE_COMMITS, 1);
    const batch = await rates(dir, BATCHES, BATCH_SIZE);
    const best = { single: single.adapter, rawSingle: single.raw, batch: batch.adapter, rawBatch: batch.raw }; // per kind, over all chunks
    const baseline = 'raw better-sqlite3 INSERTs, same schema, WAL + synchronous=FULL, one transaction per commit';
    const file = writeResult({
      name: 'event-store-append',
      settings: {
        durability: 'journal_mode=WAL, synchronous=FULL (fsync per commit)', singleCommits: SINGLE_COMMITS,
        batches: BATCHES, batchSize: BATCH_SIZE, eventsPerStream: EVENTS_PER_STREAM, interleaving: `${CHUNKS} alternating chunks (adapter, raw, raw, adapter, ...)`,
      },
      figures: [
        figure({ figure: 'adapter append, 1 event per commit', unit: 'commits/s', value: round(best.single, 0), baseline, baselineValue: round(best.rawSingle, 0), target: 'ratio >= 0.8', met: best.single / best.rawSingle >= 0.8 }),
        figure({ figure: 'adapter append, 10-event batch per commit', unit: 'batches/s', value: round(best.batch, 0), baseline, baselineValue: round(best.rawBatch, 0), target: 'ratio >= 0.8', met: best.batch / best.rawBatch >= 0.8 }),
        figure({ figure: 'adapter append, 10-event batches as events', unit: 'events/s', value: round(best.batch * BATCH_SIZE, 0), baseline, baselineValue: round(best.rawBatch * BATCH_SIZE, 0) }),
      ],
    });
    console.log(`wrote ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
