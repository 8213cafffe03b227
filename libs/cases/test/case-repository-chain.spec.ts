import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentHash, GENESIS_HASH, storedHash, storedPrevHash, verifyLog } from '@civicloop/audit';
import { CaseEvent } from '@civicloop/domain';
import { SqliteEventStore } from '@civicloop/event-store';
import { ManualClock } from '@civicloop/platform';
import { CaseRepository, CommandContext } from '../src/case-repository';

const context: CommandContext = { actor: { id: 'op', role: 'operator', unitId: null }, commandId: 'c', correlationId: 'c', causationId: 'c' };
const note = (text: string) => ({ type: 'CaseNoteAdded', data: { text } }) as CaseEvent;

/** The one gate seals what it appends: each event links to the one before it in its stream. */
describe('CaseRepository.append and the per-stream hash chain', () => {
  let dir: string;
  let store: SqliteEventStore;
  let cases: CaseRepository;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-chain-'));
    store = new SqliteEventStore(join(dir, 'events.sqlite'));
    cases = new CaseRepository(store, new ManualClock());
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('links revision 0 to genesis and every later event to the one before, with or without the loaded hash passed in', async () => {
    await cases.append('k1', [note('a'), note('b')], -1, context);
    const loaded = await cases.load('k1');
    await cases.append('k1', [note('c')], loaded.revision, context, cases.now(), loaded.hash); // as ExecuteCaseCommand does
    await cases.append('k1', [note('d')], 2, context); // a caller that has no hash at hand: it is read
    const events = await store.readStream('case-k1');
    expect(storedPrevHash(events[0])).toBe(GENESIS_HASH);
    for (let i = 0; i < events.length; i++) {
      expect(storedHash(events[i])).toBe(contentHash(events[i]));
      if (i > 0) expect(storedPrevHash(events[i])).toBe(storedHash(events[i - 1]));
    }
  });

  it('continues a stream written before the chain existed: its old events count as unsealed, the first sealed one links to the last of them', async () => {
    await store.append('case-old', [0, 1].map((i) => ({
      type: 'CaseNoteAdded', data: { text: `legacy ${i}` },
      metadata: { eventId: `legacy-${i}`, streamId: 'case-old', occurredAt: '2026-01-01T00:00:00.000Z', actor: context.actor, commandId: 'c', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
    })), 'no_stream');
    const loaded = await cases.load('old');
    await cases.append('old', [note('sealed')], loaded.revision, context, cases.now(), loaded.hash);
    const report = await verifyLog(store);
    expect(report).toMatchObject({ intact: true, unsealed: 2, events: 3 });
  });
});
