import { actors, CASE_ID, ev, fold, given, histories } from './given-when-then';
import { CaseEvent } from '../src/case/case.events';
import { ReceiveCase } from '../src/case/case.commands';
import { ERASED, residentDetailsOf } from '../src/case/personal-data/personal-data';

const intake = (over: Partial<ReceiveCase['data']> = {}): ReceiveCase => ({
  type: 'ReceiveCase',
  data: {
    caseId: CASE_ID, channel: 'hotline_12345', category: 'safety.fire_lane', urgency: 'urgent', requestType: 'report',
    description: '消防通道被占', location: { compoundId: 'compound-03', building: '5' },
    reporter: { name: '张', phone: '13700000000' }, ...over,
  },
});

describe('receive', () => {
  it('records the intake with the location and reporter flattened', () => {
    given().when(intake()).then([{
      type: 'CaseReceived',
      data: {
        caseId: CASE_ID, channel: 'hotline_12345', category: 'safety.fire_lane', urgency: 'urgent', requestType: 'report',
        description: '消防通道被占', compoundId: 'compound-03', building: '5', unit: null, lat: null, long: null,
        reporterName: '张', reporterPhone: '13700000000', anonymous: false, residentId: null,
      },
    }]);
  });
  it('remembers which resident reported through the app, so the case is theirs', () => {
    const [event] = given().when(intake(), actors.resident).thenTypes('CaseReceived');
    expect(event.data).toMatchObject({ residentId: 'user-resident-1' });
  });
  it('keeps no name or phone of an anonymous reporter', () => {
    const [event] = given().when(intake({ reporter: { name: '张', phone: '1370000', anonymous: true } })).thenTypes('CaseReceived');
    expect(event.data).toMatchObject({ reporterName: null, reporterPhone: null, anonymous: true });
  });
  it('takes a grid patrol finding without a reporter (未诉先办)', () => {
    given().when(intake({ channel: 'grid_patrol', reporter: undefined }), actors.community).thenTypes('CaseReceived');
  });
  it('refuses a complaint with no reporter on other channels', () => {
    given().when(intake({ reporter: undefined })).thenRefused('REPORTER_REQUIRED', 'invalid');
    given().when(intake({ reporter: { name: '张' } })).thenRefused('REPORTER_REQUIRED', 'invalid');
  });
  it('refuses a category outside the catalogue and a location that is not a compound', () => {
    given().when(intake({ category: 'nope' })).thenRefused('UNKNOWN_CATEGORY', 'invalid');
    given().when(intake({ location: { compoundId: 'grid-111' } })).thenRefused('UNKNOWN_COMPOUND', 'invalid');
  });
});

describe('dispatch', () => {
  it('assigns a unit at a tier', () => {
    given(ev.received()).when({ type: 'DispatchCase', data: { assigneeId: 'grid-111', tier: 'grid' } })
      .then([{ type: 'CaseDispatched', data: { assigneeId: 'grid-111', tier: 'grid' } }]);
  });
  it('refuses an unknown unit and a unit of the wrong kind for the tier', () => {
    given(ev.received()).when({ type: 'DispatchCase', data: { assigneeId: 'nobody', tier: 'grid' } }).thenRefused('UNKNOWN_UNIT', 'invalid');
    given(ev.received()).when({ type: 'DispatchCase', data: { assigneeId: 'company-jinling', tier: 'street' } })
      .thenRefused('UNIT_KIND_NOT_ALLOWED_AT_TIER', 'invalid');
    given(ev.received()).when({ type: 'DispatchCase', data: { assigneeId: 'compound-01', tier: 'grid' } })
      .thenRefused('UNIT_KIND_NOT_ALLOWED_AT_TIER', 'invalid');
  });
  it('dispatches again after a return, and after a reopen', () => {
    const returned = [...histories.dispatched, { type: 'CaseReturned', data: { assigneeId: 'company-jinling', tier: 'grid', reason: 'other', note: null } } as const];
    given(...returned).when({ type: 'DispatchCase', data: { assigneeId: 'grid-111', tier: 'grid' } }).thenRefused('RETURN_REVIEW_PENDING');
    const reviewed = [...returned, { type: 'CaseReturnReviewed', data: { approved: true, note: null, assigneeId: 'company-jinling', tier: 'grid' } } as const];
    given(...reviewed).when({ type: 'DispatchCase', data: { assigneeId: 'grid-111', tier: 'grid' } }).thenTypes('CaseDispatched');
    const reopened = [...histories.rated, { type: 'CaseReopened', data: { reason: 'x', reworkCount: 1 } } as const];
    given(...reopened).when({ type: 'DispatchCase', data: { assigneeId: 'grid-111', tier: 'grid' } }).thenTypes('CaseDispatched');
  });
});

