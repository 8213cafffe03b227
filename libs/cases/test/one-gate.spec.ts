import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor, CaseCommand, CaseEvent, CaseRefused } from '@civicloop/domain';
import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { AppendResult, EventStore, ExpectedRevision, NewEvent, SqliteEventStore } from '@civicloop/event-store';
import { AppConfig, loadConfig, ManualClock } from '@civicloop/platform';
import { CaseRepository, CommandContext } from '../src/case-repository';
import { ExecuteCaseCommand, ExecuteCaseCommandHandler } from '../src/gate/execute-case-command';
import { CalendarRegistry } from '../src/calendar/calendar-registry';
import { appendCalendarYear } from '../src/calendar/calendar-events';
import { ChosenDatesInWorkingTime } from '../src/working-time/chosen-dates';

const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
const operator: Actor = { id: 'user-operator-1', role: 'operator', unitId: 'district-qinhuai' };
const company: Actor = { id: 'user-handler-company-jinling', role: 'handler', unitId: 'company-jinling' };
const supervisor: Actor = { id: 'user-supervisor-district', role: 'supervisor', unitId: 'district-qinhuai' };
/** Metadata as another writer would have written it. */
const meta = (eventId: string, actor: Actor): NewEvent['metadata'] => ({
  eventId, streamId: 'case-c1', caseId: 'c1', occurredAt: '2026-03-02T01:00:00.000Z', actor,
  commandId: eventId, correlationId: eventId, causationId: eventId, schemaVersion: 1,
});
const ctx = (actor: Actor, id = 'cmd'): CommandContext => ({ actor, commandId: id, correlationId: id, causationId: id });

/**
 * A real SQLite store that lets the test slip another writer's events in between the gate's load
 * and its append, once: the append then loses the race as it would against another process.
 */
class RacingStore implements EventStore {
  private interloper: { streamId: string; events: NewEvent[] } | null = null;
  constructor(private readonly inner: SqliteEventStore) {}
  interleave(streamId: string, events: NewEvent[]): void { this.interloper = { streamId, events }; }
  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const other = this.interloper;
    if (other && other.streamId === streamId) {
      this.interloper = null;
      await this.inner.append(streamId, other.events, expected);
    }
    return this.inner.append(streamId, events, expected);
  }
  readStream: EventStore['readStream'] = (...args) => this.inner.readStream(...args);
  readAll: EventStore['readAll'] = (...args) => this.inner.readAll(...args);
  subscribeToAll: EventStore['subscribeToAll'] = (...args) => this.inner.subscribeToAll(...args);
  headPosition: EventStore['headPosition'] = () => this.inner.headPosition();
  close: EventStore['close'] = () => this.inner.close();
}

describe('the one gate (load once → authorize → decide → append, re-checked on every retry)', () => {
  let dir: string;
  let store: RacingStore;
  let cases: CaseRepository;
  let gate: ExecuteCaseCommandHandler;
  let calendars: CalendarRegistry;
  const run = (caseId: string, command: CaseCommand, actor: Actor) => gate.execute(new ExecuteCaseCommand(caseId, command, ctx(actor)));
  const refusal = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error instanceof CaseRefused ? error.code : String(error)));
  const escalatedBy = (actor: Actor): NewEvent => ({
    type: 'CaseEscalated',
    data: { fromTier: 'grid', toTier: 'community', fromAssigneeId: 'company-jinling', toAssigneeId: 'community-11', reason: 'race' },
    metadata: meta(`race-${actor.id}`, actor),
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-gate-'));
    store = new RacingStore(new SqliteEventStore(join(dir, 'events.sqlite')));
    cases = new CaseRepository(store, new ManualClock(new Date('2026-03-02T01:00:00.000Z')));
    const config: AppConfig = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir });
    calendars = new CalendarRegistry(store, new ManualClock(new Date('2026-03-02T01:00:00.000Z')));
    gate = new ExecuteCaseCommandHandler(cases, directory, config, new ChosenDatesInWorkingTime(calendars), calendars);
    await run('c1', {
      type: 'ReceiveCase',
      data: {
        caseId: 'c1', channel: 'phone', category: 'repair.lift', urgency: 'normal', requestType: 'help', description: '电梯异响',
        location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
      },
    }, operator);
    await run('c1', { type: 'DispatchCase', data: { assigneeId: 'company-jinling', tier: 'grid' } }, operator);
    await run('c1', { type: 'AcceptCase', data: {} }, company);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the case once per command, and once more per retry (counted at the repository, not the store cache)', async () => {
    const before = cases.loads;
    await run('c1', { type: 'AddNote', data: { text: '已联系居民' } }, company);
    expect(cases.loads - before).toBe(1);
    store.interleave('case-c1', [{ type: 'CaseNoteAdded', data: { text: '另一人的记录' }, metadata: meta('n2', operator) }]);
    const again = cases.loads;
    await run('c1', { type: 'AddNote', data: { text: '再次联系' } }, company);
    expect(cases.loads - again).toBe(2);
  });

  it('re-authorizes on the retry: the old holder that lost the race to an escalation writes nothing', async () => {
    store.interleave('case-c1', [escalatedBy(supervisor)]);
    const head = await store.headPosition();
    await expect(refusal(run('c1', { type: 'AddNote', data: { text: '迟到的记录' } }, company))).resolves.toBe('OUT_OF_SCOPE');
    const events = await store.readStream('case-c1');
    expect(events.map((e) => e.type).slice(-1)).toEqual(['CaseEscalated']);
    expect(await store.headPosition()).toBe(Number(head) + 1);
  });

  it('never lets a retried command act on another holder than the one it was authorized for (409 CASE_MOVED)', async () => {
    store.interleave('case-c1', [escalatedBy(company)]);
    await expect(refusal(run('c1', { type: 'EscalateCase', data: { reason: '督办上提' } }, supervisor))).resolves.toBe('CASE_MOVED');
    const escalations = (await store.readStream('case-c1')).filter((e) => (e as unknown as CaseEvent).type === 'CaseEscalated');
    expect(escalations).toHaveLength(1);
  });

  it('checks an extension against the deadline on the calendar in force, an imported year included', async () => {
    // 7 working days from Monday 2 March end on 11 March on the shipped calendar; an imported 2026
    // that makes 3–13 March holidays moves the deadline past the 15th, so "until Monday the 16th" is no extension.
    await run('c2', {
      type: 'ReceiveCase',
      data: {
        caseId: 'c2', channel: 'phone', category: 'environment.noise', urgency: 'normal', requestType: 'complaint',
        description: '夜间施工噪音', location: { compoundId: 'compound-01' }, reporter: { name: '李先生', phone: '13900139000' },
      },
    }, operator);
    await run('c2', { type: 'DispatchCase', data: { assigneeId: 'company-jinling', tier: 'grid' } }, operator);
    await run('c2', { type: 'AcceptCase', data: {} }, company);
    const holidays = Array.from({ length: 11 }, (_, i) => `2026-03-${String(i + 3).padStart(2, '0')}`);
    await appendCalendarYear(store, {
      calendar: 'cn-mainland', year: 2026, status: 'official', source: 'test: a corrected arrangement', version: '2026-test',
      holidays, makeUpWorkdays: [],
    }, operator, '2026-03-02T01:00:00.000Z', 'test.json');
    await calendars.refresh();
    const request = { type: 'RequestExtension', data: { until: '2026-03-16T02:00:00.000Z', reason: '等待配件' } } as const;
    await expect(refusal(run('c2', request, company))).resolves.toBe('EXTENSION_NOT_LATER');
  });
});
