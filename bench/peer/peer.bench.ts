import 'reflect-metadata';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Actor, CASE_EVENT_TYPES, CaseCommand } from '@civicloop/domain';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { NewEvent, RecordedEvent, SqliteEventStore } from '@civicloop/event-store';
import { OrgLookup } from '@civicloop/read-models';
import { writeBenchHistory } from '../projections/history';
import { figure, round, writeResult } from '../harness/result';
import {
  busyRetries, copyLog, emmettAppend, emmettBoardRows, emmettCommand, emmettDurability, emmettRebuild, openEmmettStore,
} from './emmett-side';
import { openOurGate, ourAppend, ourRebuild } from './ours-side';

const APPENDS = Number(process.env.BENCH_PEER_APPENDS ?? 600);
const CASES = Number(process.env.BENCH_PEER_CASES ?? 150);
const EVENTS = Number(process.env.BENCH_PEER_EVENTS ?? 15_000);
const EVENTS_PER_STREAM = 20;
const CHUNKS = 4;
const REBUILD_BATCH = 1000;

const operator: Actor = { id: 'user-operator-1', role: 'operator', unitId: 'district-qinhuai' };
const company: Actor = { id: 'user-handler-company-jinling', role: 'handler', unitId: 'company-jinling' };

/** The event of the append benchmark (bench/event-store): a note with the full metadata. */
function noteEvent(streamId: string, i: number): NewEvent {
  const commandId = randomUUID();
  return {
    type: 'CaseNoteAdded',
    data: { text: `note ${i}: 已上门查看，正在协调维修` },
    metadata: {
      eventId: randomUUID(), streamId, caseId: streamId.slice(5), occurredAt: new Date(1_790_000_000_000 + i * 1000).toISOString(),
      actor: company, commandId, correlationId: commandId, causationId: commandId, schemaVersion: 1,
    },
  };
}

const intake = (caseId: string): CaseCommand => ({
  type: 'ReceiveCase',
  data: {
    caseId, channel: 'phone', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '楼顶漏水，雨天渗到卧室',
    location: { compoundId: 'compound-01', building: '3' }, reporter: { name: '王女士', phone: '13800138000' },
  },
});
const dispatchTo: CaseCommand = { type: 'DispatchCase', data: { assigneeId: 'company-jinling', tier: 'grid' } };
const accept: CaseCommand = { type: 'AcceptCase', data: {} };

type Side = 'ours' | 'emmett';
/** Runs `work(side, from, to)` over [0, total) in CHUNKS alternating slices; seconds per side. */
async function alternate(total: number, work: (side: Side, from: number, to: number) => Promise<void>): Promise<Record<Side, number>> {
  const seconds: Record<Side, number> = { ours: 0, emmett: 0 };
  const chunk = Math.ceil(total / CHUNKS);
  for (let c = 0; c < CHUNKS; c++) {
    const order: Side[] = c % 2 ? ['emmett', 'ours'] : ['ours', 'emmett'];
    for (const side of order) {
      const began = performance.now();
      await work(side, c * chunk, Math.min(total, (c + 1) * chunk));
      seconds[side] += (performance.now() - began) / 1000;
    }
  }
  return seconds;
}

async function* pages(file: string): AsyncGenerator<RecordedEvent[]> {
  const store = new SqliteEventStore(file);
  try {
    for (let after: number | null = null; ;) {
      const page = await store.readAll({ after, limit: 2000 });
      if (!page.length) return;
      yield page;
      after = page[page.length - 1].position;
    }
  } finally {
    await store.close();
  }
}

/** Emmett's packages export no ./package.json: read it next to the resolved entry point. */
function packageVersion(name: string): string {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg: { name?: string; version?: string } = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.name === name) return pkg.version ?? 'unknown';
    }
  }
  return 'unknown';
}