describe('accept and return', () => {
  it('only the assigned unit signs for a case or returns it', () => {
    const gate = { through: 'gate' } as const;
    given(...histories.dispatched).when({ type: 'AcceptCase', data: {} }, actors.otherCompany, gate).thenRefused('OUT_OF_SCOPE', 'forbidden');
    given(...histories.dispatched).when({ type: 'AcceptCase', data: {} }, actors.operator, gate).thenRefused('ROLE_NOT_ALLOWED', 'forbidden');
    given(...histories.dispatched).when({ type: 'ReturnCase', data: { reason: 'other' } }, actors.otherCompany, gate).thenRefused('OUT_OF_SCOPE');
    given(...histories.dispatched).when({ type: 'AcceptCase', data: {} }, actors.company, gate).thenTypes('CaseAccepted');
  });
  it('a return keeps who returned it and why, and puts the case back in the queue', () => {
    given(...histories.dispatched).when({ type: 'ReturnCase', data: { reason: 'unclear_ownership', note: '产权不清' } }, actors.company)
      .then([{ type: 'CaseReturned', data: { assigneeId: 'company-jinling', tier: 'grid', reason: 'unclear_ownership', note: '产权不清' } }]);
    const state = fold([...histories.dispatched, { type: 'CaseReturned', data: { assigneeId: 'company-jinling', tier: 'grid', reason: 'other', note: null } }]);
    expect(state).toMatchObject({ status: 'received', assigneeId: null, tier: null });
    expect(state.returns).toHaveLength(1);
  });
});

describe('escalate', () => {
  it('goes to the parent unit of the next tier above the compound', () => {
    given(...histories.accepted).when({ type: 'EscalateCase', data: { reason: '跨楼栋' } }, actors.company).then([{
      type: 'CaseEscalated',
      data: { fromTier: 'grid', toTier: 'community', fromAssigneeId: 'company-jinling', toAssigneeId: 'community-11', reason: '跨楼栋' },
    }]);
    const atCommunity = [ev.received(), ev.dispatched('community-11', 'community'), ev.accepted('community-11', 'community')];
    const [event] = given(...atCommunity).when({ type: 'EscalateCase', data: { reason: '难' } }, actors.community).thenTypes('CaseEscalated');
    expect(event.data).toMatchObject({ toTier: 'street', toAssigneeId: 'street-fuzimiao' });
    expect(fold([...atCommunity, event])).toMatchObject({ status: 'dispatched', tier: 'street', assigneeId: 'street-fuzimiao' });
  });
  it('goes only to the next-tier ancestor of the compound, named or not', () => {
    const [event] = given(...histories.accepted).when({ type: 'EscalateCase', data: { reason: 'x', assigneeId: 'community-11' } }).thenTypes('CaseEscalated');
    expect(event.data).toMatchObject({ toAssigneeId: 'community-11' });
    given(...histories.accepted).when({ type: 'EscalateCase', data: { reason: 'x', assigneeId: 'community-12' } })
      .thenRefused('UNIT_OUTSIDE_JURISDICTION', 'invalid');
    given(...histories.accepted).when({ type: 'EscalateCase', data: { reason: 'x', assigneeId: 'street-fuzimiao' } })
      .thenRefused('UNIT_OUTSIDE_JURISDICTION', 'invalid');
    given(...histories.accepted).when({ type: 'EscalateCase', data: { reason: 'x', assigneeId: 'nowhere' } }).thenRefused('UNKNOWN_UNIT', 'invalid');
  });
  it('stops at the district', () => {
    given(ev.received(), ev.dispatched('district-qinhuai', 'district')).when({ type: 'EscalateCase', data: { reason: 'x' } })
      .thenRefused('NO_HIGHER_TIER');
  });
});

