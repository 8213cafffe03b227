import { CaseEvent } from '../src/case/case.events';
import { actors, CASE_ID, ev, fold, given, histories } from './given-when-then';

/** The rules issue 12 added to the loop: jurisdiction, the commands it lacked, and the gaps found in use. */
const gate = { through: 'gate' } as const;
const districtSupervisor = { id: 'user-supervisor-district', role: 'supervisor', unitId: 'district-qinhuai' } as const;
const otherStreetSupervisor = { id: 'user-supervisor-street-zhonghuamen', role: 'supervisor', unitId: 'street-zhonghuamen' } as const;
const gridHandler = { id: 'user-handler-grid-111', role: 'handler', unitId: 'grid-111' } as const;
const atStreet: CaseEvent[] = [ev.received(), ev.dispatched('street-fuzimiao', 'street'), ev.accepted('street-fuzimiao', 'street')];

describe('jurisdiction (属地)', () => {
  it('dispatches only to units that cover the compound', () => {
    const dispatch = (assigneeId: string, tier: 'grid' | 'community' | 'street' | 'district') =>
      given(...histories.received).when({ type: 'DispatchCase', data: { assigneeId, tier } });
    dispatch('grid-211', 'grid').thenRefused('UNIT_OUTSIDE_JURISDICTION', 'invalid');
    dispatch('community-21', 'community').thenRefused('UNIT_OUTSIDE_JURISDICTION');
    dispatch('street-zhonghuamen', 'street').thenRefused('UNIT_OUTSIDE_JURISDICTION');
    dispatch('company-huarun', 'grid').thenRefused('UNIT_OUTSIDE_JURISDICTION');
    for (const [unit, tier] of [['company-jinling', 'grid'], ['grid-111', 'grid'], ['community-11', 'community'],
      ['street-fuzimiao', 'street'], ['district-qinhuai', 'district'], ['dept-urban', 'district']] as const) {
      dispatch(unit, tier).thenTypes('CaseDispatched');
    }
  });
  it('merges only within one street', () => {
    const elsewhere = fold([ev.received({ caseId: 'p-2', compoundId: 'compound-07' })]);
    given(...histories.received).when({ type: 'MergeCase', data: { intoCaseId: 'p-2' } }, actors.operator, { related: elsewhere })
      .thenRefused('MERGE_ACROSS_STREETS', 'conflict');
  });
  it('never merges a case into its own duplicate, nor records a duplicate on a closed primary (two opposite merges)', () => {
    const b = fold([ev.received({ caseId: 'b-1', compoundId: 'compound-02' })]);
    const aListsB: CaseEvent = { type: 'DuplicateMerged', data: { duplicateCaseId: 'b-1' } };
    given(ev.received(), aListsB).when({ type: 'MergeCase', data: { intoCaseId: 'b-1' } }, actors.operator, { related: b })
      .thenRefused('MERGE_CYCLE');
    const aClosedIntoB: CaseEvent = { type: 'CaseClosed', data: { kind: 'duplicate', reason: 'dup', mergedIntoCaseId: 'b-1' } };
    given(ev.received(), aClosedIntoB).when({ type: 'RecordDuplicateMerged', data: { duplicateCaseId: 'b-1' } }, actors.operator, { related: b })
      .thenRefused('PRIMARY_CASE_CLOSED');
  });
});

describe('intake channel by role', () => {
  const intake = (channel: string) => ({
    type: 'ReceiveCase' as const,
    data: {
      caseId: CASE_ID, channel: channel as 'online', category: 'repair.lift', urgency: 'normal' as const, requestType: 'help' as const,
      description: '电梯故障', location: { compoundId: 'compound-01' }, reporter: { name: '王', phone: '13800138000' },
    },
  });
  it('residents report online only, grid staff patrol findings only, operators anything but patrol', () => {
    given().when(intake('hotline_12345'), actors.resident, gate).thenRefused('CHANNEL_NOT_ALLOWED', 'invalid');
    given().when(intake('grid_patrol'), actors.resident, gate).thenRefused('CHANNEL_NOT_ALLOWED');
    given().when(intake('online'), actors.resident, gate).thenTypes('CaseReceived');
    given().when(intake('phone'), gridHandler, gate).thenRefused('CHANNEL_NOT_ALLOWED');
    given().when(intake('grid_patrol'), gridHandler, gate).thenTypes('CaseReceived');
    given().when(intake('grid_patrol'), actors.operator, gate).thenRefused('CHANNEL_NOT_ALLOWED');
    given().when(intake('joint_meeting'), actors.operator, gate).thenTypes('CaseReceived');
  });
});

