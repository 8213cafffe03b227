import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PostgresEventStore, Position, RecordedEvent, Subscription } from '@civicloop/event-store';
import { eventually } from '../contract/event-store.contract';
import { PostgresServer, startPostgres } from '../support/postgres-server';
import { reapOnExit } from '../support/child-reaper';

jest.setTimeout(180_000);

const WRITERS = 4;
const APPENDS_PER_WRITER = 300;
const CONCURRENCY_PER_WRITER = 4;
const MAX_DELAY_MS = 20;
const REGISTER = join(__dirname, '../deadlines/support/ts-register.js');

interface Acknowledged { eventIds: string[]; position: number }

function runWriter(url: string, writer: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', REGISTER, join(__dirname, 'support/race-writer.ts')], {
      env: {
        ...process.env, URL: url, WRITER: writer, OUT: out, APPENDS: String(APPENDS_PER_WRITER),
        CONCURRENCY: String(CONCURRENCY_PER_WRITER), MAX_DELAY_MS: String(MAX_DELAY_MS),
      },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    reapOnExit(child);
    let errors = '';
    child.stderr.on('data', (chunk) => { errors += chunk; });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${writer} exited ${code}: ${errors}`))));
  });
}

/** A follower of $all that records what it is handed and keeps its checkpoint, as a projection does. */
class Follower {
  readonly seen: RecordedEvent[] = [];
  checkpoint: Position | null = null;
  private store: PostgresEventStore | null = null;
  private subscription: Subscription | null = null;
  failure: unknown = null;

  constructor(private readonly url: string) {}

  async start(): Promise<void> {
    this.store = await PostgresEventStore.connect(this.url);
    this.subscription = this.store.subscribeToAll({
      after: this.checkpoint,
      handler: (event) => {
        this.seen.push(event);
        this.checkpoint = event.position;
      },
      onError: (error) => { this.failure = error; },
    });
  }

  /** Stops and drops its connections; start() resumes after the checkpoint with new ones. */
  async stop(): Promise<void> {
    await this.subscription?.stop();
    await this.store?.close();
    this.subscription = null;
    this.store = null;
  }
}

/**
 * "Done when" of issue 19: 4 writer processes append concurrently to one PostgreSQL store through
 * the adapter, each append held open a random 0–20 ms between insert and COMMIT so commits land out
 * of position order, while 2 subscribers follow $all; one is stopped and resumed from its
 * checkpoint halfway. Each must see every committed event exactly once, in position order. A naive
 * follower reading by position alone runs alongside to show that commits did land out of order.
 */
describe('PostgreSQL event store: concurrent writer processes and $all subscribers', () => {
  let server: PostgresServer;
  let dir: string;
  beforeAll(async () => {
    server = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'civicloop-pg-race-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${WRITERS} writer processes × ${APPENDS_PER_WRITER} appends (1–3 events each), 2 subscribers, one restarted: every committed event seen exactly once, in order`, async () => {
    const url = await server.createDatabase('race');
    (await PostgresEventStore.connect(url)).close(); // schema in place before anyone follows
    const followers = [new Follower(url), new Follower(url)];
    const naive = naiveFollower(url);
    try {
      for (const f of followers) await f.start();
      const outs = Array.from({ length: WRITERS }, (_, i) => join(dir, `writer-${i}.json`));
      const began = Date.now();
      const writing = Promise.all(outs.map((out, i) => runWriter(url, `w${i}`, out)));
      // Restart the second subscriber while the writers are busy.
      await eventually(() => followers[1].seen.length >= 500, 'the second subscriber halfway', 60_000);
      await followers[1].stop();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await followers[1].start();
      await writing;
      const writersMs = Date.now() - began;

      const acknowledged = outs.flatMap((out) => JSON.parse(readFileSync(out, 'utf8')) as Acknowledged[]);
      const committed = await readEverything(url);
      const head = committed[committed.length - 1].position;
      for (const f of followers) {
        await eventually(() => f.checkpoint === head || f.failure !== null, 'a subscriber reaching the head', 30_000);
      }
      const skipped = await naive.stop();

      expect(new Set(committed.map((e) => e.metadata.eventId))).toEqual(new Set(acknowledged.flatMap((a) => a.eventIds)));
      const order = committed.map((e) => e.metadata.eventId);
      for (const f of followers) {
        expect(f.failure).toBeNull();
        expect(f.seen.length).toBe(committed.length);
        expect(f.seen.map((e) => e.metadata.eventId)).toEqual(order);
        const positions = f.seen.map((e) => e.position);
        expect(positions.every((p, i) => i === 0 || p > positions[i - 1])).toBe(true);
      }
      // The hazard was real in this run: a follower by position alone would have missed these.
      expect(skipped).toBeGreaterThan(0);
      console.log(`race: ${WRITERS} writers, ${acknowledged.length} appends, ${committed.length} events; both subscribers saw all of them in order; a position-only follower skipped ${skipped}; writers took ${writersMs} ms`);
    } finally {
      for (const f of followers) await f.stop();
      await naive.stop().catch(() => undefined);
    }
  });
});

async function readEverything(url: string): Promise<RecordedEvent[]> {
  const store = await PostgresEventStore.connect(url);
  try {
    const all: RecordedEvent[] = [];
    for (let page = await store.readAll({ limit: 1000 }); page.length; page = await store.readAll({ after: all[all.length - 1].position, limit: 1000 })) {
      all.push(...page);
    }
    return all;
  } finally {
    await store.close();
  }
}

/** Reads `position > checkpoint` without the horizon every few ms; counts events that appear behind its checkpoint. */
function naiveFollower(url: string): { stop(): Promise<number> } {
  const client = new Client({ connectionString: url });
  let stopped = false;
  let after = -1;
  const seen = new Set<string>();
  const running = (async () => {
    await client.connect();
    client.on('error', () => undefined);
    while (!stopped) {
      const { rows } = await client.query<{ position: string; event_id: string }>(
        'SELECT position, event_id FROM events WHERE position > $1 ORDER BY position', [after]);
      for (const row of rows) {
        seen.add(row.event_id);
        after = Number(row.position);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const { rows } = await client.query<{ event_id: string }>('SELECT event_id FROM events');
    await client.end();
    return rows.filter((r) => !seen.has(r.event_id)).length;
  })();
  return {
    async stop() {
      stopped = true;
      return running;
    },
  };
}