describe('whistle and report (吹哨报到)', () => {
  const atStreet = [ev.received(), ev.dispatched('street-fuzimiao', 'street'), ev.accepted('street-fuzimiao', 'street')];
  it('the street names departments', () => {
    given(...atStreet).when({ type: 'BlowWhistle', data: { whistleId: 'w-1', departmentIds: ['dept-urban', 'dept-fire'], reason: '占道' } }, actors.street)
      .then([{ type: 'WhistleBlown', data: { whistleId: 'w-1', departmentIds: ['dept-urban', 'dept-fire'], reason: '占道' } }]);
  });
  it('names only departments, each once', () => {
    given(...atStreet).when({ type: 'BlowWhistle', data: { whistleId: 'w', departmentIds: ['dept-urban', 'dept-urban'], reason: 'x' } })
      .thenRefused('DUPLICATE_DEPARTMENT', 'invalid');
    given(...atStreet).when({ type: 'BlowWhistle', data: { whistleId: 'w', departmentIds: ['company-jinling'], reason: 'x' } })
      .thenRefused('UNKNOWN_DEPARTMENT', 'invalid');
  });
  const whistled = [...atStreet, ev.whistle()];
  it('a department not named may not report', () => {
    given(...whistled).when({ type: 'ReportDepartment', data: { whistleId: 'w-1', departmentId: 'dept-police' } })
      .thenRefused('DEPARTMENT_NOT_SUMMONED', 'invalid');
  });
  it('reports once, acts only after reporting, acts once', () => {
    given(...whistled).when({ type: 'ReportDepartment', data: { whistleId: 'w-1', departmentId: 'dept-urban' } }, actors.urban)
      .then([{ type: 'DepartmentReported', data: { whistleId: 'w-1', departmentId: 'dept-urban' } }]);
    given(...whistled, ev.reported('dept-urban')).when({ type: 'ReportDepartment', data: { whistleId: 'w-1', departmentId: 'dept-urban' } })
      .thenRefused('DEPARTMENT_ALREADY_REPORTED');
    given(...whistled).when({ type: 'RecordDepartmentAction', data: { whistleId: 'w-1', departmentId: 'dept-urban', action: 'x' } })
      .thenRefused('DEPARTMENT_NOT_REPORTED');
    given(...whistled, ev.reported('dept-urban'), ev.acted('dept-urban'))
      .when({ type: 'RecordDepartmentAction', data: { whistleId: 'w-1', departmentId: 'dept-urban', action: 'x' } })
      .thenRefused('DEPARTMENT_ALREADY_ACTED');
  });
  it('the whistle completes when the last named department has acted', () => {
    given(...whistled, ev.reported('dept-urban'))
      .when({ type: 'RecordDepartmentAction', data: { whistleId: 'w-1', departmentId: 'dept-urban', action: '拆除' } })
      .thenTypes('DepartmentActed');
    given(...whistled, ev.reported('dept-urban'), ev.reported('dept-fire'), ev.acted('dept-urban'))
      .when({ type: 'RecordDepartmentAction', data: { whistleId: 'w-1', departmentId: 'dept-fire', action: '清障' } })
      .then([
        { type: 'DepartmentActed', data: { whistleId: 'w-1', departmentId: 'dept-fire', action: '清障' } },
        { type: 'WhistleCompleted', data: { whistleId: 'w-1' } },
      ]);
  });
  it('resolve is refused while a whistle is open, allowed once it is complete', () => {
    const resolve = { type: 'ResolveCase', data: { summary: '完成', outcome: 'resolved' } } as const;
    given(...whistled, ev.reported('dept-urban'), ev.acted('dept-urban')).when(resolve).thenRefused('WHISTLE_OPEN');
    const done = [...whistled, ev.reported('dept-urban'), ev.reported('dept-fire'), ev.acted('dept-urban'), ev.acted('dept-fire'),
      { type: 'WhistleCompleted', data: { whistleId: 'w-1' } } as const];
    given(...done).when(resolve, actors.street).thenTypes('CaseResolved');
    given(...done).when({ type: 'RecordDepartmentAction', data: { whistleId: 'w-1', departmentId: 'dept-fire', action: 'x' } })
      .thenRefused('WHISTLE_COMPLETED');
  });
});