describe('extensions only move the deadline later', () => {
  const due = { resolveDueAt: '2026-03-10T10:00:00.000Z' };
  it('refuses a request earlier than the current due time, and an approval once the due time passed it', () => {
    given(...histories.accepted).when({ type: 'RequestExtension', data: { until: '2026-03-05T02:00:00.000Z', reason: 'x' } }, actors.company, due)
      .thenRefused('EXTENSION_NOT_LATER', 'invalid');
    given(...histories.accepted).when({ type: 'RequestExtension', data: { until: '2026-03-12T02:00:00.000Z', reason: 'x' } }, actors.company, due)
      .thenTypes('ExtensionRequested');
    given(...histories.accepted, ev.extensionRequested('2026-03-09T02:00:00.000Z'))
      .when({ type: 'DecideExtension', data: { approved: true } }, actors.supervisor, due).thenRefused('EXTENSION_NOT_LATER', 'conflict');
    given(...histories.accepted, ev.extensionRequested('2026-03-09T02:00:00.000Z'))
      .when({ type: 'DecideExtension', data: { approved: false } }, actors.supervisor, due).thenTypes('ExtensionDecided');
  });
});

describe('supervision orders and closing', () => {
  it('refuses the operator\'s close while an order waits for its answer', () => {
    given(...histories.rated, ev.supervised()).when({ type: 'CloseCase', data: { reason: '结案' } }).thenRefused('SUPERVISION_OPEN');
    given(...histories.rated, ev.supervised(), { type: 'SupervisionAnswered', data: { supervisionId: 's-1', answer: '已办' } })
      .when({ type: 'CloseCase', data: { reason: '结案' } }).thenTypes('CaseClosed');
  });
  it('a withdrawal and the rating window end open orders with the case, recorded', () => {
    given(...histories.accepted, ev.supervised()).when({ type: 'CloseCase', data: { reason: '撤诉' } })
      .thenTypes('SupervisionEnded', 'CaseClosed');
    const window = { type: 'RecordDeadlineReached' as const, data: { deadlineId: 'rw@4', kind: 'rating_window_expired' as const, dueAt: '2026-03-01T00:00:00.000Z' } };
    const state = fold([...histories.resolved, ev.supervised()]);
    expect(state.supervisions[0].endedAt).toBeNull();
    given(...histories.resolved, ev.supervised()).when(window, { id: 'system:deadlines', role: 'system', unitId: null }, gate)
      .thenTypes('SupervisionEnded', 'CaseClosed');
  });
});

describe('transfer (转办)', () => {
  it('corrects the location; the case waits for dispatch in the new jurisdiction', () => {
    const [moved] = given(...histories.dispatched).when({ type: 'TransferCase', data: { compoundId: 'compound-07', reason: '地址有误' } }, actors.operator, gate)
      .thenTypes('CaseTransferred');
    expect(moved.data).toMatchObject({ fromCompoundId: 'compound-01', toCompoundId: 'compound-07', previousAssigneeId: 'company-jinling' });
    const after = [...histories.dispatched, moved];
    expect(fold(after)).toMatchObject({ status: 'received', assigneeId: null, location: { compoundId: 'compound-07' } });
    given(...after).when({ type: 'DispatchCase', data: { assigneeId: 'grid-111', tier: 'grid' } }).thenRefused('UNIT_OUTSIDE_JURISDICTION');
    given(...after).when({ type: 'DispatchCase', data: { assigneeId: 'grid-211', tier: 'grid' } }).thenTypes('CaseDispatched');
  });
  it('refuses the same compound, an unknown one, a handler, and an open whistle', () => {
    given(...histories.received).when({ type: 'TransferCase', data: { compoundId: 'compound-01', reason: 'x' } }).thenRefused('TRANSFER_TO_SAME_COMPOUND');
    given(...histories.received).when({ type: 'TransferCase', data: { compoundId: 'grid-111', reason: 'x' } }).thenRefused('UNKNOWN_COMPOUND');
    given(...histories.received).when({ type: 'TransferCase', data: { compoundId: 'compound-07', reason: 'x' } }, actors.company, gate)
      .thenRefused('ROLE_NOT_ALLOWED');
    given(...atStreet, ev.whistle()).when({ type: 'TransferCase', data: { compoundId: 'compound-07', reason: 'x' } }).thenRefused('WHISTLE_OPEN');
  });
});

