import { ERASED, SlaTerms } from '@civicloop/domain';
import { CaseEventEnvelope, Projection, ProjectionEnv, RowSink } from '../projection';
import { periodKeys } from '../periods';
import { Row, TableSpec } from '../table-spec';

export const BOARD_TABLE: TableSpec = {
  name: 'board_cases',
  columns: {
    case_id: 'text', status: 'text', tier: 'text', assignee_id: 'text', compound_id: 'text', grid_id: 'text',
    community_id: 'text', street_id: 'text', district_id: 'text', company_id: 'text', category: 'text',
    channel: 'text', urgency: 'text', request_type: 'text', description: 'text', received_at: 'text',
    received_day: 'text', received_week: 'text', received_month: 'text', round_started_at: 'text',
    dispatched_at: 'text', accepted_at: 'text', resolved_at: 'text', closed_at: 'text', closure_kind: 'text',
    sla_policy_version: 'text', sla_calendar: 'text', sla_sign_for: 'text', sla_resolve: 'text',
    sign_due_at: 'text', resolve_due_at: 'text', next_due_at: 'text', sign_late: 'int', resolve_late: 'int',
    sign_overdue_flag: 'int', resolve_overdue_flag: 'int', sign_due_provisional: 'int', resolve_due_provisional: 'int',
    ever_sign_overdue: 'int', ever_resolve_overdue: 'int', sla_dispatch: 'text', dispatch_due_at: 'text', dispatch_overdue_flag: 'int',
    ever_dispatch_overdue: 'int', returns: 'int', escalations: 'int', reworks: 'int', reminders: 'int',
    whistles: 'int', open_whistles: 'int', whistle_departments: 'text', open_supervisions: 'int', rating: 'text',
    updated_at: 'text', position: 'num',
    /** The resident who reported it online (their own cases: GET /views/my-cases). */
    resident_id: 'text',
    /** When the resident's personal data was erased (the retention job's marker: a description may read 已删除 in the resident's own words). */
    personal_data_erased_at: 'text',
  },
  primaryKey: ['case_id'],
  indexes: [['received_at'], ['next_due_at'], ['updated_at'], ['status'], ['assignee_id'], ['street_id'], ['community_id'], ['resident_id']],
};

type BoardRow = Row & Record<keyof typeof BOARD_TABLE.columns, string | number | null>;

/** Sorts after every real due time: a case waiting for no one's deadline. */
export const NO_DUE = '9999-12-31T23:59:59.999Z';

const termsOf = (row: BoardRow) =>
  ({ calendar: row.sla_calendar, signFor: row.sla_sign_for, resolve: row.sla_resolve, dispatch: row.sla_dispatch ?? undefined }) as SlaTerms;

/** Back in the dispatch centre's queue (a return, a recall, a transfer, a reopen): its dispatch limit runs again. */
const queueAgain = (row: BoardRow, at: string, env: ProjectionEnv) =>
  Object.assign(row, { dispatch_due_at: env.settings.sla.dispatchDue(termsOf(row), at), dispatch_overdue_flag: 0 });

/** A case back in the dispatch centre's queue: nobody holds it, no sign-for limit runs. */
const BACK_IN_QUEUE = { status: 'received', tier: null, assignee_id: null, dispatched_at: null, sign_due_at: null, sign_late: 0, sign_overdue_flag: 0 };

/** The deadline the case waits on now: signing for while dispatched, resolution while accepted. */
const nextDue = (row: BoardRow) =>
  (row.status === 'dispatched' ? row.sign_due_at : row.status === 'accepted' ? row.resolve_due_at : null) ?? NO_DUE;

