import { SlaTerms } from '@civicloop/domain';
import { Area } from '../org';
import { periodKeys } from '../periods';
import { CaseEventEnvelope, Projection, ProjectionEnv, RowSink } from '../projection';
import { Row, TableSpec } from '../table-spec';

const AREA = { street_id: 'text', community_id: 'text', compound_id: 'text' } as const;
const PERIOD = { day: 'text', week: 'text', month: 'text' } as const;

/** One row per case for the escalation view: where it is and how far it climbed. */
export const CHAIN_CASES: TableSpec = {
  name: 'chain_cases',
  columns: { case_id: 'text', ...AREA, ...PERIOD, received_at: 'text', escalations: 'int', whistles: 'int', returns: 'int', supervisions: 'int' },
  primaryKey: ['case_id'],
  indexes: [['month'], ['day'], ['week']],
};

/** Each assignment of the case: the unit, its tier, how it got there, how long it held it, how it ended. */
export const CHAIN_STEPS: TableSpec = {
  name: 'chain_steps',
  columns: {
    case_id: 'text', seq: 'num', via: 'text', tier: 'text', unit_id: 'text', from_at: 'text', to_at: 'text',
    end_kind: 'text', escalation_reason: 'text', return_reason: 'text', return_note: 'text',
  },
  primaryKey: ['case_id', 'seq'],
};

/** One row per department named in a whistle: when it reported against its limit, what it did. */
export const CHAIN_WHISTLES: TableSpec = {
  name: 'chain_whistles',
  columns: {
    case_id: 'text', whistle_id: 'text', department_id: 'text', ...AREA, ...PERIOD, reason: 'text', blown_at: 'text',
    report_due_at: 'text', reported_at: 'text', report_ms: 'num', report_late: 'int', action: 'text', acted_at: 'text',
    completed_at: 'text',
  },
  primaryKey: ['case_id', 'whistle_id', 'department_id'],
  indexes: [['month'], ['day'], ['week'], ['department_id']],
};

export const CHAIN_SUPERVISIONS: TableSpec = {
  name: 'chain_supervisions',
  columns: {
    case_id: 'text', supervision_id: 'text', ordered_by_unit_id: 'text', reason: 'text', answer_by: 'text',
    ordered_at: 'text', answer: 'text', answered_at: 'text', answered_by_unit_id: 'text',
  },
  primaryKey: ['case_id', 'supervision_id'],
};

interface ChainDoc {
  terms: SlaTerms;
  area: Area;
  caseRow: Row;
  step: Row | null;
  whistles: Record<string, Row[]>;
  supervisions: Record<string, Row>;
}

/*
 * Rows are changed in place and put again (the same key's next state, as RowSink allows), not
 * copied per event: a rebuild's garbage was mostly such copies.
 */

function endStep(doc: ChainDoc, e: CaseEventEnvelope, kind: string, out: RowSink, returned?: { reason: string; note: string | null }): void {
  const step = doc.step;
  if (!step) return;
  step.to_at = e.at;
  step.end_kind = kind;
  if (returned) {
    step.return_reason = returned.reason;
    step.return_note = returned.note;
  }
  out.put(CHAIN_STEPS.name, step);
  doc.step = null;
}

function bump(doc: ChainDoc, column: string, out: RowSink): void {
  doc.caseRow[column] = Number(doc.caseRow[column]) + 1;
  out.put(CHAIN_CASES.name, doc.caseRow);
}

/** Puts each row of the whistle that `change` changed (in place; it says whether it did). */
function updateWhistle(doc: ChainDoc, whistleId: string, out: RowSink, change: (row: Row) => boolean): void {
  // An unknown whistle is kept as an empty list, as it always was (the documents stay as they were written).
  for (const row of (doc.whistles[whistleId] ??= [])) if (change(row)) out.put(CHAIN_WHISTLES.name, row);
}

