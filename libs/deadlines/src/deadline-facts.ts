import { DEADLINE_KINDS, isCaseEvent, SlaTerms, slaTermsAtIntake, Tier } from '@civicloop/domain';

/**
 * What the deadlines of one case depend on, folded from its recorded events. Each anchor keeps the
 * revision of the event that set it: a deadline is named by that revision, so a deadline set by an
 * older event (the case was re-dispatched, accepted, extended...) is recognisably stale.
 */
export interface DeadlineFacts {
  caseId: string;
  streamId: string;
  status: 'none' | 'received' | 'dispatched' | 'accepted' | 'resolved' | 'closed';
  category: string | null;
  urgency: string | null;
  tier: Tier | null;
  revision: number;
  terms: SlaTerms | null;
  /** Waiting for dispatch since: intake, a return (recall, transfer) or a reopen. */
  dispatch: Anchor | null;
  signFor: Anchor | null;
  resolve: (Anchor & { extendedUntil: string | null }) | null;
  whistles: { whistleId: string; at: string; revision: number; departmentIds: string[]; reported: string[]; completed: boolean }[];
  supervisions: { supervisionId: string; at: string; revision: number; answerBy: string | null; answered: boolean }[];
  ratingWindow: Anchor | null;
  /** Ids of deadlines already recorded as reached. */
  reached: Set<string>;
  /** `<deadlineId>@<calendarVersion>` of every DeadlineRescheduled: a calendar import moves a deadline once. */
  rescheduled: Set<string>;
}

export interface Anchor {
  at: string;
  revision: number;
}

/** The slice of a recorded event the fold reads (a RecordedEvent fits). */
export interface FactEvent {
  type: string;
  data: Record<string, unknown>;
  streamId: string;
  revision: number;
  metadata: { occurredAt: string };
}

export const initialDeadlineFacts = (streamId = ''): DeadlineFacts => ({
  caseId: '', streamId, status: 'none', category: null, urgency: null, tier: null, revision: -1, terms: null,
  dispatch: null, signFor: null, resolve: null, whistles: [], supervisions: [], ratingWindow: null, reached: new Set(), rescheduled: new Set(),
});

/** Folds one event into the facts, in place (the fold runs over whole histories and the whole store). */
export function applyDeadlineFact(f: DeadlineFacts, event: FactEvent): DeadlineFacts {
  f.revision = event.revision;
  f.streamId = event.streamId;
  if (!isCaseEvent(event)) return f;
  const anchor: Anchor = { at: event.metadata.occurredAt, revision: event.revision };
  const backInQueue = () => Object.assign(f, { status: 'received', tier: null, signFor: null, resolve: null, dispatch: anchor });
  switch (event.type) {
    case 'SignForWarned': case 'SignForOverdue': case 'ResolutionWarned': case 'ResolutionOverdue':
    case 'WhistleReportOverdue': case 'SupervisionAnswerOverdue': case 'DispatchWarned': case 'DispatchOverdue':
      f.reached.add(event.data.deadlineId);
      break;
    case 'DeadlineRescheduled':
      f.rescheduled.add(`${event.data.deadlineId}@${event.data.calendarVersion}`);
      break;
    case 'CaseReceived':
      Object.assign(f, { caseId: event.data.caseId, status: 'received', category: event.data.category, urgency: event.data.urgency, dispatch: anchor });
      f.terms = slaTermsAtIntake(event.data);
      break;
    case 'CaseDispatched':
      Object.assign(f, { status: 'dispatched', tier: event.data.tier, signFor: anchor, resolve: null, dispatch: null });
      break;
    case 'CaseEscalated':
      Object.assign(f, { status: 'dispatched', tier: event.data.toTier, signFor: anchor, resolve: null });
      break;
    case 'CaseAccepted':
      Object.assign(f, { status: 'accepted', signFor: null, resolve: { ...anchor, extendedUntil: null } });
      break;
    case 'CaseReturnReviewed':
      // A rejected return sends the case back to its unit, which must handle it from now on.
      if (!event.data.approved) Object.assign(f, { status: 'accepted', tier: event.data.tier, signFor: null, resolve: { ...anchor, extendedUntil: null }, dispatch: null });
      break;
    case 'ExtensionDecided':
      if (event.data.approved && f.resolve) f.resolve = { at: f.resolve.at, revision: event.revision, extendedUntil: event.data.until };
      break;
    case 'CaseReturned': case 'DispatchRecalled': case 'CaseTransferred':
      backInQueue();
      break;
    case 'CaseResolved':
      Object.assign(f, { status: 'resolved', resolve: null, ratingWindow: anchor });
      break;
    case 'CaseRated':
      f.ratingWindow = null;
      break;
    case 'CaseReopened':
      backInQueue();
      f.ratingWindow = null;
      break;
    case 'CaseClosed':
      Object.assign(f, { status: 'closed', dispatch: null, signFor: null, resolve: null, ratingWindow: null, whistles: [], supervisions: [] });
      break;
    case 'WhistleBlown':
      f.whistles.push({ whistleId: event.data.whistleId, at: anchor.at, revision: anchor.revision, departmentIds: [...event.data.departmentIds], reported: [], completed: false });
      break;
    case 'DepartmentReported':
      f.whistles.find((w) => w.whistleId === event.data.whistleId)?.reported.push(event.data.departmentId);
      break;
    case 'WhistleCompleted': case 'WhistleWithdrawn':
      for (const w of f.whistles) if (w.whistleId === event.data.whistleId) w.completed = true;
      break;
    case 'SupervisionOrdered':
      f.supervisions.push({ supervisionId: event.data.supervisionId, at: anchor.at, revision: anchor.revision, answerBy: event.data.answerBy, answered: false });
      break;
    case 'SupervisionAnswered': case 'SupervisionEnded':
      for (const o of f.supervisions) if (o.supervisionId === event.data.supervisionId) o.answered = true;
      break;
    // No deadline depends on these.
    case 'CaseNoteAdded': case 'ExtensionRequested': case 'DepartmentActed': case 'PersonalDataUnmasked': case 'PersonalDataErased':
    case 'CaseReminded': case 'DuplicateMerged':
      break;
    default: {
      const unknown: never = event;
      throw new Error(`deadline facts: unhandled case event ${(unknown as { type: string }).type}`);
    }
  }
  return f;
}

export function foldDeadlineFacts(events: FactEvent[]): DeadlineFacts {
  const facts = initialDeadlineFacts(events[0]?.streamId);
  for (const event of events) applyDeadlineFact(facts, event);
  return facts;
}

export const isDeadlineKind = (value: unknown): value is (typeof DEADLINE_KINDS)[number] =>
  DEADLINE_KINDS.includes(value as (typeof DEADLINE_KINDS)[number]);
