import { SlaTerms, Urgency } from '@civicloop/domain';
import { Area } from '../org';
import { periodKeys } from '../periods';
import { CaseEventEnvelope, ProjectionEnv } from '../projection';
import { Row } from '../table-spec';

/** The stats projection's working document of a case. */
export interface StatsDoc {
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

export const departmentOf = (unitId: string | null, env: ProjectionEnv) => (env.org.kind(unitId) === 'department' ? unitId : null);

/*
 * Each row is built as one literal, the area and period columns written out rather than spread in
 * from intermediate objects: a rebuild builds millions of these, and the copies were most of its
 * garbage. The key order is the one the documents have always been stored with.
 */

export function newRound(doc: Pick<StatsDoc, 'area' | 'category' | 'urgency'>, caseId: string, round: number, at: string, env: ProjectionEnv): Row {
  const { area } = doc;
  const period = periodKeys(at, env.settings.timeZone);
  return {
    case_id: caseId, round, handler_id: null, department_id: null, urgency: doc.urgency,
    street_id: area.streetId, community_id: area.communityId, grid_id: area.gridId, compound_id: area.compoundId,
    category: doc.category, day: period.day, week: period.week, month: period.month,
    started_at: at, resolve_due_at: null, resolved_at: null,
    resolve_ms: null, resolve_business_ms: null, resolve_late: null, closed_at: null, close_ms: null, close_business_ms: null,
  };
}

/** A unit's (or the dispatch centre's) spell holding the case, from the event `e` on. */
export function newCustody(doc: StatsDoc, e: CaseEventEnvelope, unitId: string, departmentId: string | null, tier: string, env: ProjectionEnv): Row {
  const { area } = doc;
  const period = periodKeys(e.at, env.settings.timeZone);
  return {
    case_id: e.caseId, seq: e.position, department_id: departmentId, tier,
    street_id: area.streetId, community_id: area.communityId, grid_id: area.gridId, compound_id: area.compoundId,
    category: doc.category, day: period.day, week: period.week, month: period.month,
    unit_id: unitId, from_at: e.at, to_at: null, end_kind: null, held_ms: null, held_business_ms: null,
  };
}

export function newDispatch(doc: StatsDoc, e: CaseEventEnvelope, assigneeId: string, departmentId: string | null, tier: string, env: ProjectionEnv): Row {
  const { area } = doc;
  const period = periodKeys(e.at, env.settings.timeZone);
  const assigneeArea = env.org.unitArea(assigneeId);
  return {
    case_id: e.caseId, seq: e.position, department_id: departmentId, tier,
    street_id: area.streetId, community_id: area.communityId, grid_id: area.gridId, compound_id: area.compoundId,
    category: doc.category, day: period.day, week: period.week, month: period.month,
    assignee_id: assigneeId, urgency: doc.urgency, dispatched_at: e.at, sign_due_at: env.settings.sla.due(doc.terms, 'signFor', e.at), outcome: 'pending', outcome_at: null,
    sign_ms: null, sign_business_ms: null, signed_in_time: 0, sign_late: 0,
    assignee_street_id: assigneeArea.streetId, assignee_community_id: assigneeArea.communityId, return_review: null,
  };
}

export function newRating(doc: StatsDoc, e: CaseEventEnvelope & { type: 'CaseRated' }, env: ProjectionEnv): Row {
  const { area } = doc;
  const period = periodKeys(e.at, env.settings.timeZone);
  const handlerArea = env.org.unitArea(doc.assigneeId);
  return {
    case_id: e.caseId, seq: e.position, round: doc.roundRow.round, handler_id: doc.assigneeId, department_id: departmentOf(doc.assigneeId, env),
    street_id: area.streetId, community_id: area.communityId, grid_id: area.gridId, compound_id: area.compoundId,
    category: doc.category, day: period.day, week: period.week, month: period.month,
    rated_at: e.at, rating: e.data.rating, solved: e.data.solved ? 1 : 0,
    handler_street_id: handlerArea.streetId, handler_community_id: handlerArea.communityId,
  };
}

