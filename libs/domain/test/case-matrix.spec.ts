import { Actor, CaseCommand, CaseCommandType, DecisionContext } from '../src/case/case.commands';
import { actors, CASE_ID, ev, fold, histories, runDecide } from './given-when-then';

/**
 * Every command in every status: the event types it writes where it is legal, the refusal code
 * where it is not. The assignee in these histories is company-jinling at grid tier.
 */
type Expected = string[] | string;
const STATUSES = ['none', 'received', 'dispatched', 'accepted', 'resolved', 'rated', 'closed'] as const;

const NR = 'CASE_NOT_RECEIVED', ND = 'CASE_NOT_DISPATCHED', NA = 'CASE_NOT_ACCEPTED', NRS = 'CASE_NOT_RESOLVED';
const NF = 'CASE_NOT_FOUND', CL = 'CASE_CLOSED', NS = 'CASE_STATUS_NOT_ALLOWED';

const primary = fold([ev.received({ caseId: 'primary-case', compoundId: 'compound-02' })]);
const duplicate = fold([ev.received({ caseId: 'dup-case', compoundId: 'compound-02' })]);

type Row = [string, CaseCommand, Actor, Record<(typeof STATUSES)[number], Expected>, Partial<DecisionContext>?];
const matrix: Row[] = [
  ['receive', {
    type: 'ReceiveCase',
    data: {
      caseId: CASE_ID, channel: 'phone', category: 'repair.lift', urgency: 'urgent', requestType: 'help',
      description: '电梯困人', location: { compoundId: 'compound-02' }, reporter: { name: '李', phone: '13900000000' },
    },
  }, actors.operator, {
    none: ['CaseReceived'], received: 'CASE_ALREADY_EXISTS', dispatched: 'CASE_ALREADY_EXISTS', accepted: 'CASE_ALREADY_EXISTS',
    resolved: 'CASE_ALREADY_EXISTS', rated: 'CASE_ALREADY_EXISTS', closed: 'CASE_ALREADY_EXISTS',
  }],
  ['dispatch', { type: 'DispatchCase', data: { assigneeId: 'company-jinling', tier: 'grid' } }, actors.operator,
    { none: NF, received: ['CaseDispatched'], dispatched: NR, accepted: NR, resolved: NR, rated: NR, closed: CL }],
  ['accept', { type: 'AcceptCase', data: {} }, actors.company,
    { none: NF, received: ND, dispatched: ['CaseAccepted'], accepted: ND, resolved: ND, rated: ND, closed: CL }],
  ['return', { type: 'ReturnCase', data: { reason: 'not_our_jurisdiction' } }, actors.company,
    { none: NF, received: ND, dispatched: ['CaseReturned'], accepted: ND, resolved: ND, rated: ND, closed: CL }],
  ['note', { type: 'AddNote', data: { text: '已联系居民' } }, actors.company, {
    none: NF, received: ['CaseNoteAdded'], dispatched: ['CaseNoteAdded'], accepted: ['CaseNoteAdded'],
    resolved: ['CaseNoteAdded'], rated: ['CaseNoteAdded'], closed: CL,
  }],
  ['extension-request', { type: 'RequestExtension', data: { until: '2026-04-01T00:00:00.000Z', reason: '等配件' } }, actors.company,
    { none: NF, received: NA, dispatched: NA, accepted: ['ExtensionRequested'], resolved: NA, rated: NA, closed: CL }],
  ['extension-decision', { type: 'DecideExtension', data: { approved: true } }, actors.supervisor,
    { none: NF, received: NA, dispatched: NA, accepted: 'NO_EXTENSION_PENDING', resolved: NA, rated: NA, closed: CL }],
  ['resolve', { type: 'ResolveCase', data: { summary: '已修复', outcome: 'resolved' } }, actors.company,
    { none: NF, received: NA, dispatched: NA, accepted: ['CaseResolved'], resolved: NA, rated: NA, closed: CL }],
  ['escalate', { type: 'EscalateCase', data: { reason: '需社区协调' } }, actors.company,
    { none: NF, received: NS, dispatched: ['CaseEscalated'], accepted: ['CaseEscalated'], resolved: NS, rated: NS, closed: CL }],
  ['whistle', { type: 'BlowWhistle', data: { whistleId: 'w-9', departmentIds: ['dept-urban'], reason: '违建' } }, actors.street,
    { none: NF, received: NA, dispatched: NA, accepted: 'WHISTLE_REQUIRES_STREET_TIER', resolved: NA, rated: NA, closed: CL }],
  ['department-report', { type: 'ReportDepartment', data: { whistleId: 'w-9', departmentId: 'dept-urban' } }, actors.urban, {
    none: NF, received: 'UNKNOWN_WHISTLE', dispatched: 'UNKNOWN_WHISTLE', accepted: 'UNKNOWN_WHISTLE',
    resolved: 'UNKNOWN_WHISTLE', rated: 'UNKNOWN_WHISTLE', closed: CL,
  }],
  ['department-action', { type: 'RecordDepartmentAction', data: { whistleId: 'w-9', departmentId: 'dept-urban', action: 'x' } }, actors.urban, {
    none: NF, received: 'UNKNOWN_WHISTLE', dispatched: 'UNKNOWN_WHISTLE', accepted: 'UNKNOWN_WHISTLE',
    resolved: 'UNKNOWN_WHISTLE', rated: 'UNKNOWN_WHISTLE', closed: CL,
  }],
  ['supervise', { type: 'OrderSupervision', data: { supervisionId: 's-9', reason: '超期' } }, actors.supervisor, {
    none: NF, received: ['SupervisionOrdered'], dispatched: ['SupervisionOrdered'], accepted: ['SupervisionOrdered'],
    resolved: ['SupervisionOrdered'], rated: ['SupervisionOrdered'], closed: CL,
  }],
  ['supervision-answer', { type: 'AnswerSupervision', data: { supervisionId: 's-9', answer: '已处理' } }, actors.company, {
    none: NF, received: 'UNKNOWN_SUPERVISION', dispatched: 'UNKNOWN_SUPERVISION', accepted: 'UNKNOWN_SUPERVISION',
    resolved: 'UNKNOWN_SUPERVISION', rated: 'UNKNOWN_SUPERVISION', closed: CL,
  }],
  ['rate', { type: 'RateCase', data: { rating: 'satisfied', solved: true } }, actors.resident,
    { none: NF, received: NRS, dispatched: NRS, accepted: NRS, resolved: ['CaseRated'], rated: 'CASE_ALREADY_RATED', closed: CL }],
  ['reopen', { type: 'ReopenCase', data: { reason: '居民不满意' } }, actors.operator,
    { none: NF, received: NRS, dispatched: NRS, accepted: NRS, resolved: 'REOPEN_NOT_ALLOWED', rated: ['CaseReopened'], closed: CL }],
  ['close', { type: 'CloseCase', data: { reason: '结案' } }, actors.operator, {
    none: NF, received: ['CaseClosed'], dispatched: ['CaseClosed'], accepted: ['CaseClosed'],
    resolved: 'CASE_NOT_RATED', rated: ['CaseClosed'], closed: CL,
  }],
  ['merge', { type: 'MergeCase', data: { intoCaseId: 'primary-case' } }, actors.operator, {
    none: NF, received: ['CaseClosed'], dispatched: ['CaseClosed'], accepted: ['CaseClosed'], resolved: NS, rated: NS, closed: CL,
  }, { related: primary }],
  ['merge (primary half)', { type: 'RecordDuplicateMerged', data: { duplicateCaseId: 'dup-case' } }, actors.operator, {
    none: NF, received: ['DuplicateMerged'], dispatched: ['DuplicateMerged'], accepted: ['DuplicateMerged'],
    resolved: ['DuplicateMerged'], rated: ['DuplicateMerged'], closed: 'PRIMARY_CASE_CLOSED',
  }, { related: duplicate }],
  ['transfer', { type: 'TransferCase', data: { compoundId: 'compound-07', reason: '地址有误' } }, actors.operator, {
    none: NF, received: ['CaseTransferred'], dispatched: ['CaseTransferred'], accepted: ['CaseTransferred'], resolved: NS, rated: NS, closed: CL,
  }],
  ['remind', { type: 'RemindCase', data: { note: '请尽快处理' } }, actors.operator, {
    none: NF, received: NS, dispatched: ['CaseReminded'], accepted: ['CaseReminded'], resolved: NS, rated: NS, closed: CL,
  }],
  ['recall', { type: 'RecallDispatch', data: { reason: '派错单位' } }, actors.operator,
    { none: NF, received: ND, dispatched: ['DispatchRecalled'], accepted: ND, resolved: ND, rated: ND, closed: CL }],
  ['whistle-withdraw', { type: 'WithdrawWhistle', data: { whistleId: 'w-9', reason: '已协调' } }, actors.supervisor, {
    none: NF, received: 'UNKNOWN_WHISTLE', dispatched: 'UNKNOWN_WHISTLE', accepted: 'UNKNOWN_WHISTLE',
    resolved: 'UNKNOWN_WHISTLE', rated: 'UNKNOWN_WHISTLE', closed: CL,
  }],
  ['return-review', { type: 'ReviewReturn', data: { approved: true } }, actors.operator,
    { none: NF, received: 'NO_RETURN_PENDING', dispatched: NR, accepted: NR, resolved: NR, rated: NR, closed: CL }],
  ['unmask', { type: 'UnmaskPersonalData', data: { reason: '复核' } }, actors.operator, {
    none: NF, received: ['PersonalDataUnmasked'], dispatched: ['PersonalDataUnmasked'], accepted: ['PersonalDataUnmasked'],
    resolved: ['PersonalDataUnmasked'], rated: ['PersonalDataUnmasked'], closed: ['PersonalDataUnmasked'],
  }],
  ['erase', { type: 'ErasePersonalData', data: { reason: '居民申请删除' } }, actors.operator, {
    none: NF, received: ['PersonalDataErased'], dispatched: ['PersonalDataErased'], accepted: ['PersonalDataErased'],
    resolved: ['PersonalDataErased'], rated: ['PersonalDataErased'], closed: ['PersonalDataErased'],
  }],
];

