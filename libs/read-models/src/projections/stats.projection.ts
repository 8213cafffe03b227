import { SlaTerms, Urgency } from '@civicloop/domain';
import { Area } from '../org';
import { periodKeys } from '../periods';
import { CaseEventEnvelope, Projection, ProjectionEnv, RowSink } from '../projection';
import { ColumnType, Row, TableSpec } from '../table-spec';

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

interface StatsDoc {
  terms: SlaTerms;
  area: Area;
  category: string;
  urgency: Urgency;
  assigneeId: string | null;
  roundRow: Row;
  dispatch: Row | null;
  custody: Row | null;
  /** The last dispatch that ended in a return, until the dispatch centre reviews the return. */
  returned?: Row | null;
}

/** Who holds a case waiting for dispatch (at intake, after a return, recall, transfer or reopen): the dispatch centre's queue. */
export const DISPATCH_CENTRE = 'dispatch-centre';

const departmentOf = (unitId: string | null, env: ProjectionEnv) => (env.org.kind(unitId) === 'department' ? unitId : null);

function where(doc: Pick<StatsDoc, 'area' | 'category'>, at: string, env: ProjectionEnv): Row {
  return {
    street_id: doc.area.streetId, community_id: doc.area.communityId, grid_id: doc.area.gridId,
    compound_id: doc.area.compoundId, category: doc.category, ...periodKeys(at, env.settings.timeZone),
  };
}

function newRound(doc: Pick<StatsDoc, 'area' | 'category' | 'urgency' | 'terms'>, caseId: string, round: number, at: string, env: ProjectionEnv): Row {
  return {
    case_id: caseId, round, handler_id: null, department_id: null, urgency: doc.urgency, ...where(doc, at, env),
    started_at: at, resolve_due_at: null, resolved_at: null,
    resolve_ms: null, resolve_business_ms: null, resolve_late: null, closed_at: null, close_ms: null, close_business_ms: null,
  };
}

const span = (from: unknown, to: string, env: ProjectionEnv) => ({
  ms: Date.parse(to) - Date.parse(String(from)),
  business: env.settings.businessMillis(String(from), to),
});

function endCustody(doc: StatsDoc, e: CaseEventEnvelope, kind: string, out: RowSink, env: ProjectionEnv): void {
  if (!doc.custody) return;
  const held = span(doc.custody.from_at, e.at, env);
  out.put(CUSTODY.name, { ...doc.custody, to_at: e.at, end_kind: kind, held_ms: held.ms, held_business_ms: held.business });
  doc.custody = null;
}

function endDispatch(doc: StatsDoc, e: CaseEventEnvelope, outcome: string, out: RowSink): Row | null {
  if (!doc.dispatch) return null;
  const ended = { ...doc.dispatch, outcome, outcome_at: e.at };
  out.put(DISPATCHES.name, ended);
  doc.dispatch = null;
  return ended;
}

/** The dispatch centre's clock runs from intake, a return, a recall, a transfer or a reopen until the next dispatch or closure. */
function queueAtDispatchCentre(doc: StatsDoc, e: CaseEventEnvelope, out: RowSink, env: ProjectionEnv): void {
  doc.custody = {
    case_id: e.caseId, seq: e.position, department_id: null, tier: 'dispatch_centre', ...where(doc, e.at, env),
    unit_id: DISPATCH_CENTRE, from_at: e.at, to_at: null, end_kind: null, held_ms: null, held_business_ms: null,
  };
  out.put(CUSTODY.name, doc.custody);
}

/** The return review (退单审核) marks the returned dispatch: an approved return leaves the response rate, a rejected one counts. */
function markReturnReview(doc: StatsDoc, approved: boolean, out: RowSink): void {
  if (!doc.returned) return;
  out.put(DISPATCHES.name, { ...doc.returned, return_review: approved ? 'approved' : 'rejected' });
  doc.returned = null;
}