function apply(doc: ChainDoc | undefined, e: CaseEventEnvelope, out: RowSink, env: ProjectionEnv): ChainDoc | undefined {
  if (e.type === 'CaseReceived') {
    const area = env.org.area(e.data.compoundId);
    const period = periodKeys(e.at, env.settings.timeZone);
    const caseRow = {
      case_id: e.caseId, street_id: area.streetId, community_id: area.communityId, compound_id: area.compoundId,
      day: period.day, week: period.week, month: period.month, received_at: e.at, escalations: 0, whistles: 0, returns: 0, supervisions: 0,
    };
    out.put(CHAIN_CASES.name, caseRow);
    return { terms: env.settings.sla.termsOf(e.data), area, caseRow, step: null, whistles: {}, supervisions: {} };
  }
  if (!doc) return undefined;
  const newStep = (via: string, tier: string, unitId: string, reason: string | null): Row => ({
    case_id: e.caseId, seq: e.position, via, tier, unit_id: unitId, from_at: e.at, to_at: null, end_kind: null,
    escalation_reason: reason, return_reason: null, return_note: null,
  });
  switch (e.type) {
    case 'CaseDispatched':
      doc.step = newStep('dispatch', e.data.tier, e.data.assigneeId, null);
      out.put(CHAIN_STEPS.name, doc.step);
      return doc;
    case 'CaseEscalated':
      endStep(doc, e, 'escalated', out);
      doc.step = newStep('escalation', e.data.toTier, e.data.toAssigneeId, e.data.reason);
      out.put(CHAIN_STEPS.name, doc.step);
      bump(doc, 'escalations', out);
      return doc;
    case 'CaseReturned':
      endStep(doc, e, 'returned', out, e.data);
      bump(doc, 'returns', out);
      return doc;
    case 'CaseResolved':
      // An assignment ends when its unit resolves the case: the wait for a rating is nobody's handling.
      endStep(doc, e, 'resolved', out);
      return doc;
    case 'CaseReopened':
      endStep(doc, e, 'reopened', out);
      return doc;
    case 'DispatchRecalled':
      endStep(doc, e, 'recalled', out);
      return doc;
    case 'CaseTransferred': {
      endStep(doc, e, 'transferred', out);
      // Escalation from now on follows the new compound's tree.
      doc.area = env.org.area(e.data.toCompoundId);
      doc.caseRow.street_id = doc.area.streetId;
      doc.caseRow.community_id = doc.area.communityId;
      doc.caseRow.compound_id = doc.area.compoundId;
      out.put(CHAIN_CASES.name, doc.caseRow);
      return doc;
    }
    case 'CaseReturnReviewed':
      if (e.data.approved) return undefined;
      doc.step = newStep('return_rejected', e.data.tier, e.data.assigneeId, null);
      out.put(CHAIN_STEPS.name, doc.step);
      return doc;
    case 'WhistleWithdrawn':
      updateWhistle(doc, e.data.whistleId, out, (row) => {
        row.completed_at = e.at;
        return true;
      });
      delete doc.whistles[e.data.whistleId];
      return doc;
    case 'SupervisionEnded':
      delete doc.supervisions[e.data.supervisionId];
      return doc;
    case 'CaseClosed':
      endStep(doc, e, 'closed', out);
      return doc;
    case 'WhistleBlown': {
      const period = periodKeys(e.at, env.settings.timeZone);
      doc.whistles[e.data.whistleId] = (e.data.departmentIds as string[]).map((departmentId) => ({
        case_id: e.caseId, whistle_id: e.data.whistleId, department_id: departmentId, street_id: doc.area.streetId,
        community_id: doc.area.communityId, compound_id: doc.area.compoundId, day: period.day, week: period.week, month: period.month, reason: e.data.reason, blown_at: e.at,
        report_due_at: env.settings.sla.due(doc.terms, 'whistleReport', e.at), reported_at: null, report_ms: null,
        report_late: null, action: null, acted_at: null, completed_at: null,
      }));
      doc.whistles[e.data.whistleId].forEach((row) => out.put(CHAIN_WHISTLES.name, row));
      bump(doc, 'whistles', out);
      return doc;
    }
    case 'DepartmentReported':
      updateWhistle(doc, e.data.whistleId, out, (row) => {
        if (row.department_id !== e.data.departmentId) return false;
        row.reported_at = e.at;
        row.report_ms = Date.parse(e.at) - Date.parse(String(row.blown_at));
        row.report_late = e.at > String(row.report_due_at) ? 1 : 0;
        return true;
      });
      return doc;
    case 'DepartmentActed':
      updateWhistle(doc, e.data.whistleId, out, (row) => {
        if (row.department_id !== e.data.departmentId) return false;
        row.action = e.data.action;
        row.acted_at = e.at;
        return true;
      });
      return doc;
    case 'WhistleCompleted':
      updateWhistle(doc, e.data.whistleId, out, (row) => {
        row.completed_at = e.at;
        return true;
      });
      delete doc.whistles[e.data.whistleId];
      return doc;
    case 'SupervisionOrdered':
      doc.supervisions[e.data.supervisionId] = {
        case_id: e.caseId, supervision_id: e.data.supervisionId, ordered_by_unit_id: e.actorUnitId, reason: e.data.reason,
        answer_by: e.data.answerBy, ordered_at: e.at, answer: null, answered_at: null, answered_by_unit_id: null,
      };
      out.put(CHAIN_SUPERVISIONS.name, doc.supervisions[e.data.supervisionId]);
      bump(doc, 'supervisions', out);
      return doc;
    case 'SupervisionAnswered': {
      const order = doc.supervisions[e.data.supervisionId];
      if (!order) return doc;
      order.answer = e.data.answer;
      order.answered_at = e.at;
      order.answered_by_unit_id = e.actorUnitId;
      out.put(CHAIN_SUPERVISIONS.name, order);
      delete doc.supervisions[e.data.supervisionId];
      return doc;
    }
    case 'CaseAccepted': case 'CaseNoteAdded': case 'ExtensionRequested': case 'ExtensionDecided':
    case 'CaseRated': case 'CaseReminded': case 'DuplicateMerged': case 'PersonalDataUnmasked': case 'PersonalDataErased':
    case 'SignForWarned': case 'SignForOverdue': case 'ResolutionWarned': case 'ResolutionOverdue': case 'WhistleReportOverdue':
    case 'SupervisionAnswerOverdue': case 'DeadlineRescheduled': case 'DispatchWarned': case 'DispatchOverdue':
      return undefined;
    default: {
      const unknown: never = e;
      throw new Error(`chain: unhandled case event ${(unknown as { type: string }).type}`);
    }
  }
}

export const chainProjection: Projection<ChainDoc> = {
  name: 'chain',
  version: 3,
  tables: [CHAIN_CASES, CHAIN_STEPS, CHAIN_WHISTLES, CHAIN_SUPERVISIONS],
  apply,
};
