import { CaseState, residentDetailsOf } from '@civicloop/domain';
import type { CaseSlaView } from '@civicloop/deadlines';

/** The answer of GET /cases/{id}: the folded state in the shape operators read. */
export function toCaseView(state: CaseState, revision: number, sla: CaseSlaView | null = null) {
  const { status, pendingExtension, extendedUntil, whistles, supervisions, intake: _intake, movedFromIntakeAddress: _moved, location, ...rest } = state;
  const { description, reporter, building, unit } = residentDetailsOf(state);
  return {
    ...rest,
    description,
    location: location && { compoundId: location.compoundId, building, unit, lat: location.lat, long: location.long },
    reporter,
    status,
    revision,
    /** SLA policy version recorded at intake and the deadlines still pending, with due times. */
    sla,
    extension: { pending: pendingExtension, approvedUntil: extendedUntil },
    whistles: whistles.map((w) => ({
      whistleId: w.whistleId,
      reason: w.reason,
      blownAt: w.blownAt,
      // A withdrawn whistle no longer waits for anyone: it is not open.
      status: w.completedAt ? 'complete' : w.withdrawnAt ? 'withdrawn' : 'open',
      completedAt: w.completedAt,
      withdrawnAt: w.withdrawnAt,
      departments: w.departmentIds.map((departmentId) => ({
        departmentId,
        reportedAt: w.reportedAt[departmentId] ?? null,
        action: w.actions[departmentId]?.action ?? null,
        actedAt: w.actions[departmentId]?.at ?? null,
      })),
    })),
    supervisions: supervisions.map((o) => ({ ...o, status: o.answer === null ? 'open' : 'answered' })),
  };
}

export type CaseView = ReturnType<typeof toCaseView>;
