import { CaseEvent } from './case.events';
import { CaseState, WhistleState } from './case.state';
import { ERASED } from './personal-data/personal-data';

const involve = (state: CaseState, ...unitIds: string[]) =>
  [...state.involvedUnitIds, ...unitIds.filter((id) => !state.involvedUnitIds.includes(id))];

const updateWhistle = (state: CaseState, whistleId: string, change: (w: WhistleState) => WhistleState) =>
  state.whistles.map((w) => (w.whistleId === whistleId ? change(w) : w));

/** Back in the dispatch centre's queue: nobody holds the case. */
const unheld = (s: CaseState): CaseState => ({
  ...s, status: 'received', tier: null, assigneeId: null, heldBy: null, dispatchedAt: null, acceptedAt: null,
});

/**
 * Folds one event into the state. `at` is the event's occurred-at from its metadata, so the same
 * function serves the write side and an auditor's replay to any point in time.
 */
export function evolve(state: CaseState, event: CaseEvent, at: string): CaseState {
  const s: CaseState = { ...state, updatedAt: at };
  switch (event.type) {
    case 'CaseReceived': {
      const d = event.data;
      return {
        ...s,
        id: d.caseId,
        status: 'received',
        channel: d.channel,
        category: d.category,
        urgency: d.urgency,
        requestType: d.requestType,
        description: d.description,
        location: { compoundId: d.compoundId, building: d.building, unit: d.unit, lat: d.lat, long: d.long },
        reporter: { name: d.reporterName, phone: d.reporterPhone, anonymous: d.anonymous },
        receivedAt: at,
        residentId: d.residentId ?? null,
      };
    }
    case 'CaseDispatched':
      return {
        ...s, status: 'dispatched', tier: event.data.tier, assigneeId: event.data.assigneeId, heldBy: 'dispatch', dispatchedAt: at,
        acceptedAt: null, involvedUnitIds: involve(s, event.data.assigneeId),
      };
    case 'CaseAccepted':
      return { ...s, status: 'accepted', acceptedAt: at };
    case 'CaseReturned': {
      const record = { ...event.data, at };
      return { ...unheld(s), returns: [...s.returns, record], pendingReturn: record };
    }
    case 'CaseReturnReviewed':
      if (event.data.approved) return { ...s, pendingReturn: null };
      // Rejected: back to the unit that returned it, which must now handle it (继续办理).
      return {
        ...s, status: 'accepted', pendingReturn: null, tier: event.data.tier, assigneeId: event.data.assigneeId,
        heldBy: 'return_rejected', dispatchedAt: at, acceptedAt: at,
      };
    case 'DispatchRecalled':
      return unheld(s);
    case 'CaseTransferred':
      return {
        ...unheld(s),
        location: { compoundId: event.data.toCompoundId, building: null, unit: null, lat: null, long: null },
        pendingReturn: null, pendingExtension: null, extendedUntil: null,
      };
    case 'CaseReminded':
      return { ...s, reminderCount: s.reminderCount + 1 };
    case 'WhistleWithdrawn':
      return { ...s, whistles: updateWhistle(s, event.data.whistleId, (w) => ({ ...w, withdrawnAt: at })) };
    case 'DuplicateMerged':
      return { ...s, duplicateCaseIds: [...s.duplicateCaseIds, event.data.duplicateCaseId] };
    case 'SupervisionEnded':
      return {
        ...s,
        supervisions: s.supervisions.map((o) => (o.supervisionId === event.data.supervisionId ? { ...o, endedAt: at } : o)),
      };
    case 'CaseNoteAdded':
      return { ...s, noteCount: s.noteCount + 1 };
    case 'ExtensionRequested':
      return { ...s, pendingExtension: { ...event.data, requestedAt: at } };
    case 'ExtensionDecided':
      return {
        ...s,
        pendingExtension: null,
        extendedUntil: event.data.approved ? event.data.until : s.extendedUntil,
      };
    case 'CaseResolved':
      return { ...s, status: 'resolved', resolvedAt: at, resolution: { ...event.data, at } };
    case 'CaseEscalated':
      return {
        ...s,
        status: 'dispatched',
        tier: event.data.toTier,
        assigneeId: event.data.toAssigneeId,
        heldBy: 'escalation',
        dispatchedAt: at,
        acceptedAt: null,
        escalations: [...s.escalations, { ...event.data, at }],
        involvedUnitIds: involve(s, event.data.toAssigneeId),
      };
    case 'WhistleBlown':
      return {
        ...s,
        whistles: [
          ...s.whistles,
          { ...event.data, blownAt: at, reportedAt: {}, actions: {}, completedAt: null, withdrawnAt: null },
        ],
        involvedUnitIds: involve(s, ...event.data.departmentIds),
      };
    case 'DepartmentReported':
      return {
        ...s,
        whistles: updateWhistle(s, event.data.whistleId, (w) => ({
          ...w, reportedAt: { ...w.reportedAt, [event.data.departmentId]: at },
        })),
      };
    case 'DepartmentActed':
      return {
        ...s,
        whistles: updateWhistle(s, event.data.whistleId, (w) => ({
          ...w, actions: { ...w.actions, [event.data.departmentId]: { action: event.data.action, at } },
        })),
      };
    case 'WhistleCompleted':
      return { ...s, whistles: updateWhistle(s, event.data.whistleId, (w) => ({ ...w, completedAt: at })) };
    case 'SupervisionOrdered':
      return {
        ...s,
        supervisions: [...s.supervisions, { ...event.data, orderedAt: at, answer: null, answeredAt: null, endedAt: null }],
      };
    case 'SupervisionAnswered':
      return {
        ...s,
        supervisions: s.supervisions.map((o) =>
          o.supervisionId === event.data.supervisionId ? { ...o, answer: event.data.answer, answeredAt: at } : o),
      };
    case 'CaseRated':
      return { ...s, rating: { ...event.data, at } };
    case 'CaseReopened':
      return {
        ...unheld(s),
        resolvedAt: null,
        resolution: null,
        rating: null,
        previousRatings: s.rating ? [...s.previousRatings, s.rating] : s.previousRatings,
        pendingExtension: null,
        extendedUntil: null,
        reworkCount: event.data.reworkCount,
      };
    // Deadline facts change no status: escalation and closure come as their own events.
    case 'SignForWarned': case 'SignForOverdue': case 'ResolutionWarned':
    case 'ResolutionOverdue': case 'WhistleReportOverdue': case 'SupervisionAnswerOverdue': case 'DeadlineRescheduled':
    case 'DispatchWarned': case 'DispatchOverdue':
      return s;
    case 'CaseClosed':
      return { ...s, status: 'closed', closedAt: at, closure: { ...event.data, at } };
    case 'PersonalDataUnmasked':
      return { ...state, unmaskCount: state.unmaskCount + 1 };
    case 'PersonalDataErased':
      return erasedState(state, at);
    default: {
      const unknown: never = event;
      throw new Error(`unknown case event ${(unknown as { type: string }).type}`);
    }
  }
}

const erasedText = (value: string | null) => (value === null ? null : ERASED);

/** The resident's words and identity read ERASED from now on; what is structural stays as it was. */
function erasedState(state: CaseState, at: string): CaseState {
  return {
    ...state,
    personalDataErasedAt: at,
    description: erasedText(state.description),
    location: state.location && { ...state.location, building: erasedText(state.location.building), unit: erasedText(state.location.unit) },
    reporter: state.reporter && { ...state.reporter, name: erasedText(state.reporter.name), phone: erasedText(state.reporter.phone) },
    rating: state.rating && { ...state.rating, comment: erasedText(state.rating.comment) },
    previousRatings: state.previousRatings.map((r) => ({ ...r, comment: erasedText(r.comment) })),
  };
}