describe('involved units and unmasking', () => {
  it('remembers every unit a case was dispatched or escalated to and every whistled department', () => {
    const state = fold([ev.received(), ev.dispatched('company-huarun'), { type: 'CaseReturned', data: { assigneeId: 'company-huarun', tier: 'grid', reason: 'other', note: null } },
      ev.dispatched('street-fuzimiao', 'street'), ev.accepted('street-fuzimiao', 'street'), ev.whistle(['dept-urban'])]);
    expect(state.involvedUnitIds).toEqual(['company-huarun', 'street-fuzimiao', 'dept-urban']);
  });
  it('an unmask is recorded with its reason in any status, closed included, and changes nothing else', () => {
    given(...histories.closed).when({ type: 'UnmaskPersonalData', data: { reason: '投诉复核' } }, actors.operator)
      .then([{ type: 'PersonalDataUnmasked', data: { reason: '投诉复核' } }]);
    const before = fold(histories.closed);
    const after = fold([...histories.closed, { type: 'PersonalDataUnmasked', data: { reason: 'x' } }]);
    expect(after.unmaskCount).toBe(1);
    expect({ status: after.status, kind: after.closure?.kind, revisions: after.noteCount })
      .toEqual({ status: before.status, kind: before.closure?.kind, revisions: before.noteCount });
  });
});

describe('erasing personal data (PIPL)', () => {
  it('an operator erases once: the resident\'s words and identity read 已删除, the structural facts stay', () => {
    given(...histories.closed).when({ type: 'ErasePersonalData', data: { reason: '居民申请删除' } }, actors.operator)
      .then([{ type: 'PersonalDataErased', data: { reason: '居民申请删除' } }]);
    const before = fold(histories.closed);
    const after = fold([...histories.closed, { type: 'PersonalDataErased', data: { reason: 'x' } }]);
    const shown = residentDetailsOf(after);
    expect(shown.description).toBe(ERASED);
    expect(shown.reporter?.name === null || shown.reporter?.name === ERASED).toBe(true);
    expect(shown.reporter?.phone === null || shown.reporter?.phone === ERASED).toBe(true);
    expect(after.personalDataErasedAt).not.toBeNull();
    expect({ status: after.status, category: after.category, compound: after.location?.compoundId })
      .toEqual({ status: before.status, category: before.category, compound: before.location?.compoundId });
    given(...histories.closed, { type: 'PersonalDataErased', data: { reason: 'x' } })
      .when({ type: 'ErasePersonalData', data: { reason: '再次' } }, actors.operator).thenRefused('PERSONAL_DATA_ALREADY_ERASED', 'conflict');
  });

  it('refuses free text it could only store as 已删除 (a note, a rating comment) once the data is erased; a bare rating still counts', () => {
    const erased: CaseEvent = { type: 'PersonalDataErased', data: { reason: '居民申请删除' } };
    given(...histories.accepted, erased).when({ type: 'AddNote', data: { text: '已上门' } }, actors.company).thenRefused('PERSONAL_DATA_ERASED', 'conflict');
    given(...histories.resolved, erased).when({ type: 'RateCase', data: { rating: 'satisfied', solved: true, comment: '师傅很负责' } }, actors.operator)
      .thenRefused('PERSONAL_DATA_ERASED', 'conflict');
    given(...histories.resolved, erased).when({ type: 'RateCase', data: { rating: 'satisfied', solved: true } }, actors.operator)
      .then([{ type: 'CaseRated', data: { rating: 'satisfied', solved: true, comment: null, source: 'callback' } }]);
    given(...histories.accepted).when({ type: 'AddNote', data: { text: '已上门' } }, actors.company).then([{ type: 'CaseNoteAdded', data: { text: '已上门' } }]);
  });
});

