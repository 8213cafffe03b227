import { CaseEventEnvelope, Projection, ProjectionEnv, RowSink } from '../projection';
import { ColumnType, Row, TableSpec } from '../table-spec';
import { departmentOf, newCustody, newDispatch, newRating, newRound, StatsDoc } from './stats-rows';

const WHERE: Record<string, ColumnType> = {
  street_id: 'text', community_id: 'text', grid_id: 'text', compound_id: 'text', category: 'text',
  day: 'text', week: 'text', month: 'text',
};
const byPeriod = [['month'], ['day'], ['week']];

/** One row per dispatch (or escalation): who had to sign for it, by when, and what happened. */
export const DISPATCHES: TableSpec = {
  name: 'stats_dispatches',
  columns: {
    case_id: 'text', seq: 'num', assignee_id: 'text', department_id: 'text', tier: 'text', urgency: 'text', ...WHERE,
    dispatched_at: 'text', sign_due_at: 'text', outcome: 'text', outcome_at: 'text', sign_ms: 'num',
    sign_business_ms: 'num', signed_in_time: 'int', sign_late: 'int', assignee_street_id: 'text', assignee_community_id: 'text',
    return_review: 'text',
  },
  primaryKey: ['case_id', 'seq'],
  indexes: byPeriod,
};

/** One row per rating, attributed to the unit that resolved that round. */
export const RATINGS: TableSpec = {
  name: 'stats_ratings',
  columns: {
    case_id: 'text', seq: 'num', round: 'int', handler_id: 'text', department_id: 'text', ...WHERE,
    rated_at: 'text', rating: 'text', solved: 'int', handler_street_id: 'text', handler_community_id: 'text',
  },
  primaryKey: ['case_id', 'seq'],
  indexes: byPeriod,
};

/** One row per round of handling (intake, then each reopen): resolve and close times. */
export const ROUNDS: TableSpec = {
  name: 'stats_rounds',
  columns: {
    case_id: 'text', round: 'int', handler_id: 'text', department_id: 'text', urgency: 'text', ...WHERE,
    started_at: 'text', resolve_due_at: 'text', resolved_at: 'text', resolve_ms: 'num', resolve_business_ms: 'num',
    resolve_late: 'int', closed_at: 'text', close_ms: 'num', close_business_ms: 'num',
  },
  primaryKey: ['case_id', 'round'],
  indexes: byPeriod,
};

/** One row per spell a unit held the case: from its dispatch until return, escalation, resolution or closure. */
export const CUSTODY: TableSpec = {
  name: 'stats_custody',
  columns: {
    case_id: 'text', seq: 'num', unit_id: 'text', department_id: 'text', tier: 'text', ...WHERE,
    from_at: 'text', to_at: 'text', end_kind: 'text', held_ms: 'num', held_business_ms: 'num',
  },
  primaryKey: ['case_id', 'seq'],
  indexes: byPeriod,
};

/** Who holds a case waiting for dispatch (at intake, after a return, recall, transfer or reopen): the dispatch centre's queue. */
export const DISPATCH_CENTRE = 'dispatch-centre';

/*
 * An ended dispatch, custody spell or round is changed in place and put again (the same key's next
 * state, as RowSink allows) instead of copied per event.
 */

function endCustody(doc: StatsDoc, e: CaseEventEnvelope, kind: string, out: RowSink, env: ProjectionEnv): void {
  const custody = doc.custody;
  if (!custody) return;
  custody.to_at = e.at;
  custody.end_kind = kind;
  custody.held_ms = Date.parse(e.at) - Date.parse(String(custody.from_at));
  custody.held_business_ms = env.settings.businessMillis(String(custody.from_at), e.at);
  out.put(CUSTODY.name, custody);
  doc.custody = null;
}

function endDispatch(doc: StatsDoc, e: CaseEventEnvelope, outcome: string, out: RowSink): Row | null {
  const ended = doc.dispatch;
  if (!ended) return null;
  ended.outcome = outcome;
  ended.outcome_at = e.at;
  out.put(DISPATCHES.name, ended);
  doc.dispatch = null;
  return ended;
}

