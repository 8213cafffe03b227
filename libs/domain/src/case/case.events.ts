import {
  Channel, ClosureKind, Rating, RequestType, ResolutionOutcome, ReturnReason, Tier, Urgency,
} from './vocabulary';
import { DEADLINE_EVENT_TYPES, DeadlineEvent } from './deadline/deadline.events';
import { SlaTermsAtIntake } from './deadline/sla-terms';

/** Event data holds JSON primitives, ISO-8601 strings and arrays of them: nothing else. */
type Event<Type extends string, Data extends Record<string, unknown>> = { type: Type; data: Data };

export type CaseReceived = Event<'CaseReceived', {
  caseId: string;
  channel: Channel;
  category: string;
  urgency: Urgency;
  requestType: RequestType;
  description: string;
  compoundId: string;
  building: string | null;
  unit: string | null;
  lat: number | null;
  long: number | null;
  reporterName: string | null;
  reporterPhone: string | null;
  anonymous: boolean;
  /** The resident's user id when residents report themselves (their own cases); null otherwise. */
  residentId: string | null;
} & SlaTermsAtIntake>;
export type CaseDispatched = Event<'CaseDispatched', { assigneeId: string; tier: Tier }>;
export type CaseAccepted = Event<'CaseAccepted', { assigneeId: string; tier: Tier }>;
export type CaseReturned = Event<'CaseReturned', {
  assigneeId: string; tier: Tier; reason: ReturnReason; note: string | null;
}>;
export type CaseNoteAdded = Event<'CaseNoteAdded', { text: string }>;
export type ExtensionRequested = Event<'ExtensionRequested', { until: string; reason: string }>;
export type ExtensionDecided = Event<'ExtensionDecided', { approved: boolean; until: string; note: string | null }>;
export type CaseResolved = Event<'CaseResolved', { summary: string; outcome: ResolutionOutcome }>;
export type CaseEscalated = Event<'CaseEscalated', {
  fromTier: Tier; toTier: Tier; fromAssigneeId: string; toAssigneeId: string; reason: string;
}>;
export type WhistleBlown = Event<'WhistleBlown', { whistleId: string; departmentIds: string[]; reason: string }>;
export type DepartmentReported = Event<'DepartmentReported', { whistleId: string; departmentId: string }>;
export type DepartmentActed = Event<'DepartmentActed', { whistleId: string; departmentId: string; action: string }>;
export type WhistleCompleted = Event<'WhistleCompleted', { whistleId: string }>;
export type SupervisionOrdered = Event<'SupervisionOrdered', {
  supervisionId: string; reason: string; answerBy: string | null;
}>;
export type SupervisionAnswered = Event<'SupervisionAnswered', { supervisionId: string; answer: string }>;
export type CaseRated = Event<'CaseRated', {
  rating: Rating; solved: boolean; comment: string | null; source: 'resident' | 'callback';
}>;
export type CaseReopened = Event<'CaseReopened', { reason: string; reworkCount: number }>;
/** An auditor saw the resident's personal data unmasked: recorded because privacy demands it. */
export type PersonalDataUnmasked = Event<'PersonalDataUnmasked', { reason: string }>;
/** The case's data key was destroyed: every personal field of its history now reads ERASED (PIPL art. 47). */
export type PersonalDataErased = Event<'PersonalDataErased', { reason: string }>;
export type CaseClosed = Event<'CaseClosed', { kind: ClosureKind; reason: string; mergedIntoCaseId: string | null }>;
/** 转办: the case was filed under the wrong compound; it waits for dispatch in the new jurisdiction. */
export type CaseTransferred = Event<'CaseTransferred', {
  fromCompoundId: string; toCompoundId: string; reason: string; previousAssigneeId: string | null; previousTier: Tier | null;
}>;
/** 催办: a reminder to the unit holding the case. */
export type CaseReminded = Event<'CaseReminded', { assigneeId: string; tier: Tier; note: string }>;
/** 撤回: the dispatch centre took back a dispatch before it was signed for. */
export type DispatchRecalled = Event<'DispatchRecalled', { assigneeId: string; tier: Tier; reason: string }>;
/** The street (or a higher supervisor) withdrew a whistle; its missing departments no longer block resolve. */
export type WhistleWithdrawn = Event<'WhistleWithdrawn', { whistleId: string; reason: string; pendingDepartmentIds: string[] }>;
/** 退单审核: approved, the case waits for dispatch; rejected, it goes back to the unit that returned it. */
export type CaseReturnReviewed = Event<'CaseReturnReviewed', {
  approved: boolean; note: string | null; assigneeId: string; tier: Tier;
}>;
/** On the primary case: another case was closed as its duplicate. */
export type DuplicateMerged = Event<'DuplicateMerged', { duplicateCaseId: string }>;
/** A supervision order left unanswered when the case itself ended (withdrawn, merged, rating window). */
export type SupervisionEnded = Event<'SupervisionEnded', { supervisionId: string; reason: string }>;

export type CaseEvent =
  | DeadlineEvent
  | CaseReceived | CaseDispatched | CaseAccepted | CaseReturned | CaseNoteAdded
  | ExtensionRequested | ExtensionDecided | CaseResolved | CaseEscalated
  | WhistleBlown | DepartmentReported | DepartmentActed | WhistleCompleted
  | SupervisionOrdered | SupervisionAnswered | CaseRated | CaseReopened | CaseClosed | PersonalDataUnmasked | PersonalDataErased
  | CaseTransferred | CaseReminded | DispatchRecalled | WhistleWithdrawn | CaseReturnReviewed | DuplicateMerged
  | SupervisionEnded;

export type CaseEventType = CaseEvent['type'];

export const CASE_EVENT_TYPES: readonly CaseEventType[] = [
  ...DEADLINE_EVENT_TYPES,
  'CaseReceived', 'CaseDispatched', 'CaseAccepted', 'CaseReturned', 'CaseNoteAdded',
  'ExtensionRequested', 'ExtensionDecided', 'CaseResolved', 'CaseEscalated',
  'WhistleBlown', 'DepartmentReported', 'DepartmentActed', 'WhistleCompleted',
  'SupervisionOrdered', 'SupervisionAnswered', 'CaseRated', 'CaseReopened', 'CaseClosed', 'PersonalDataUnmasked', 'PersonalDataErased',
  'CaseTransferred', 'CaseReminded', 'DispatchRecalled', 'WhistleWithdrawn', 'CaseReturnReviewed', 'DuplicateMerged',
  'SupervisionEnded',
];

/** Bumped when the shape of any event's data changes; readers upcast older versions. */
export const CASE_EVENT_SCHEMA_VERSION = 1;

/**
 * Narrows a stored event (type and data as read back) to the case event union, so consumers
 * switch on it exhaustively; an event of another kind (a calendar, say) is not a case event.
 */
export function isCaseEvent<E extends { type: string; data: Record<string, unknown> }>(event: E): event is E & CaseEvent {
  return (CASE_EVENT_TYPES as readonly string[]).includes(event.type);
}