describe('extensions', () => {
  it('a request needs a later date, and only one waits at a time', () => {
    given(...histories.accepted).when({ type: 'RequestExtension', data: { until: '2026-01-01T00:00:00.000Z', reason: 'x' } })
      .thenRefused('DATE_NOT_IN_FUTURE', 'invalid');
    given(...histories.accepted, ev.extensionRequested()).when({ type: 'RequestExtension', data: { until: '2026-05-01T00:00:00.000Z', reason: 'x' } })
      .thenRefused('EXTENSION_PENDING');
  });
  it('the deadline moves only when approved', () => {
    const approved = given(...histories.accepted, ev.extensionRequested()).when({ type: 'DecideExtension', data: { approved: true, note: '同意' } }, actors.supervisor)
      .thenTypes('ExtensionDecided');
    expect(approved[0].data).toEqual({ approved: true, until: '2026-03-20T02:00:00.000Z', note: '同意' });
    expect(fold([...histories.accepted, ev.extensionRequested(), ...approved]).extendedUntil).toBe('2026-03-20T02:00:00.000Z');
    const denied = given(...histories.accepted, ev.extensionRequested()).when({ type: 'DecideExtension', data: { approved: false } }).thenTypes('ExtensionDecided');
    const state = fold([...histories.accepted, ev.extensionRequested(), ...denied]);
    expect(state.extendedUntil).toBeNull();
    expect(state.pendingExtension).toBeNull();
  });
});

describe('supervision (督办)', () => {
  it('an order with a past answer-by time is refused', () => {
    given(...histories.accepted).when({ type: 'OrderSupervision', data: { supervisionId: 's', reason: 'x', answerBy: '2026-01-01T00:00:00.000Z' } })
      .thenRefused('DATE_NOT_IN_FUTURE', 'invalid');
  });
  it('stays open until answered, and is answered once', () => {
    given(...histories.accepted, ev.supervised()).when({ type: 'AnswerSupervision', data: { supervisionId: 's-1', answer: '已整改' } }, actors.company)
      .then([{ type: 'SupervisionAnswered', data: { supervisionId: 's-1', answer: '已整改' } }]);
    const answered = [...histories.accepted, ev.supervised(), { type: 'SupervisionAnswered', data: { supervisionId: 's-1', answer: 'x' } } as const];
    expect(fold(answered).supervisions[0]).toMatchObject({ answer: 'x' });
    given(...answered).when({ type: 'AnswerSupervision', data: { supervisionId: 's-1', answer: 'y' } }).thenRefused('SUPERVISION_ALREADY_ANSWERED');
  });
});