describe('remind (催办) and recall (撤回)', () => {
  it('a reminder is recorded against the holder and counted', () => {
    const [reminded] = given(...histories.accepted).when({ type: 'RemindCase', data: { note: '请尽快' } }, actors.supervisor, gate).thenTypes('CaseReminded');
    expect(reminded.data).toEqual({ assigneeId: 'company-jinling', tier: 'grid', note: '请尽快' });
    expect(fold([...histories.accepted, reminded]).reminderCount).toBe(1);
    given(...histories.accepted).when({ type: 'RemindCase', data: { note: 'x' } }, otherStreetSupervisor, gate).thenRefused('OUT_OF_SCOPE');
  });
  it('the dispatch centre recalls its own dispatch before sign-for, never an escalation', () => {
    given(...histories.dispatched).when({ type: 'RecallDispatch', data: { reason: '派错' } }, actors.operator, gate).thenTypes('DispatchRecalled');
    given(...histories.accepted).when({ type: 'RecallDispatch', data: { reason: 'x' } }).thenRefused('CASE_NOT_DISPATCHED');
    const escalated: CaseEvent = { type: 'CaseEscalated', data: { fromTier: 'grid', toTier: 'community', fromAssigneeId: 'company-jinling', toAssigneeId: 'community-11', reason: 'x' } };
    given(...histories.accepted, escalated).when({ type: 'RecallDispatch', data: { reason: 'x' } }).thenRefused('RECALL_NOT_ALLOWED');
  });
});

describe('return review (退单审核)', () => {
  const returned: CaseEvent[] = [...histories.dispatched, { type: 'CaseReturned', data: { assigneeId: 'company-jinling', tier: 'grid', reason: 'other', note: null } }];
  it('approved: back to the dispatch queue; rejected: back to the unit that returned it, which must handle it', () => {
    const [approved] = given(...returned).when({ type: 'ReviewReturn', data: { approved: true } }, actors.operator, gate).thenTypes('CaseReturnReviewed');
    expect(fold([...returned, approved])).toMatchObject({ status: 'received', pendingReturn: null });
    const [rejected] = given(...returned).when({ type: 'ReviewReturn', data: { approved: false, note: '属本单位职责' } }).thenTypes('CaseReturnReviewed');
    const back = [...returned, rejected];
    expect(fold(back)).toMatchObject({ status: 'accepted', assigneeId: 'company-jinling', tier: 'grid', pendingReturn: null });
    given(...back).when({ type: 'ReturnCase', data: { reason: 'other' } }, actors.company).thenRefused('CASE_NOT_DISPATCHED');
    given(...back).when({ type: 'ResolveCase', data: { summary: '已修', outcome: 'resolved' } }, actors.company, gate).thenTypes('CaseResolved');
    given(...histories.received).when({ type: 'ReviewReturn', data: { approved: true } }).thenRefused('NO_RETURN_PENDING');
  });
});

describe('whistle withdrawal', () => {
  const withdraw = { type: 'WithdrawWhistle' as const, data: { whistleId: 'w-1', reason: '已协调解决' } };
  it('a withdrawn whistle no longer blocks resolve, and its departments can no longer report', () => {
    given(...atStreet, ev.whistle()).when({ type: 'ResolveCase', data: { summary: 'x', outcome: 'resolved' } }).thenRefused('WHISTLE_OPEN');
    const [withdrawn] = given(...atStreet, ev.whistle()).when(withdraw, actors.supervisor, gate).thenTypes('WhistleWithdrawn');
    expect(withdrawn.data).toEqual({ whistleId: 'w-1', reason: '已协调解决', pendingDepartmentIds: ['dept-urban', 'dept-fire'] });
    given(...atStreet, ev.whistle(), withdrawn).when({ type: 'ResolveCase', data: { summary: 'x', outcome: 'resolved' } }).thenTypes('CaseResolved');
    given(...atStreet, ev.whistle(), withdrawn).when({ type: 'ReportDepartment', data: { whistleId: 'w-1', departmentId: 'dept-urban' } }, actors.urban)
      .thenRefused('WHISTLE_WITHDRAWN');
  });
  it('after escalation to the district the district supervisor can withdraw it; others may not', () => {
    const up: CaseEvent = { type: 'CaseEscalated', data: { fromTier: 'street', toTier: 'district', fromAssigneeId: 'street-fuzimiao', toAssigneeId: 'district-qinhuai', reason: 'x' } };
    given(...atStreet, ev.whistle(), up).when(withdraw, districtSupervisor, gate).thenTypes('WhistleWithdrawn');
    given(...atStreet, ev.whistle(), up).when(withdraw, otherStreetSupervisor, gate).thenRefused('OUT_OF_SCOPE');
    given(...atStreet, ev.whistle(), up).when(withdraw, gridHandler, gate).thenRefused('ROLE_NOT_ALLOWED');
  });
  it('an unknown whistle id is a 404, not a 403', () => {
    given(...atStreet, ev.whistle()).when({ type: 'ReportDepartment', data: { whistleId: 'nope', departmentId: 'dept-urban' } }, actors.urban, gate)
      .thenRefused('UNKNOWN_WHISTLE', 'not_found');
    given(...atStreet).when({ type: 'AnswerSupervision', data: { supervisionId: 'nope', answer: 'x' } }, actors.street, gate)
      .thenRefused('UNKNOWN_SUPERVISION', 'not_found');
  });
});