/** The round's resolution limit, running from `at` (an acceptance, a rejected return). */
function resolveDue(doc: StatsDoc, at: string, out: RowSink, env: ProjectionEnv): void {
  doc.roundRow.resolve_due_at = env.settings.sla.due(doc.terms, 'resolve', at);
  out.put(ROUNDS.name, doc.roundRow);
}

/** The dispatch centre's clock runs from intake, a return, a recall, a transfer or a reopen until the next dispatch or closure. */
function queueAtDispatchCentre(doc: StatsDoc, e: CaseEventEnvelope, out: RowSink, env: ProjectionEnv): void {
  doc.custody = newCustody(doc, e, DISPATCH_CENTRE, null, 'dispatch_centre', env);
  out.put(CUSTODY.name, doc.custody);
}

/** The return review (退单审核) marks the returned dispatch: an approved return leaves the response rate, a rejected one counts. */
function markReturnReview(doc: StatsDoc, approved: boolean, out: RowSink): void {
  if (!doc.returned) return;
  doc.returned.return_review = approved ? 'approved' : 'rejected';
  out.put(DISPATCHES.name, doc.returned);
  doc.returned = null;
}

function apply(doc: StatsDoc | undefined, e: CaseEventEnvelope, out: RowSink, env: ProjectionEnv): StatsDoc | undefined {
  if (e.type === 'CaseReceived') {
    const created: StatsDoc = {
      terms: env.settings.sla.termsOf(e.data), area: env.org.area(e.data.compoundId), category: e.data.category, urgency: e.data.urgency,
      assigneeId: null, roundRow: {}, dispatch: null, custody: null,
    };
    created.roundRow = newRound(created, e.caseId, 0, e.at, env);
    out.put(ROUNDS.name, created.roundRow);
    queueAtDispatchCentre(created, e, out, env);
    return created;
  }
  if (!doc) return undefined;
  switch (e.type) {
    case 'CaseDispatched':
    case 'CaseEscalated': {
      endDispatch(doc, e, 'escalated', out);
      endCustody(doc, e, e.type === 'CaseDispatched' ? 'dispatched' : 'escalated', out, env);
      const assigneeId: string = e.type === 'CaseDispatched' ? e.data.assigneeId : e.data.toAssigneeId;
      const tier: string = e.type === 'CaseDispatched' ? e.data.tier : e.data.toTier;
      const departmentId = departmentOf(assigneeId, env);
      doc.assigneeId = assigneeId;
      doc.dispatch = newDispatch(doc, e, assigneeId, departmentId, tier, env);
      doc.custody = newCustody(doc, e, assigneeId, departmentId, tier, env);
      out.put(DISPATCHES.name, doc.dispatch);
      out.put(CUSTODY.name, doc.custody);
      return doc;
    }
    case 'CaseAccepted': {
      // The resolution limit runs from each acceptance, as the deadline scheduler counts it.
      resolveDue(doc, e.at, out, env);
      const dispatch = doc.dispatch;
      if (!dispatch) return doc;
      const late = e.at > String(dispatch.sign_due_at) ? 1 : 0;
      dispatch.sign_ms = Date.parse(e.at) - Date.parse(String(dispatch.dispatched_at));
      dispatch.sign_business_ms = env.settings.businessMillis(String(dispatch.dispatched_at), e.at);
      dispatch.signed_in_time = 1 - late;
      dispatch.sign_late = late;
      endDispatch(doc, e, 'accepted', out);
      return doc;
    }
    case 'CaseReturned': case 'DispatchRecalled': {
      const ended = endDispatch(doc, e, e.type === 'CaseReturned' ? 'returned' : 'recalled', out);
      if (e.type === 'CaseReturned') doc.returned = ended;
      endCustody(doc, e, e.type === 'CaseReturned' ? 'returned' : 'recalled', out, env);
      doc.assigneeId = null;
      queueAtDispatchCentre(doc, e, out, env);
      return doc;
    }
    case 'CaseTransferred':
      endDispatch(doc, e, 'transferred', out);
      endCustody(doc, e, 'transferred', out, env);
      doc.assigneeId = null;
      doc.area = env.org.area(e.data.toCompoundId);
      queueAtDispatchCentre(doc, e, out, env);
      return doc;
    case 'CaseReturnReviewed': {
      markReturnReview(doc, e.data.approved, out);
      if (e.data.approved) return doc;
      // Rejected: the returning unit holds the case again and must resolve it, its limit running from now.
      endCustody(doc, e, 'return_rejected', out, env);
      doc.assigneeId = e.data.assigneeId;
      doc.custody = newCustody(doc, e, e.data.assigneeId, departmentOf(e.data.assigneeId, env), e.data.tier, env);
      out.put(CUSTODY.name, doc.custody);
      resolveDue(doc, e.at, out, env);
      return doc;
    }
    case 'ExtensionDecided':
      if (!e.data.approved) return doc;
      doc.roundRow.resolve_due_at = e.data.until;
      out.put(ROUNDS.name, doc.roundRow);
      return doc;
    case 'CaseResolved': {
      endCustody(doc, e, 'resolved', out, env);
      const round = doc.roundRow;
      round.handler_id = doc.assigneeId;
      round.department_id = departmentOf(doc.assigneeId, env);
      round.resolved_at = e.at;
      round.resolve_ms = Date.parse(e.at) - Date.parse(String(round.started_at));
      round.resolve_business_ms = env.settings.businessMillis(String(round.started_at), e.at);
      round.resolve_late = round.resolve_due_at !== null && e.at > String(round.resolve_due_at) ? 1 : 0;
      out.put(ROUNDS.name, round);
      return doc;
    }
    case 'CaseRated':
      out.put(RATINGS.name, newRating(doc, e, env));
      return doc;
    case 'CaseReopened':
      doc.assigneeId = null;
      doc.roundRow = newRound(doc, e.caseId, e.data.reworkCount, e.at, env);
      out.put(ROUNDS.name, doc.roundRow);
      queueAtDispatchCentre(doc, e, out, env);
      return doc;
    case 'CaseClosed': {
      endDispatch(doc, e, 'closed', out);
      endCustody(doc, e, 'closed', out, env);
      const round = doc.roundRow;
      round.handler_id ??= doc.assigneeId;
      round.department_id ??= departmentOf(doc.assigneeId, env);
      round.closed_at = e.at;
      round.close_ms = Date.parse(e.at) - Date.parse(String(round.started_at));
      round.close_business_ms = env.settings.businessMillis(String(round.started_at), e.at);
      out.put(ROUNDS.name, round);
      return doc;
    }
    case 'CaseNoteAdded': case 'ExtensionRequested': case 'WhistleBlown': case 'DepartmentReported':
    case 'DepartmentActed': case 'WhistleCompleted': case 'WhistleWithdrawn': case 'SupervisionOrdered': case 'SupervisionAnswered':
    case 'SupervisionEnded': case 'CaseReminded': case 'DuplicateMerged': case 'PersonalDataUnmasked': case 'PersonalDataErased': case 'SignForWarned':
    case 'SignForOverdue': case 'ResolutionWarned': case 'ResolutionOverdue': case 'WhistleReportOverdue': case 'SupervisionAnswerOverdue':
    case 'DeadlineRescheduled': case 'DispatchWarned': case 'DispatchOverdue':
      return undefined;
    default: {
      const unknown: never = e;
      throw new Error(`stats: unhandled case event ${(unknown as { type: string }).type}`);
    }
  }
}

export const statsProjection: Projection<StatsDoc> = {
  name: 'stats',
  version: 3,
  tables: [DISPATCHES, RATINGS, ROUNDS, CUSTODY],
  apply,
};
