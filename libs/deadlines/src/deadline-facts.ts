import { DEADLINE_KINDS, SlaTerms, slaTermsAtIntake, Tier } from '@civicloop/domain';

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
  /** Waiting for dispatch since: intake, a return or a reopen. */
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

const DEADLINE_EVENTS_WITH_ID = new Set([
  'SignForWarned', 'SignForOverdue', 'ResolutionWarned', 'ResolutionOverdue', 'WhistleReportOverdue', 'SupervisionAnswerOverdue',
  'DispatchWarned', 'DispatchOverdue',
]);

/** Folds one event into the facts, in place (the fold runs over whole histories and the whole store). */
export function applyDeadlineFact(f: DeadlineFacts, event: FactEvent): DeadlineFacts {
  const d = event.data as Record<string, never>;
  const anchor: Anchor = { at: event.metadata.occurredAt, revision: event.revision };
  f.revision = event.revision;
  f.streamId = event.streamId;
  if (DEADLINE_EVENTS_WITH_ID.has(event.type)) f.reached.add(d.deadlineId);
  switch (event.type) {
    case 'CaseReceived':
      Object.assign(f, { caseId: d.caseId, status: 'received', category: d.category, urgency: d.urgency, dispatch: anchor });
      f.terms = slaTermsAtIntake(event.data);
      break;
    case 'CaseDispatched':
    case 'CaseEscalated':
      Object.assign(f, { status: 'dispatched', tier: d.tier ?? d.toTier, signFor: anchor, resolve: null, dispatch: null });
      break;
    case 'CaseAccepted':
      Object.assign(f, { status: 'accepted', signFor: null, resolve: { ...anchor, extendedUntil: null } });
      break;
    case 'ExtensionDecided':
      if (d.approved && f.resolve) f.resolve = { at: f.resolve.at, revision: event.revision, extendedUntil: d.until };
      break;
    case 'CaseReturned':
      Object.assign(f, { status: 'received', tier: null, signFor: null, dispatch: anchor });
      break;
    case 'CaseResolved':
      Object.assign(f, { status: 'resolved', resolve: null, ratingWindow: anchor });
      break;
    case 'CaseRated':
      f.ratingWindow = null;
      break;
    case 'CaseReopened':
      Object.assign(f, { status: 'received', tier: null, signFor: null, resolve: null, ratingWindow: null, dispatch: anchor });
      break;
    case 'CaseClosed':
      Object.assign(f, { status: 'closed', dispatch: null, signFor: null, resolve: null, ratingWindow: null, whistles: [], supervisions: [] });
      break;
    case 'WhistleBlown':
      f.whistles.push({ whistleId: d.whistleId, at: anchor.at, revision: anchor.revision, departmentIds: [...(d.departmentIds as string[])], reported: [], completed: false });
      break;
    case 'DepartmentReported':
      f.whistles.find((w) => w.whistleId === d.whistleId)?.reported.push(d.departmentId);
      break;
    case 'WhistleCompleted':
      for (const w of f.whistles) if (w.whistleId === d.whistleId) w.completed = true;
      break;
    case 'SupervisionOrdered':
      f.supervisions.push({ supervisionId: d.supervisionId, at: anchor.at, revision: anchor.revision, answerBy: d.answerBy ?? null, answered: false });
      break;
    case 'DeadlineRescheduled':
      f.rescheduled.add(`${d.deadlineId}@${d.calendarVersion}`);
      break;
    case 'SupervisionAnswered':
      for (const o of f.supervisions) if (o.supervisionId === d.supervisionId) o.answered = true;
      break;
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
