import {
  Channel, ClosureKind, Rating, RequestType, ResolutionOutcome, ReturnReason, Tier, Urgency,
} from './vocabulary';
import { DEADLINE_EVENT_TYPES, DeadlineEvent, SlaTermsAtIntake } from './case.deadlines';

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
export type CaseClosed = Event<'CaseClosed', { kind: ClosureKind; reason: string; mergedIntoCaseId: string | null }>;

export type CaseEvent =
  | DeadlineEvent
  | CaseReceived | CaseDispatched | CaseAccepted | CaseReturned | CaseNoteAdded
  | ExtensionRequested | ExtensionDecided | CaseResolved | CaseEscalated
  | WhistleBlown | DepartmentReported | DepartmentActed | WhistleCompleted
  | SupervisionOrdered | SupervisionAnswered | CaseRated | CaseReopened | CaseClosed | PersonalDataUnmasked;

export type CaseEventType = CaseEvent['type'];

export const CASE_EVENT_TYPES: readonly CaseEventType[] = [
  ...DEADLINE_EVENT_TYPES,
  'CaseReceived', 'CaseDispatched', 'CaseAccepted', 'CaseReturned', 'CaseNoteAdded',
  'ExtensionRequested', 'ExtensionDecided', 'CaseResolved', 'CaseEscalated',
  'WhistleBlown', 'DepartmentReported', 'DepartmentActed', 'WhistleCompleted',
  'SupervisionOrdered', 'SupervisionAnswered', 'CaseRated', 'CaseReopened', 'CaseClosed', 'PersonalDataUnmasked',
];

/** Bumped when the shape of any event's data changes; readers upcast older versions. */
export const CASE_EVENT_SCHEMA_VERSION = 1;
