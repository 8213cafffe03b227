import {
  CaseStatus, Channel, ClosureKind, Rating, RequestType, ResolutionOutcome, ReturnReason, Tier, Urgency,
} from './vocabulary';

export interface WhistleState {
  whistleId: string;
  departmentIds: string[];
  reason: string;
  blownAt: string;
  reportedAt: Record<string, string>;
  actions: Record<string, { action: string; at: string }>;
  completedAt: string | null;
  /** Withdrawn by the street or a higher supervisor: it no longer blocks resolve. */
  withdrawnAt: string | null;
}

export interface SupervisionState {
  supervisionId: string;
  reason: string;
  answerBy: string | null;
  orderedAt: string;
  answer: string | null;
  answeredAt: string | null;
  /** Ended unanswered because the case itself ended (withdrawn, merged, rating window). */
  endedAt: string | null;
}

export interface RatingState {
  rating: Rating;
  solved: boolean;
  comment: string | null;
  source: 'resident' | 'callback';
  at: string;
}

/** Where the case is: the structural part (the building and unit the resident gave are in IntakeDetails). */
export interface CaseLocation {
  compoundId: string; lat: number | null; long: number | null;
}

/**
 * What the resident gave at intake: their words, home and identity (the personal fields of
 * CaseReceived, and whether they asked to stay anonymous). The state holds the intake's data by
 * reference and the fold never reads these fields: no decision needs them, and a store may decrypt
 * them only when they are read. Views read them through residentDetailsOf (personal-data).
 */
export interface IntakeDetails {
  readonly description: string;
  readonly building: string | null;
  readonly unit: string | null;
  readonly reporterName: string | null;
  readonly reporterPhone: string | null;
  readonly anonymous: boolean;
}

export interface ReturnRecord { assigneeId: string; tier: Tier; reason: ReturnReason; note: string | null; at: string }

/** How the current holder came to hold the case: only a plain dispatch can be recalled. */
export type HoldKind = 'dispatch' | 'escalation' | 'return_rejected';

export interface CaseState {
  id: string;
  status: CaseStatus | 'none';
  channel: Channel | null;
  category: string | null;
  urgency: Urgency | null;
  requestType: RequestType | null;
  location: CaseLocation | null;
  /** The intake's data, by reference (see IntakeDetails): read through residentDetailsOf, never in a fold. */
  intake: IntakeDetails | null;
  /** Transferred to another compound: the intake's building and unit no longer say where the case is. */
  movedFromIntakeAddress: boolean;
  tier: Tier | null;
  assigneeId: string | null;
  heldBy: HoldKind | null;
  receivedAt: string | null;
  dispatchedAt: string | null;
  acceptedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  updatedAt: string | null;
  reworkCount: number;
  returns: ReturnRecord[];
  /** A return waiting for the dispatch centre's review (退单审核). */
  pendingReturn: ReturnRecord | null;
  escalations: { fromTier: Tier; toTier: Tier; fromAssigneeId: string; toAssigneeId: string; reason: string; at: string }[];
  whistles: WhistleState[];
  supervisions: SupervisionState[];
  pendingExtension: { until: string; reason: string; requestedAt: string } | null;
  /** The resolution deadline set by an approved extension, if any. */
  extendedUntil: string | null;
  resolution: { summary: string; outcome: ResolutionOutcome; at: string } | null;
  rating: RatingState | null;
  /** Ratings of earlier rounds, kept when a case is reopened. */
  previousRatings: RatingState[];
  closure: { kind: ClosureKind; reason: string; mergedIntoCaseId: string | null; at: string } | null;
  noteCount: number;
  reminderCount: number;
  /** Cases closed as duplicates of this one. */
  duplicateCaseIds: string[];
  /** The reporting resident's user id, when a resident reported through the app. */
  residentId: string | null;
  /** Every unit the case has been dispatched or escalated to, and every whistled department. */
  involvedUnitIds: string[];
  unmaskCount: number;
  /** When the resident's personal data was erased (PersonalDataErased), else null. */
  personalDataErasedAt: string | null;
}

export const initialCaseState = (): CaseState => ({
  id: '', status: 'none', channel: null, category: null, urgency: null, requestType: null,
  location: null, intake: null, movedFromIntakeAddress: false, tier: null, assigneeId: null, heldBy: null,
  receivedAt: null, dispatchedAt: null, acceptedAt: null, resolvedAt: null, closedAt: null, updatedAt: null,
  reworkCount: 0, returns: [], pendingReturn: null, escalations: [], whistles: [], supervisions: [],
  pendingExtension: null, extendedUntil: null, resolution: null, rating: null, previousRatings: [], closure: null,
  noteCount: 0, reminderCount: 0, duplicateCaseIds: [], residentId: null, involvedUnitIds: [], unmaskCount: 0,
  personalDataErasedAt: null,
});

/** A case that exists: it has a location and a status of its own. */
export type ExistingCase = CaseState & { status: CaseStatus; location: CaseLocation };
/** A case some unit holds (waiting for its sign-for, or being handled by it). */
export type HeldCase = ExistingCase & { status: 'dispatched' | 'accepted'; tier: Tier; assigneeId: string };

export const exists = (state: CaseState): state is ExistingCase => state.status !== 'none' && state.location !== null;

export const isHeld = (state: CaseState): state is HeldCase =>
  exists(state) && (state.status === 'dispatched' || state.status === 'accepted') && state.tier !== null && state.assigneeId !== null;

/** Whistles that still block resolve: neither completed nor withdrawn. */
export const openWhistles = (state: CaseState): WhistleState[] =>
  state.whistles.filter((w) => w.completedAt === null && w.withdrawnAt === null);

/** Supervision orders still waiting for an answer. */
export const openSupervisions = (state: CaseState): SupervisionState[] =>
  state.supervisions.filter((o) => o.answeredAt === null && o.endedAt === null);
