import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseEvent } from '@civicloop/domain';
import { SqliteEventStore } from '@civicloop/event-store';
import { ManualClock } from '@civicloop/platform';
import { CaseRepository, CommandContext, foldCase } from '../src/case-repository';

const context: CommandContext = { actor: { id: 'op', role: 'operator', unitId: null }, commandId: 'c', correlationId: 'c', causationId: 'c' };
const received = {
  type: 'CaseReceived',
  data: {
    caseId: 'k1', channel: 'hotline_12345', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: '电梯异响',
    compoundId: 'compound-01', reporterName: '王女士', reporterPhone: '13800138000', anonymous: false,
  },
} as unknown as CaseEvent;
const note = (text: string) => ({ type: 'CaseNoteAdded', data: { text } }) as CaseEvent;

/** Loading reuses the last fold of a case when the store hands back the same events, and only then. */
describe('CaseRepository.load', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;
  let cases: CaseRepository;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-repo-'));
    file = join(dir, 'events.sqlite');
    store = new SqliteEventStore(file);
    cases = new CaseRepository(store, new ManualClock());
    await cases.append('k1', [received, note('1'), note('2'), note('3')], -1, context);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const freshFold = async (options?: { toRevision?: number }) => {
    const uncached = new SqliteEventStore(file, { cachedEvents: 0 });
    try {
      return foldCase(await uncached.readStream('case-k1', options));
    } finally {
      await uncached.close();
    }
  };

  it('folds only what was appended since its last fold, with the same result as a full fold', async () => {
    const first = await cases.load('k1');
    expect(first).toMatchObject({ revision: 3, state: { status: 'received', noteCount: 3 } });
    expect((await cases.load('k1')).state).toBe(first.state); // nothing new: the very same fold
    const worker = new SqliteEventStore(file); // another process appends
    await new CaseRepository(worker, new ManualClock()).append('k1', [note('4')], 3, context);
    await worker.close();
    const after = await cases.load('k1');
    expect(after).toEqual(await freshFold());
    expect(after).toMatchObject({ revision: 4, state: { noteCount: 4 } });
  });

  it('answers reads up to a revision from the events, not from a later fold', async () => {
    await cases.load('k1');
    expect(await cases.load('k1', { toRevision: 1 })).toEqual(await freshFold({ toRevision: 1 }));
    expect((await cases.load('k1', { toRevision: 1 })).state.noteCount).toBe(1);
    expect((await cases.load('k1')).state.noteCount).toBe(3);
  });

  it('refolds from the start when the store builds new event objects on every read', async () => {
    const uncached = new SqliteEventStore(file, { cachedEvents: 0 });
    const repository = new CaseRepository(uncached, new ManualClock());
    const first = await repository.load('k1');
    const second = await repository.load('k1');
    expect(second.state).not.toBe(first.state);
    expect(second).toEqual(first);
    await uncached.close();
  });
});
