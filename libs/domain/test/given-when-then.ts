import { Directory, DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { Actor, CaseCommand, DecisionContext } from '../src/case/case.commands';
import { authorize } from '../src/case/case.authorize';
import { decide } from '../src/case/case.decide';
import { CaseRefused } from '../src/case/case.errors';
import { CaseEvent } from '../src/case/case.events';
import { evolve } from '../src/case/case.evolve';
import { CaseState, initialCaseState } from '../src/case/case.state';

/** Test support for deciders: given past events, when a command, then events or a refusal. */
export const directory = Directory.fromFile(DEMO_DIRECTORY_FILE);
export const NOW = '2026-03-02T02:00:00.000Z';

export const actors = {
  operator: { id: 'user-operator-1', role: 'operator', unitId: 'district-qinhuai' },
  resident: { id: 'user-resident-1', role: 'resident', unitId: 'compound-01' },
  company: { id: 'user-handler-company-jinling', role: 'handler', unitId: 'company-jinling' },
  otherCompany: { id: 'user-handler-company-huarun', role: 'handler', unitId: 'company-huarun' },
  community: { id: 'user-handler-community-11', role: 'handler', unitId: 'community-11' },
  street: { id: 'user-handler-street-fuzimiao', role: 'handler', unitId: 'street-fuzimiao' },
  supervisor: { id: 'user-supervisor-street-fuzimiao', role: 'supervisor', unitId: 'street-fuzimiao' },
  urban: { id: 'user-handler-dept-urban', role: 'handler', unitId: 'dept-urban' },
} satisfies Record<string, Actor>;

/** Frozen all the way down: evolve must build new states, and a write into its input throws here. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function fold(events: CaseEvent[]): CaseState {
  return events.reduce(
    (state, event, i) => evolve(deepFreeze(state), event, new Date(Date.parse(NOW) - (events.length - i) * 60_000).toISOString()),
    initialCaseState(),
  );
}

export type Outcome = { events: CaseEvent[] } | { refused: CaseRefused };

/** decide alone, as the status matrix needs it (who may is authorize's matrix). */
export function runDecide(history: CaseEvent[], command: CaseCommand, actor: Actor, extra: Partial<DecisionContext> = {}): Outcome {
  try {
    return { events: decide(command, fold(history), { actor, now: NOW, directory, ...extra }) };
  } catch (error) {
    if (error instanceof CaseRefused) return { refused: error };
    throw error;
  }
}

/** The one gate in pure form: authorize, then decide, on the same state. */
export function run(history: CaseEvent[], command: CaseCommand, actor: Actor = actors.operator, extra: Partial<DecisionContext> = {}): Outcome {
  try {
    const state = fold(history);
    authorize(command, state, actor, directory);
    return { events: decide(command, state, { actor, now: NOW, directory, ...extra }) };
  } catch (error) {
    if (error instanceof CaseRefused) return { refused: error };
    throw error;
  }
}

/**
 * given/when/then over `decide` (the rules of the loop); `through: 'gate'` runs authorize first, as
 * the one gate does, for the rules of who may.
 */
export const given = (...history: CaseEvent[]) => ({
  when: (command: CaseCommand, actor: Actor = actors.operator, extra: Partial<DecisionContext> & { through?: 'gate' } = {}) => {
    const { through, ...context } = extra;
    const outcome = through === 'gate' ? run(history, command, actor, context) : runDecide(history, command, actor, context);
    return {
      then(expected: CaseEvent[]) {
        if ('refused' in outcome) throw new Error(`expected events, refused with ${outcome.refused.code}: ${outcome.refused.message}`);
        expect(outcome.events).toEqual(expected);
      },
      thenTypes(...types: string[]) {
        if ('refused' in outcome) throw new Error(`expected ${types.join(', ')}, refused with ${outcome.refused.code}`);
        expect(outcome.events.map((e) => e.type)).toEqual(types);
        return outcome.events;
      },
      thenRefused(code: string, kind?: CaseRefused['kind']) {
        if (!('refused' in outcome)) throw new Error(`expected refusal ${code}, got ${outcome.events.map((e) => e.type).join(', ')}`);
        expect(outcome.refused.code).toBe(code);
        if (kind) expect(outcome.refused.kind).toBe(kind);
      },
    };
  },
});

export const CASE_ID = '11111111-1111-4111-8111-111111111111';

export const ev = {
  received: (over: Partial<Extract<CaseEvent, { type: 'CaseReceived' }>['data']> = {}): CaseEvent => ({
    type: 'CaseReceived',
    data: {
      caseId: CASE_ID, channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
      description: '楼顶漏水', compoundId: 'compound-01', building: '3', unit: '2', lat: null, long: null,
      reporterName: '王女士', reporterPhone: '13800138000', anonymous: false, residentId: null, ...over,
    },
  }),
  dispatched: (assigneeId = 'company-jinling', tier: 'grid' | 'community' | 'street' | 'district' = 'grid'): CaseEvent =>
    ({ type: 'CaseDispatched', data: { assigneeId, tier } }),
  accepted: (assigneeId = 'company-jinling', tier: 'grid' | 'community' | 'street' | 'district' = 'grid'): CaseEvent =>
    ({ type: 'CaseAccepted', data: { assigneeId, tier } }),
  resolved: (): CaseEvent => ({ type: 'CaseResolved', data: { summary: '已修复', outcome: 'resolved' } }),
  rated: (rating: 'satisfied' | 'basically_satisfied' | 'unsatisfied' = 'unsatisfied'): CaseEvent =>
    ({ type: 'CaseRated', data: { rating, solved: rating !== 'unsatisfied', comment: null, source: 'resident' } }),
  whistle: (departmentIds = ['dept-urban', 'dept-fire'], whistleId = 'w-1'): CaseEvent =>
    ({ type: 'WhistleBlown', data: { whistleId, departmentIds, reason: '多部门协同' } }),
  reported: (departmentId: string, whistleId = 'w-1'): CaseEvent => ({ type: 'DepartmentReported', data: { whistleId, departmentId } }),
  acted: (departmentId: string, whistleId = 'w-1'): CaseEvent =>
    ({ type: 'DepartmentActed', data: { whistleId, departmentId, action: '已处置' } }),
  supervised: (supervisionId = 's-1'): CaseEvent =>
    ({ type: 'SupervisionOrdered', data: { supervisionId, reason: '超期未办', answerBy: null } }),
  extensionRequested: (until = '2026-03-20T02:00:00.000Z'): CaseEvent =>
    ({ type: 'ExtensionRequested', data: { until, reason: '需要采购配件' } }),
  withdrawn: (): CaseEvent => ({ type: 'CaseClosed', data: { kind: 'withdrawn', reason: '居民撤诉', mergedIntoCaseId: null } }),
};

/** Histories that bring a case to each status, the assignee being company-jinling at grid tier. */
export const histories: Record<string, CaseEvent[]> = {
  none: [],
  received: [ev.received()],
  dispatched: [ev.received(), ev.dispatched()],
  accepted: [ev.received(), ev.dispatched(), ev.accepted()],
  resolved: [ev.received(), ev.dispatched(), ev.accepted(), ev.resolved()],
  rated: [ev.received(), ev.dispatched(), ev.accepted(), ev.resolved(), ev.rated('unsatisfied')],
  closed: [ev.received(), ev.withdrawn()],
};
