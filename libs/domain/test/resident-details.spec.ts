import { ev, fold, histories, NOW } from './given-when-then';
import { CaseEvent } from '../src/case/case.events';
import { evolve } from '../src/case/case.evolve';
import { initialCaseState } from '../src/case/case.state';
import { ERASED, personalFieldsOf, residentDetailsOf } from '../src/case/personal-data/personal-data';

const erased: CaseEvent = { type: 'PersonalDataErased', data: { reason: '居民申请删除' } };
const transferred: CaseEvent = { type: 'CaseTransferred', data: { fromCompoundId: 'compound-01', toCompoundId: 'compound-02', reason: '地址有误', previousAssigneeId: null, previousTier: null } };

describe('the resident\'s details on a case (read only where a view shows them)', () => {
  it('a fold never reads the intake\'s personal fields (an erasure only asks which were given): a store may decrypt them only when a view does', () => {
    const intake = ev.received();
    if (intake.type !== 'CaseReceived') throw new Error('ev.received made no intake');
    const reads: string[] = [];
    const data = { ...intake.data };
    for (const field of personalFieldsOf('CaseReceived')) {
      const value: unknown = Object.getOwnPropertyDescriptor(data, field)?.value;
      Object.defineProperty(data, field, { enumerable: true, get: () => { reads.push(field); return value; } });
    }
    const watched: CaseEvent = { type: 'CaseReceived', data };
    const history = [watched, ev.dispatched(), ev.accepted(), ev.resolved(), ev.rated(), transferred];
    const state = history.reduce((s, event) => evolve(s, event, NOW), initialCaseState());
    expect(reads).toEqual([]);
    expect(state.location).toEqual({ compoundId: 'compound-02', lat: null, long: null });
    residentDetailsOf(state);
    expect(reads.length).toBeGreaterThan(0);
    // The erasure replaces the intake's data with ERASED where something was given (null stays null):
    // it reads each field once, and what it keeps no longer reads the event's data at all.
    reads.length = 0;
    const erasedState = evolve(state, erased, NOW);
    expect(reads.sort()).toEqual(['building', 'reporterName', 'reporterPhone', 'unit']);
    reads.length = 0;
    residentDetailsOf(erasedState);
    expect(reads).toEqual([]);
  });

  it('shows what the resident gave; after a transfer the intake\'s building and unit no longer locate the case', () => {
    expect(residentDetailsOf(fold(histories.received))).toEqual({
      description: '楼顶漏水', reporter: { name: '王女士', phone: '13800138000', anonymous: false }, building: '3', unit: '2',
    });
    expect(residentDetailsOf(fold([...histories.received, transferred]))).toMatchObject({ description: '楼顶漏水', building: null, unit: null });
    expect(residentDetailsOf(fold(histories.none))).toEqual({ description: null, reporter: null, building: null, unit: null });
  });

  it('after an erasure every text reads 已删除 and what was never given stays null', () => {
    const history = [ev.received({ unit: null, reporterName: null, reporterPhone: null, anonymous: true }), erased];
    expect(residentDetailsOf(fold(history))).toEqual({
      description: ERASED, reporter: { name: null, phone: null, anonymous: true }, building: ERASED, unit: null,
    });
  });
});