async function main(): Promise<void> {
  // The gate's debug lines (appended, refused) would otherwise print for every command.
  Logger.overrideLogger(['error', 'warn']);
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-bench-peer-'));
  const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
  try {
    // Append: one event per commit, EVENTS_PER_STREAM per stream, both sides fsync each commit.
    const ourStore = new SqliteEventStore(join(dir, 'ours-append.sqlite'));
    const emmettStore = openEmmettStore(join(dir, 'emmett-append.sqlite'));
    const appendSeconds = await alternate(APPENDS, async (side, from, to) => {
      for (let i = from; i < to; i++) {
        const streamId = `case-a${Math.floor(i / EVENTS_PER_STREAM)}`;
        const revision = i % EVENTS_PER_STREAM;
        if (side === 'ours') await ourAppend(ourStore, streamId, noteEvent(streamId, i), revision === 0 ? 'no_stream' : revision - 1);
        else await emmettAppend(emmettStore, streamId, { ...noteEvent(streamId, i), data: { text: `note ${i}: 已上门查看，正在协调维修` } }, BigInt(revision));
      }
    });
    await ourStore.close();
    const emmettMode = await emmettDurability(join(dir, 'emmett-append.sqlite'));
    const ourJournal = String(new Database(join(dir, 'ours-append.sqlite')).pragma('journal_mode', { simple: true }));
    console.log(`append: ours ${round(APPENDS / appendSeconds.ours, 0)}/s, emmett ${round(APPENDS / appendSeconds.emmett, 0)}/s`);

    // Commands: intake, then (unmeasured) dispatch, then accept, one at a time on each side.
    const ours = openOurGate(dir, join(dir, 'ours-commands.sqlite'), directory);
    const emmettCommands = openEmmettStore(join(dir, 'emmett-commands.sqlite'));
    const ids: Record<Side, string[]> = { ours: [], emmett: [] };
    const run = (side: Side, caseId: string, command: CaseCommand, actor: Actor) =>
      side === 'ours' ? ours.command(caseId, command, actor) : emmettCommand(emmettCommands, caseId, command, actor, directory);
    const intakeSeconds = await alternate(CASES, async (side, from, to) => {
      for (let i = from; i < to; i++) {
        const caseId = randomUUID();
        ids[side].push(caseId);
        await run(side, caseId, intake(caseId), operator);
      }
    });
    for (const side of ['ours', 'emmett'] as const) for (const caseId of ids[side]) await run(side, caseId, dispatchTo, operator);
    const acceptSeconds = await alternate(CASES, async (side, from, to) => {
      for (let i = from; i < to; i++) await run(side, ids[side][i], accept, company);
    });
    await ours.store.close();
    console.log(`intake: ours ${round(CASES / intakeSeconds.ours, 0)}/s, emmett ${round(CASES / intakeSeconds.emmett, 0)}/s`);

    // Rebuild: the same generated log in both stores; each side replays it into its board read model.
    const ourLog = join(dir, 'ours-log.sqlite');
    const emmettLog = join(dir, 'emmett-log.sqlite');
    const history = await writeBenchHistory(ourLog, EVENTS, directory);
    const copied = await copyLog(emmettLog, pages(ourLog));
    const ourBoard = await ourRebuild(ourLog, join(dir, 'ours-read.sqlite'), directory, REBUILD_BATCH * 5);
    const emmettBoard = await emmettRebuild(emmettLog, new OrgLookup(directory), [...CASE_EVENT_TYPES], BigInt(copied), REBUILD_BATCH);
    const emmettRows = await emmettBoardRows(emmettLog);
    if (emmettRows !== ourBoard.rows) throw new Error(`Emmett's board has ${emmettRows} rows, ours ${ourBoard.rows}: its rebuild stopped early`);
    console.log(`rebuild: ours ${round(history.events / ourBoard.seconds, 0)}/s, emmett ${round(copied / emmettBoard.seconds, 0)}/s`);

    const peer = 'Emmett (@event-driven-io/emmett-sqlite), same run, same machine';
    const rate = (n: number, s: number) => round(n / s, 0);
    const file = writeResult({
      name: 'peer-emmett',
      versions: {
        '@event-driven-io/emmett': packageVersion('@event-driven-io/emmett'),
        '@event-driven-io/emmett-sqlite': packageVersion('@event-driven-io/emmett-sqlite'),
        sqlite3: packageVersion('sqlite3'),
        // Emmett's driver bundles its own SQLite (better-sqlite3's is the `sqlite` above).
        'sqlite (sqlite3 driver)': String(require('sqlite3').VERSION),
      },
      settings: {
        durability: {
          ours: { eventStore: `journal_mode=${ourJournal}, synchronous=FULL (2), set by SqliteEventStore`, readModels: 'journal_mode=WAL, synchronous=NORMAL (1)' },
          emmett: {
            eventStore: `journal_mode=${emmettMode.journalMode}, synchronous=${emmettMode.synchronous} (read back from a connection opened as its store opens one)`,
            projection: `synchronous=${emmettBoard.synchronous} (set on the consumer's connection to match our read models)`,
          },
        },
        appends: APPENDS, eventsPerStream: EVENTS_PER_STREAM, cases: CASES, rebuildEvents: history.events, rebuildCases: history.cases,
        rebuildBatch: { ours: REBUILD_BATCH * 5, emmett: REBUILD_BATCH }, boardRows: { ours: ourBoard.rows, emmett: emmettRows },
        emmettOperationsRetriedAfterSqliteBusy: busyRetries.count,
        interleaving: `${CHUNKS} alternating chunks per figure (ours, emmett, emmett, ours)`, concurrency: 1,
      },
      figures: [
        figure({ figure: 'append, 1 event per commit: ours (SqliteEventStore)', unit: 'commits/s', value: rate(APPENDS, appendSeconds.ours), baseline: peer, baselineValue: rate(APPENDS, appendSeconds.emmett) }),
        figure({ figure: 'intake command (ReceiveCase through the one gate)', unit: 'commands/s', value: rate(CASES, intakeSeconds.ours), baseline: `${peer}: CommandHandler with the same decider`, baselineValue: rate(CASES, intakeSeconds.emmett) }),
        figure({ figure: 'accept command (AcceptCase through the one gate)', unit: 'commands/s', value: rate(CASES, acceptSeconds.ours), baseline: `${peer}: CommandHandler with the same decider`, baselineValue: rate(CASES, acceptSeconds.emmett) }),
        figure({ figure: `rebuild of a board read model from ${history.events.toLocaleString('en')} events`, unit: 'events/s', value: rate(history.events, ourBoard.seconds), baseline: `${peer}: consumer + SQLite projection from the beginning`, baselineValue: rate(copied, emmettBoard.seconds) }),
      ],
      notes: [
        'Emmett 0.38.5 is the newest pair of @event-driven-io/emmett and emmett-sqlite whose versions match on the registry (emmett-sqlite 0.42.4 wants emmett 0.42.4, which is not published).',
        'Emmett\'s SQLite append sometimes fails its COMMIT with SQLITE_BUSY ("SQL statements in progress": its INSERT … RETURNING read through node-sqlite3\'s get is not finalized yet); the bench retries such an operation and counts it (emmettOperationsRetriedAfterSqliteBusy), the retry\'s time on Emmett\'s side.',
        'Ratio = ours / Emmett on the same work in the same run: above 1 means we are faster.',
        'Both sides run one operation at a time (Emmett\'s SQLite store opens and closes a connection per operation, so it cannot be shared by concurrent callers); ours also group-commits concurrent appends, which this single-caller run does not use.',
        'Commands: both sides run authorize + decide + evolve from libs/domain; ours adds the per-stream hash chain, working-time checks and metrics the gate always does; Emmett re-reads and re-parses the whole stream per command, ours keeps a stream cache.',
        'Rebuild: ours is the full board projection (57 columns, SLA due times, periods); Emmett\'s is a 23-column board-like projection written the idiomatic way (read the row, change it, write it back, per event) with Emmett\'s per-event checkpoint.',
      ],
    });
    console.log(`wrote ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const run = main;
if (require.main === module) main().catch((error) => { console.error(error); process.exit(1); });