function apply(doc: StatsDoc | undefined, e: CaseEventEnvelope, out: RowSink, env: ProjectionEnv): StatsDoc | undefined {
  if (e.type === 'CaseReceived') {
    const base = { terms: env.settings.sla.termsOf(e.data), area: env.org.area(e.data.compoundId), category: e.data.category, urgency: e.data.urgency };
    const created: StatsDoc = { ...base, assigneeId: null, roundRow: newRound(base, e.caseId, 0, e.at, env), dispatch: null, custody: null };
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
      const common = { case_id: e.caseId, seq: e.position, department_id: departmentOf(assigneeId, env), tier, ...where(doc, e.at, env) };
      doc.assigneeId = assigneeId;
      doc.dispatch = {
        ...common, assignee_id: assigneeId, urgency: doc.urgency, dispatched_at: e.at,
        sign_due_at: env.settings.sla.due(doc.terms, 'signFor', e.at), outcome: 'pending', outcome_at: null,
        sign_ms: null, sign_business_ms: null, signed_in_time: 0, sign_late: 0,
        assignee_street_id: env.org.unitArea(assigneeId).streetId, assignee_community_id: env.org.unitArea(assigneeId).communityId,
        return_review: null,
      };
      doc.custody = { ...common, unit_id: assigneeId, from_at: e.at, to_at: null, end_kind: null, held_ms: null, held_business_ms: null };
      out.put(DISPATCHES.name, doc.dispatch);
      out.put(CUSTODY.name, doc.custody);
      return doc;
    }
    case 'CaseAccepted': {
      // The resolution limit runs from each acceptance, as the deadline scheduler counts it.
      doc.roundRow = { ...doc.roundRow, resolve_due_at: env.settings.sla.due(doc.terms, 'resolve', e.at) };
      out.put(ROUNDS.name, doc.roundRow);
      if (!doc.dispatch) return doc;
      const late = e.at > String(doc.dispatch.sign_due_at) ? 1 : 0;
      const signed = span(doc.dispatch.dispatched_at, e.at, env);
      doc.dispatch = { ...doc.dispatch, sign_ms: signed.ms, sign_business_ms: signed.business, signed_in_time: 1 - late, sign_late: late };
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
      doc.custody = {
        case_id: e.caseId, seq: e.position, department_id: departmentOf(e.data.assigneeId, env), tier: e.data.tier, ...where(doc, e.at, env),
        unit_id: e.data.assigneeId, from_at: e.at, to_at: null, end_kind: null, held_ms: null, held_business_ms: null,
      };
      out.put(CUSTODY.name, doc.custody);
      doc.roundRow = { ...doc.roundRow, resolve_due_at: env.settings.sla.due(doc.terms, 'resolve', e.at) };
      out.put(ROUNDS.name, doc.roundRow);
      return doc;
    }
    case 'ExtensionDecided':
      if (!e.data.approved) return doc;
      doc.roundRow = { ...doc.roundRow, resolve_due_at: e.data.until };
      out.put(ROUNDS.name, doc.roundRow);
      return doc;
    case 'CaseResolved': {
      endCustody(doc, e, 'resolved', out, env);
      const took = span(doc.roundRow.started_at, e.at, env);
      doc.roundRow = {
        ...doc.roundRow, handler_id: doc.assigneeId, department_id: departmentOf(doc.assigneeId, env), resolved_at: e.at,
        resolve_ms: took.ms, resolve_business_ms: took.business, resolve_late: doc.roundRow.resolve_due_at !== null && e.at > String(doc.roundRow.resolve_due_at) ? 1 : 0,
      };
      out.put(ROUNDS.name, doc.roundRow);
      return doc;
    }
    case 'CaseRated':
      out.put(RATINGS.name, {
        case_id: e.caseId, seq: e.position, round: doc.roundRow.round, handler_id: doc.assigneeId,
        department_id: departmentOf(doc.assigneeId, env), ...where(doc, e.at, env), rated_at: e.at, rating: e.data.rating,
        solved: e.data.solved ? 1 : 0,
        handler_street_id: env.org.unitArea(doc.assigneeId).streetId, handler_community_id: env.org.unitArea(doc.assigneeId).communityId,
      });
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
      const took = span(doc.roundRow.started_at, e.at, env);
      doc.roundRow = {
        ...doc.roundRow, handler_id: doc.roundRow.handler_id ?? doc.assigneeId,
        department_id: doc.roundRow.department_id ?? departmentOf(doc.assigneeId, env),
        closed_at: e.at, close_ms: took.ms, close_business_ms: took.business,
      };
      out.put(ROUNDS.name, doc.roundRow);
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
