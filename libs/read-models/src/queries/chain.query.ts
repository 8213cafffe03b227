import { CHAIN_CASES, CHAIN_STEPS, CHAIN_SUPERVISIONS, CHAIN_WHISTLES } from '../projections/chain.projection';
import { ReadModels } from '../read-models';
import { ViewScope } from './common';

export interface CaseChain {
  caseId: string;
  receivedAt: string;
  /** Tiers the case passed through, in order (repeats collapsed). */
  tiers: string[];
  assignments: {
    via: 'dispatch' | 'escalation';
    tier: string;
    assigneeId: string;
    from: string;
    to: string | null;
    endedBy: string | null;
    escalationReason: string | null;
  }[];
  returns: { assigneeId: string; tier: string; at: string; reason: string; note: string | null }[];
  whistles: {
    whistleId: string;
    reason: string;
    blownAt: string;
    completedAt: string | null;
    departments: {
      departmentId: string;
      reportDueAt: string;
      reportedAt: string | null;
      reportSeconds: number | null;
      reportedLate: boolean | null;
      action: string | null;
      actedAt: string | null;
    }[];
  }[];
  supervisions: {
    supervisionId: string;
    orderedByUnitId: string | null;
    reason: string;
    orderedAt: string;
    answerBy: string | null;
    answer: string | null;
    answeredAt: string | null;
    status: 'open' | 'answered';
  }[];
}

/** The escalation chain of one case; null when there is no such case (or it lies outside the scope). */
export async function queryCaseChain(models: ReadModels, caseId: string, scope?: ViewScope): Promise<CaseChain | null> {
  const t = await models.tables('chain');
  const head = await models.db.selectFrom(t(CHAIN_CASES.name)).selectAll().where('case_id', '=', caseId).executeTakeFirst();
  if (!head) return null;
  const steps = await models.db.selectFrom(t(CHAIN_STEPS.name)).selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
  const whistles = await models.db.selectFrom(t(CHAIN_WHISTLES.name)).selectAll().where('case_id', '=', caseId)
    .orderBy('blown_at').orderBy('whistle_id').orderBy('department_id').execute();
  const supervisions = await models.db.selectFrom(t(CHAIN_SUPERVISIONS.name)).selectAll().where('case_id', '=', caseId)
    .orderBy('ordered_at').orderBy('supervision_id').execute();
  if (scope) {
    const units = new Set(scope.unitIds);
    const visible = units.has(String(head.compound_id)) || steps.some((s) => units.has(String(s.unit_id)))
      || whistles.some((w) => units.has(String(w.department_id)));
    if (!visible) return null;
  }
  const tiers: string[] = [];
  for (const s of steps) if (tiers[tiers.length - 1] !== s.tier) tiers.push(String(s.tier));
  const byWhistle = new Map<string, CaseChain['whistles'][number]>();
  for (const w of whistles) {
    const id = String(w.whistle_id);
    if (!byWhistle.has(id)) byWhistle.set(id, { whistleId: id, reason: w.reason, blownAt: w.blown_at, completedAt: w.completed_at, departments: [] });
    byWhistle.get(id)!.departments.push({
      departmentId: w.department_id, reportDueAt: w.report_due_at, reportedAt: w.reported_at,
      reportSeconds: w.report_ms === null ? null : Number(w.report_ms) / 1000,
      reportedLate: w.report_late === null ? null : Number(w.report_late) === 1, action: w.action, actedAt: w.acted_at,
    });
  }
  return {
    caseId,
    receivedAt: String(head.received_at),
    tiers,
    assignments: steps.map((s) => ({
      via: s.via, tier: s.tier, assigneeId: s.unit_id, from: s.from_at, to: s.to_at, endedBy: s.end_kind, escalationReason: s.escalation_reason,
    })),
    returns: steps.filter((s) => s.end_kind === 'returned').map((s) => ({
      assigneeId: s.unit_id, tier: s.tier, at: s.to_at, reason: s.return_reason, note: s.return_note,
    })),
    whistles: [...byWhistle.values()],
    supervisions: supervisions.map((o) => ({
      supervisionId: o.supervision_id, orderedByUnitId: o.ordered_by_unit_id, reason: o.reason, orderedAt: o.ordered_at,
      answerBy: o.answer_by, answer: o.answer, answeredAt: o.answered_at, status: o.answer === null ? 'open' : 'answered',
    })),
  };
}
