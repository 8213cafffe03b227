import { CaseEvent } from './case.events';
import { CaseState, WhistleState } from './case.state';

const involve = (state: CaseState, ...unitIds: string[]) =>
  [...state.involvedUnitIds, ...unitIds.filter((id) => !state.involvedUnitIds.includes(id))];

const updateWhistle = (state: CaseState, whistleId: string, change: (w: WhistleState) => WhistleState) =>
  state.whistles.map((w) => (w.whistleId === whistleId ? change(w) : w));

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
        ...s, status: 'dispatched', tier: event.data.tier, assigneeId: event.data.assigneeId, dispatchedAt: at, acceptedAt: null,
        involvedUnitIds: involve(s, event.data.assigneeId),
      };
    case 'CaseAccepted':
      return { ...s, status: 'accepted', acceptedAt: at };
    case 'CaseReturned':
      return {
        ...s,
        status: 'received',
        tier: null,
        assigneeId: null,
        dispatchedAt: null,
        returns: [...s.returns, { ...event.data, at }],
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
          { ...event.data, blownAt: at, reportedAt: {}, actions: {}, completedAt: null },
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
        supervisions: [...s.supervisions, { ...event.data, orderedAt: at, answer: null, answeredAt: null }],
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
        ...s,
        status: 'received',
        tier: null,
        assigneeId: null,
        dispatchedAt: null,
        acceptedAt: null,
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
    default: {
      const unknown: never = event;
      throw new Error(`unknown case event ${(unknown as { type: string }).type}`);
    }
  }
}