describe('every case command in every status', () => {
  const rows = matrix.flatMap(([name, command, actor, expected, extra]) =>
    STATUSES.map((status) => [name, status, command, actor, expected[status], extra ?? {}] as const));

  it.each(rows)('%s when %s', (_name, status, command, actor, expected, extra) => {
    const outcome = runDecide(histories[status], command, actor, extra);
    if (typeof expected === 'string') {
      expect('refused' in outcome && outcome.refused.code).toBe(expected);
    } else {
      expect('events' in outcome && outcome.events.map((e) => e.type)).toEqual(expected);
    }
  });

  it('covers every command type of the decider (deadlines have their own spec)', () => {
    const covered: Record<Exclude<CaseCommandType, 'RecordDeadlineReached' | 'RecordDeadlineRescheduled'>, true> = {
      ReceiveCase: true, DispatchCase: true, AcceptCase: true, ReturnCase: true, AddNote: true, RequestExtension: true,
      DecideExtension: true, ResolveCase: true, EscalateCase: true, BlowWhistle: true, ReportDepartment: true,
      RecordDepartmentAction: true, OrderSupervision: true, AnswerSupervision: true, RateCase: true, ReopenCase: true,
      CloseCase: true, MergeCase: true, RecordDuplicateMerged: true, UnmaskPersonalData: true, ErasePersonalData: true, TransferCase: true,
      RemindCase: true, RecallDispatch: true, WithdrawWhistle: true, ReviewReturn: true,
    };
    expect(new Set(matrix.map(([, command]) => command.type))).toEqual(new Set(Object.keys(covered)));
  });
});
