import Database from 'better-sqlite3';
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { Directory } from '@civicloop/directory';
import { SqliteEventStore } from '@civicloop/event-store';

interface Planned {
  at: number;
  caseId: string;
  type: string;
  data: Record<string, unknown>;
  unitId: string | null;
}

/**
 * Cases arrive at a steady rate (the rate of the former 1,000,000-event log: 110,889 cases over
 * 90 days), so a longer log covers more days, as a city's does, rather than packing more cases
 * into the same days: the number of cases in flight stays that of one city, whatever the size.
 */
const CASES_PER_DAY = 1232;
/** Cases planned before the events that can no longer be overtaken are sorted and written. */
const CASES_PER_ROUND = 2000;

/**
 * Writes about `events` events of valid case histories into a fresh SQLite event store: plain
 * handling, returns and re-dispatch, and long cases climbing to the street with a whistle, a
 * supervision order, an unsatisfied rating and a reopen. Rows go in directly (the bench measures
 * the projections, not the append path), in time order across interleaved cases. Streamed: only
 * the events of cases still in flight are held, so 5,000,000 events need no more memory than 150,000.
 * Deterministic (seeded, ids from a counter): the same size gives the same file.
 */
export async function writeBenchHistory(file: string, events: number, directory: Directory, seed = 7): Promise<{ cases: number; events: number }> {
  new SqliteEventStore(file).close();
  const rng = xoroshiro128plus(seed);
  const int = (min: number, max: number) => unsafeUniformIntDistribution(min, max, rng);
  const pick = <T>(items: T[]) => items[int(0, items.length - 1)];
  const compounds = directory.allUnits().filter((u) => u.kind === 'compound');
  const departments = directory.allUnits().filter((u) => u.kind === 'department').map((u) => u.id);
  const categories = directory.allCategories().map((c) => c.code);
  let planned: Planned[] = [];
  let arrival = Date.parse('2026-01-05T00:00:00.000Z');
  const meanGap = 86_400_000 / CASES_PER_DAY;
  let cases = 0;
  let written = 0;
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const revisions = new Map<string, number>();
  const write = db.transaction((rows: Planned[]) => {
    for (const e of rows) {
      const streamId = `case-${e.caseId}`;
      const revision = (revisions.get(streamId) ?? -1) + 1;
      revisions.set(streamId, revision);
      if (e.type === 'CaseClosed') revisions.delete(streamId);
      const occurredAt = new Date(e.at).toISOString();
      const id = `00000000-0000-4000-8000-${(++written).toString(16).padStart(12, '0')}`;
      const metadata = {
        eventId: id, streamId, caseId: e.caseId, occurredAt, actor: { id: 'bench', role: 'operator', unitId: e.unitId },
        commandId: id, correlationId: id, causationId: id, schemaVersion: 1,
      };
      insert.run(id, streamId, revision, e.type, JSON.stringify(e.data), JSON.stringify(metadata), occurredAt);
    }
  });
  /** Sorts what is planned and writes every event up to `until` (later cases start after it). */
  const release = (until: number) => {
    planned.sort((a, b) => a.at - b.at);
    const cut = planned.findIndex((e) => e.at > until);
    const ready = cut === -1 ? planned : planned.slice(0, cut);
    planned = cut === -1 ? [] : planned.slice(cut);
    write(ready);
  };
  let total = 0;
  while (total < events) {
    const caseId = `b${++cases}`;
    const compound = pick(compounds);
    const grid = directory.ancestorOfKind(compound.id, 'grid')!.id;
    const community = directory.ancestorOfKind(compound.id, 'community')!.id;
    const street = directory.ancestorOfKind(compound.id, 'street')!.id;
    arrival += int(0, Math.round(2 * meanGap));
    let at = arrival;
    const push = (type: string, data: Record<string, unknown>, unitId: string | null = null) => {
      at += int(5, 600) * 60_000;
      planned.push({ at, caseId, type, data, unitId });
      total += 1;
    };
    push('CaseReceived', {
      caseId, channel: 'hotline_12345', category: pick(categories), urgency: pick(['normal', 'normal', 'urgent', 'critical']), requestType: 'help',
      description: 'bench case', compoundId: compound.id, building: null, unit: null, lat: null, long: null, reporterName: null, reporterPhone: null, anonymous: true,
    });
    const handled = (unit: string, tier: string, rating: string) => {
      push('CaseAccepted', { assigneeId: unit, tier }, unit);
      push('CaseResolved', { summary: 'done', outcome: 'resolved' }, unit);
      push('CaseRated', { rating, solved: rating !== 'unsatisfied', comment: null, source: 'callback' });
    };
    const kind = int(1, 100);
    if (kind <= 60) {
      push('CaseDispatched', { assigneeId: grid, tier: 'grid' });
      handled(grid, 'grid', pick(['satisfied', 'satisfied', 'basically_satisfied']));
    } else if (kind <= 85) {
      const wrong = pick(directory.allUnits().filter((u) => u.kind === 'grid' && u.id !== grid)).id;
      push('CaseDispatched', { assigneeId: wrong, tier: 'grid' });
      push('CaseReturned', { assigneeId: wrong, tier: 'grid', reason: 'not_our_jurisdiction', note: null }, wrong);
      push('CaseDispatched', { assigneeId: compound.companyId!, tier: 'grid' });
      handled(compound.companyId!, 'grid', 'basically_satisfied');
    } else {
      push('CaseDispatched', { assigneeId: grid, tier: 'grid' });
      push('CaseAccepted', { assigneeId: grid, tier: 'grid' }, grid);
      push('CaseEscalated', { fromTier: 'grid', toTier: 'community', fromAssigneeId: grid, toAssigneeId: community, reason: 'hard' }, grid);
      push('CaseAccepted', { assigneeId: community, tier: 'community' }, community);
      push('CaseEscalated', { fromTier: 'community', toTier: 'street', fromAssigneeId: community, toAssigneeId: street, reason: 'harder' }, community);
      push('CaseAccepted', { assigneeId: street, tier: 'street' }, street);
      const named = [...new Set([pick(departments), pick(departments)])];
      push('WhistleBlown', { whistleId: 'w1', departmentIds: named, reason: 'departments needed' }, street);
      for (const d of named) push('DepartmentReported', { whistleId: 'w1', departmentId: d }, d);
      for (const d of named) push('DepartmentActed', { whistleId: 'w1', departmentId: d, action: 'cleared' }, d);
      push('WhistleCompleted', { whistleId: 'w1' }, named[named.length - 1]);
      push('SupervisionOrdered', { supervisionId: 's1', reason: 'slow', answerBy: null }, 'district-qinhuai');
      push('SupervisionAnswered', { supervisionId: 's1', answer: 'on it' }, street);
      push('CaseResolved', { summary: 'done', outcome: 'resolved' }, street);
      push('CaseRated', { rating: 'unsatisfied', solved: false, comment: null, source: 'resident' });
      push('CaseReopened', { reason: 'not fixed', reworkCount: 1 });
      push('CaseDispatched', { assigneeId: street, tier: 'street' });
      handled(street, 'street', 'satisfied');
    }
    push('CaseClosed', { kind: 'rated', reason: 'rated', mergedIntoCaseId: null });
    if (cases % CASES_PER_ROUND === 0) release(arrival);
  }
  release(Number.MAX_SAFE_INTEGER);
  db.close();
  return { cases, events: written };
}
