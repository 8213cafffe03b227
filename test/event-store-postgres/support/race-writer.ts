import { writeFileSync } from 'node:fs';
import { ExpectedRevision, PostgresEventStore } from '@civicloop/event-store';
import { caseEvent } from '../../contract/event-store.contract';

/**
 * One API-like writer process for race.spec.ts: CONCURRENCY append loops over its own streams and
 * a few streams every writer shares, each append held open for a random delay between its insert
 * and its COMMIT, so transactions commit out of the order of their positions. Writes what was
 * acknowledged (event ids with positions) to OUT when done.
 */
const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const writer = env('WRITER');
const appends = Number(env('APPENDS'));
const concurrency = Number(env('CONCURRENCY'));
const maxDelayMs = Number(env('MAX_DELAY_MS'));
const random = (n: number) => Math.floor(Math.random() * n);

async function main(): Promise<void> {
  const store = await PostgresEventStore.connect(env('URL'), {
    poolSize: concurrency + 1,
    beforeCommit: () => new Promise((resolve) => setTimeout(resolve, random(maxDelayMs + 1))),
  });
  const own = Array.from({ length: 40 }, (_, i) => `case-${writer}-${i}`);
  const shared = ['case-shared-0', 'case-shared-1', 'case-shared-2'];
  const revisions = new Map<string, number>();
  const busy = new Set<string>();
  const acknowledged: { eventIds: string[]; position: number }[] = [];
  let next = 0;
  const loop = async () => {
    while (next < appends) {
      next += 1;
      // A shared stream takes `any` (racing other processes); an own one its exact revision.
      const sharedStream = random(5) === 0;
      const free = own.filter((s) => !busy.has(s));
      const stream = sharedStream || free.length === 0 ? shared[random(shared.length)] : free[random(free.length)];
      const head = revisions.get(stream);
      const expected: ExpectedRevision = !own.includes(stream) ? 'any' : head ?? 'no_stream';
      const events = Array.from({ length: 1 + random(3) }, (_, k) => caseEvent(stream, `Step${k}`, new Date().toISOString(), { writer, k }));
      busy.add(stream);
      try {
        const result = await store.append(stream, events, expected);
        if (expected !== 'any') revisions.set(stream, result.revision);
        acknowledged.push({ eventIds: events.map((e) => e.metadata.eventId), position: result.position });
      } finally {
        busy.delete(stream);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  await store.close();
  writeFileSync(env('OUT'), JSON.stringify(acknowledged));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