/** The dispatch board: one row per case with its current status, due times, flags and counters. */
function apply(doc: BoardRow | undefined, e: CaseEventEnvelope, out: RowSink, env: ProjectionEnv): BoardRow | undefined {
  if (e.type !== 'CaseReceived' && !doc) return undefined;
  let row: BoardRow;
  if (e.type === 'CaseReceived') {
    const area = env.org.area(e.data.compoundId);
    const received = periodKeys(e.at, env.settings.timeZone);
    const terms = env.settings.sla.termsOf(e.data);
    row = {
      case_id: e.caseId, status: 'received', tier: null, assignee_id: null, compound_id: e.data.compoundId,
      grid_id: area.gridId, community_id: area.communityId, street_id: area.streetId, district_id: area.districtId,
      company_id: area.companyId, category: e.data.category, channel: e.data.channel, urgency: e.data.urgency,
      request_type: e.data.requestType, description: e.data.description, received_at: e.at, received_day: received.day,
      received_week: received.week, received_month: received.month, round_started_at: e.at, dispatched_at: null,
      accepted_at: null, resolved_at: null, closed_at: null, closure_kind: null, sla_policy_version: terms.policyVersion,
      sla_calendar: terms.calendar, sla_sign_for: terms.signFor, sla_resolve: terms.resolve, sign_due_at: null,
      resolve_due_at: null, next_due_at: NO_DUE, sign_late: 0, resolve_late: 0, sign_overdue_flag: 0,
      resolve_overdue_flag: 0, sign_due_provisional: 0, resolve_due_provisional: 0, ever_sign_overdue: 0, ever_resolve_overdue: 0,
      sla_dispatch: terms.dispatch ?? null, dispatch_due_at: env.settings.sla.dispatchDue(terms, e.at), dispatch_overdue_flag: 0,
      ever_dispatch_overdue: 0, returns: 0, escalations: 0, reworks: 0, reminders: 0, whistles: 0, open_whistles: 0,
      whistle_departments: '', open_supervisions: 0, rating: null, updated_at: e.at, position: e.position,
      resident_id: e.data.residentId ?? null,
      personal_data_erased_at: null,
    };
  } else if (e.type === 'PersonalDataUnmasked') {
    // Reading personal data is not handling the case: it leaves the row as it was.
    return undefined;
  } else if (e.type === 'PersonalDataErased') {
    // Erasing is not handling either: only the copy of the resident's words goes, and the link
    // to the resident (an erased case leaves their "my cases" list).
    row = { ...doc!, description: ERASED, resident_id: null, personal_data_erased_at: e.at, position: e.position };
  } else {
    // Changed in place (56 columns copied per event were most of what a rebuild allocated): the
    // row is this case's document, and only its last state is written (see RowSink).
    row = doc!;
    row.updated_at = e.at;
    row.position = e.position;
    switch (e.type) {
      case 'CaseDispatched':
      case 'CaseEscalated':
        row.status = 'dispatched';
        row.tier = e.type === 'CaseDispatched' ? e.data.tier : e.data.toTier;
        row.assignee_id = e.type === 'CaseDispatched' ? e.data.assigneeId : e.data.toAssigneeId;
        if (e.type === 'CaseDispatched' && row.dispatch_due_at !== null && e.at > String(row.dispatch_due_at)) row.ever_dispatch_overdue = 1;
        row.dispatched_at = e.at;
        row.accepted_at = null;
        row.sign_due_at = env.settings.sla.due(termsOf(row), 'signFor', e.at);
        row.sign_due_provisional = env.settings.sla.provisional(termsOf(row), e.at, row.sign_due_at) ? 1 : 0;
        row.sign_late = 0;
        row.sign_overdue_flag = 0;
        // A new holder: the previous one's resolution limit and overdue flag no longer apply (everOverdue keeps them).
        Object.assign(row, { resolve_due_at: null, resolve_overdue_flag: 0, resolve_due_provisional: 0 });
        if (e.type === 'CaseEscalated') row.escalations = Number(row.escalations) + 1;
        break;
      case 'CaseAccepted':
        row.status = 'accepted';
        row.accepted_at = e.at;
        row.sign_late = e.at > String(row.sign_due_at) ? 1 : 0;
        if (row.sign_late) row.ever_sign_overdue = 1;
        row.resolve_due_at = env.settings.sla.due(termsOf(row), 'resolve', e.at);
        row.resolve_due_provisional = env.settings.sla.provisional(termsOf(row), e.at, row.resolve_due_at) ? 1 : 0;
        row.resolve_overdue_flag = 0;
        break;
      case 'CaseReturned':
        Object.assign(row, BACK_IN_QUEUE);
        row.returns = Number(row.returns) + 1;
        queueAgain(row, e.at, env);
        break;
      case 'DispatchRecalled':
        Object.assign(row, BACK_IN_QUEUE);
        queueAgain(row, e.at, env);
        break;
      case 'CaseTransferred': {
        const area = env.org.area(e.data.toCompoundId);
        Object.assign(row, BACK_IN_QUEUE, {
          accepted_at: null, resolve_due_at: null, compound_id: e.data.toCompoundId, grid_id: area.gridId, community_id: area.communityId,
          street_id: area.streetId, district_id: area.districtId, company_id: area.companyId,
        });
        queueAgain(row, e.at, env);
        break;
      }
      case 'CaseReturnReviewed':
        if (e.data.approved) break;
        // Rejected: the unit that returned the case must handle it, its resolution limit running from now.
        Object.assign(row, { status: 'accepted', tier: e.data.tier, assignee_id: e.data.assigneeId, dispatched_at: e.at, accepted_at: e.at });
        row.resolve_due_at = env.settings.sla.due(termsOf(row), 'resolve', e.at);
        row.resolve_due_provisional = env.settings.sla.provisional(termsOf(row), e.at, row.resolve_due_at) ? 1 : 0;
        row.resolve_overdue_flag = 0;
        break;
      case 'CaseReminded':
        row.reminders = Number(row.reminders) + 1;
        break;
      case 'WhistleWithdrawn':
        row.open_whistles = Number(row.open_whistles) - 1;
        break;
      case 'SupervisionEnded':
        row.open_supervisions = Number(row.open_supervisions) - 1;
        break;
      case 'ExtensionDecided':
        if (e.data.approved) Object.assign(row, { resolve_due_at: e.data.until, resolve_due_provisional: 0 });
        break;
      case 'CaseResolved':
        row.status = 'resolved';
        row.resolved_at = e.at;
        row.resolve_late = row.resolve_due_at !== null && e.at > String(row.resolve_due_at) ? 1 : 0;
        if (row.resolve_late) row.ever_resolve_overdue = 1;
        break;
      case 'WhistleBlown':
        row.whistles = Number(row.whistles) + 1;
        row.open_whistles = Number(row.open_whistles) + 1;
        row.whistle_departments = [...new Set([...String(row.whistle_departments).split(',').filter(Boolean), ...e.data.departmentIds])]
          .sort().map((id) => `,${id}`).join('') + ',';
        break;
      case 'WhistleCompleted':
        row.open_whistles = Number(row.open_whistles) - 1;
        break;
      case 'SupervisionOrdered':
        row.open_supervisions = Number(row.open_supervisions) + 1;
        break;
      case 'SupervisionAnswered':
        row.open_supervisions = Number(row.open_supervisions) - 1;
        break;
      case 'CaseRated':
        row.rating = e.data.rating;
        break;
      case 'CaseReopened':
        Object.assign(row, {
          status: 'received', tier: null, assignee_id: null, dispatched_at: null, accepted_at: null, resolved_at: null,
          sign_due_at: null, sign_late: 0, resolve_late: 0, sign_overdue_flag: 0, resolve_overdue_flag: 0, rating: null,
          round_started_at: e.at, resolve_due_at: null, reworks: e.data.reworkCount,
        });
        queueAgain(row, e.at, env);
        break;
      case 'CaseClosed':
        row.status = 'closed';
        row.closed_at = e.at;
        row.closure_kind = e.data.kind;
        break;
      case 'DispatchOverdue':
        Object.assign(row, { dispatch_overdue_flag: 1, ever_dispatch_overdue: 1 });
        break;
      case 'SignForOverdue':
        Object.assign(row, { sign_overdue_flag: 1, ever_sign_overdue: 1 });
        break;
      case 'ResolutionOverdue':
        Object.assign(row, { resolve_overdue_flag: 1, ever_resolve_overdue: 1 });
        break;
      case 'DeadlineRescheduled':
        // An imported calendar year moved it: the event carries the new due time, whatever calendar this projector has.
        if (e.data.kind === 'sign_for_overdue') Object.assign(row, { sign_due_at: e.data.dueAt, sign_due_provisional: e.data.provisional ? 1 : 0 });
        if (e.data.kind === 'resolution_overdue') Object.assign(row, { resolve_due_at: e.data.dueAt, resolve_due_provisional: e.data.provisional ? 1 : 0 });
        break;
      // Handling that changes no column but when the case was last touched.
      case 'CaseNoteAdded': case 'ExtensionRequested': case 'DepartmentReported': case 'DepartmentActed':
      case 'DuplicateMerged': case 'SignForWarned': case 'ResolutionWarned': case 'WhistleReportOverdue':
      case 'SupervisionAnswerOverdue': case 'DispatchWarned':
        break;
      default: {
        const unknown: never = e;
        throw new Error(`board: unhandled case event ${(unknown as { type: string }).type}`);
      }
    }
  }
  row.next_due_at = nextDue(row);
  out.put(BOARD_TABLE.name, row);
  return row;
}

export const boardProjection: Projection<BoardRow> = {
  name: 'board',
  // 4: resident_id; 5: personal_data_erased_at
  version: 5,
  tables: [BOARD_TABLE],
  stateTable: BOARD_TABLE.name,
  apply,
};