describe('rate, reopen, close', () => {
  it('a rating by a resident or by a callback operator (回访) says who rated', () => {
    const [byResident] = given(...histories.resolved).when({ type: 'RateCase', data: { rating: 'satisfied', solved: true } }, actors.resident).thenTypes('CaseRated');
    expect(byResident.data).toMatchObject({ source: 'resident', comment: null });
    const [byCallback] = given(...histories.resolved).when({ type: 'RateCase', data: { rating: 'basically_satisfied', solved: true, comment: '还行' } }, actors.operator).thenTypes('CaseRated');
    expect(byCallback.data).toMatchObject({ source: 'callback', comment: '还行' });
  });
  it('a rating does not close or reopen by itself', () => {
    expect(fold(histories.rated).status).toBe('resolved');
  });
  it('reopen after unsatisfied counts the rework and sends the case back to dispatch', () => {
    given(...histories.rated).when({ type: 'ReopenCase', data: { reason: '仍漏水' } }).then([{ type: 'CaseReopened', data: { reason: '仍漏水', reworkCount: 1 } }]);
    const state = fold([...histories.rated, { type: 'CaseReopened', data: { reason: 'x', reworkCount: 1 } }]);
    expect(state).toMatchObject({ status: 'received', reworkCount: 1, rating: null, assigneeId: null });
    expect(state.previousRatings).toHaveLength(1);
  });
  it('a supervisor may reopen a resolved case whatever its rating; others may not unless unsatisfied', () => {
    given(...histories.resolved, ev.rated('satisfied')).when({ type: 'ReopenCase', data: { reason: '抽查不合格' } }, actors.supervisor).thenTypes('CaseReopened');
    given(...histories.resolved, ev.rated('satisfied')).when({ type: 'ReopenCase', data: { reason: 'x' } }, actors.operator).thenRefused('REOPEN_NOT_ALLOWED');
  });
  it('close after rating is a rated closure; before resolution it is a withdrawal', () => {
    given(...histories.rated).when({ type: 'CloseCase', data: { reason: '结案' } })
      .then([{ type: 'CaseClosed', data: { kind: 'rated', reason: '结案', mergedIntoCaseId: null } }]);
    given(...histories.dispatched).when({ type: 'CloseCase', data: { reason: '居民撤诉' } })
      .then([{ type: 'CaseClosed', data: { kind: 'withdrawn', reason: '居民撤诉', mergedIntoCaseId: null } }]);
  });
  it('merge closes the duplicate, pointing at the primary, and never into itself', () => {
    const primary = fold([ev.received({ caseId: 'p-1', compoundId: 'compound-02' })]);
    given(...histories.received).when({ type: 'MergeCase', data: { intoCaseId: 'p-1' } }, actors.operator, { related: primary })
      .then([{ type: 'CaseClosed', data: { kind: 'duplicate', reason: 'duplicate of p-1', mergedIntoCaseId: 'p-1' } }]);
    given(...histories.received).when({ type: 'MergeCase', data: { intoCaseId: CASE_ID } }).thenRefused('MERGE_INTO_SELF', 'invalid');
  });
  it('the same merge again, once the duplicate is closed into that primary, writes nothing (a retry completes the primary\'s half); into another case it is refused', () => {
    const mergedInto = { type: 'CaseClosed', data: { kind: 'duplicate', reason: 'duplicate of p-1', mergedIntoCaseId: 'p-1' } } as const;
    const primary = fold([ev.received({ caseId: 'p-1', compoundId: 'compound-02' })]);
    const other = fold([ev.received({ caseId: 'p-2', compoundId: 'compound-02' })]);
    given(...histories.received, mergedInto).when({ type: 'MergeCase', data: { intoCaseId: 'p-1' } }, actors.operator, { related: primary }).then([]);
    given(...histories.received, mergedInto).when({ type: 'MergeCase', data: { intoCaseId: 'p-2' } }, actors.operator, { related: other }).thenRefused('CASE_CLOSED');
    given(...histories.closed).when({ type: 'MergeCase', data: { intoCaseId: 'p-1' } }, actors.operator, { related: primary }).thenRefused('CASE_CLOSED');
  });
});
