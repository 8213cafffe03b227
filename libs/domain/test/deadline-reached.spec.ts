import { actors, CASE_ID, ev, given } from './given-when-then';
import { ReceiveCase } from '../src/case/case.commands';
import { RecordDeadlineReached } from '../src/case/deadline/deadline.command';
import { SlaTerms, SlaTermsAtIntake, slaTermsAtIntake } from '../src/case/deadline/sla-terms';
import { CaseEvent } from '../src/case/case.events';

const DUE = '2026-03-02T01:00:00.000Z';
const reached = (kind: RecordDeadlineReached['data']['kind'], over: Partial<RecordDeadlineReached['data']> = {}): RecordDeadlineReached =>
  ({ type: 'RecordDeadlineReached', data: { deadlineId: `${kind}@1`, kind, dueAt: DUE, ...over } });
const system = { id: 'system:deadlines', role: 'system' as const, unitId: null };
const supervised: CaseEvent = { type: 'SupervisionOrdered', data: { supervisionId: 's-1', reason: '超期', answerBy: null } };

const terms: SlaTerms = {
  policyVersion: '2026.1', calendar: 'cn-mainland', signFor: 'PT2H', resolve: 'P7D', whistleReport: 'PT30M',
  supervisionAnswer: 'P1D', ratingWindow: 'P3D', warnAt: 0.75, escalateOnResolveOverdue: ['grid>community', 'district>'],
};

describe('SLA terms at intake', () => {
  it('records the policy version and terms in force next to the intake', () => {
    const intake: ReceiveCase = {
      type: 'ReceiveCase',
      data: {
        caseId: CASE_ID, channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
        description: '漏水', location: { compoundId: 'compound-01' }, reporter: { name: '王', phone: '138' }, sla: terms,
      },
    };
    const [received] = given().when(intake).thenTypes('CaseReceived');
    expect(received.data).toMatchObject({
      slaPolicyVersion: '2026.1', slaCalendar: 'cn-mainland', slaSignFor: 'PT2H', slaResolve: 'P7D', slaWhistleReport: 'PT30M',
      slaSupervisionAnswer: 'P1D', slaRatingWindow: 'P3D', slaWarnAt: 0.75, slaEscalateOnResolveOverdue: ['grid>community', 'district>'],
    });
    expect(slaTermsAtIntake(received.data as SlaTermsAtIntake)).toEqual(terms);
  });
});

describe('deadline reached', () => {
  it('warns, then marks sign-for overdue, while the case waits to be signed for', () => {
    given(ev.received(), ev.dispatched()).when(reached('sign_for_warning'), system)
      .then([{ type: 'SignForWarned', data: { deadlineId: 'sign_for_warning@1', dueAt: DUE, assigneeId: 'company-jinling', tier: 'grid' } }]);
    given(ev.received(), ev.dispatched()).when(reached('sign_for_overdue'), system).thenTypes('SignForOverdue');
  });

  it('refuses a sign-for deadline once the case is accepted (stale timer)', () => {
    given(ev.received(), ev.dispatched(), ev.accepted()).when(reached('sign_for_overdue'), system)
      .thenRefused('DEADLINE_NOT_APPLICABLE', 'conflict');
  });

  it('refuses a deadline that is not due yet', () => {
    given(ev.received(), ev.dispatched()).when(reached('sign_for_overdue', { dueAt: '2026-03-02T02:00:00.001Z' }), system)
      .thenRefused('DEADLINE_NOT_DUE');
  });

  it('warns on resolution, and escalates an overdue grid case to the community as the policy names', () => {
    given(ev.received(), ev.dispatched(), ev.accepted()).when(reached('resolution_warning'), system).thenTypes('ResolutionWarned');
    const [, escalated] = given(ev.received(), ev.dispatched(), ev.accepted())
      .when(reached('resolution_overdue', { escalateTo: 'community', policyVersion: '2026.1' }), system)
      .thenTypes('ResolutionOverdue', 'CaseEscalated');
    expect(escalated.data).toMatchObject({ fromTier: 'grid', toTier: 'community', toAssigneeId: 'community-11' });
  });

  it('marks resolution overdue without escalation when the policy names no higher tier', () => {
    given(ev.received(), ev.dispatched(), ev.accepted()).when(reached('resolution_overdue', { escalateTo: null }), system)
      .thenTypes('ResolutionOverdue');
  });

  it('refuses an escalation that does not go up', () => {
    given(ev.received(), ev.dispatched('community-11', 'community'), ev.accepted('community-11', 'community'))
      .when(reached('resolution_overdue', { escalateTo: 'grid' }), system).thenRefused('ESCALATION_NOT_UPWARD', 'invalid');
  });

  it('marks only the whistled department that has not reported', () => {
    const history = [ev.received(), ev.dispatched('street-fuzimiao', 'street'), ev.accepted('street-fuzimiao', 'street'), ev.whistle(),
      { type: 'DepartmentReported', data: { whistleId: 'w-1', departmentId: 'dept-urban' } } as CaseEvent];
    given(...history).when(reached('whistle_report_overdue', { whistleId: 'w-1', departmentId: 'dept-fire' }), system)
      .then([{ type: 'WhistleReportOverdue', data: { deadlineId: 'whistle_report_overdue@1', dueAt: DUE, whistleId: 'w-1', departmentId: 'dept-fire' } }]);
    given(...history).when(reached('whistle_report_overdue', { whistleId: 'w-1', departmentId: 'dept-urban' }), system)
      .thenRefused('DEADLINE_NOT_APPLICABLE');
  });

  it('marks an unanswered supervision order overdue, and not an answered one', () => {
    given(ev.received(), ev.dispatched(), supervised).when(reached('supervision_answer_overdue', { supervisionId: 's-1' }), system)
      .thenTypes('SupervisionAnswerOverdue');
    const answered: CaseEvent = { type: 'SupervisionAnswered', data: { supervisionId: 's-1', answer: '已处理' } };
    given(ev.received(), ev.dispatched(), supervised, answered)
      .when(reached('supervision_answer_overdue', { supervisionId: 's-1' }), system).thenRefused('DEADLINE_NOT_APPLICABLE');
  });

  it('closes a resolved case nobody rated when the rating window expires', () => {
    const [closed] = given(ev.received(), ev.dispatched(), ev.accepted(), ev.resolved())
      .when(reached('rating_window_expired'), system).thenTypes('CaseClosed');
    expect(closed.data).toMatchObject({ kind: 'rating_window_expired', mergedIntoCaseId: null });
    given(ev.received(), ev.dispatched(), ev.accepted(), ev.resolved(), ev.rated('satisfied'))
      .when(reached('rating_window_expired'), system).thenRefused('DEADLINE_NOT_APPLICABLE');
  });

  it('refuses any deadline on a closed case', () => {
    given(ev.received(), { type: 'CaseClosed', data: { kind: 'withdrawn', reason: 'x', mergedIntoCaseId: null } })
      .when(reached('sign_for_overdue'), actors.operator).thenRefused('CASE_CLOSED');
  });
});
