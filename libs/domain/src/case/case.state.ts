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
}

export interface SupervisionState {
  supervisionId: string;
  reason: string;
  answerBy: string | null;
  orderedAt: string;
  answer: string | null;
  answeredAt: string | null;
}

export interface RatingState {
  rating: Rating;
  solved: boolean;
  comment: string | null;
  source: 'resident' | 'callback';
  at: string;
}

export interface CaseState {
  id: string;
  status: CaseStatus | 'none';
  channel: Channel | null;
  category: string | null;
  urgency: Urgency | null;
  requestType: RequestType | null;
  description: string | null;
  location: { compoundId: string; building: string | null; unit: string | null; lat: number | null; long: number | null } | null;
  reporter: { name: string | null; phone: string | null; anonymous: boolean } | null;
  tier: Tier | null;
  assigneeId: string | null;
  receivedAt: string | null;
  dispatchedAt: string | null;
  acceptedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  updatedAt: string | null;
  reworkCount: number;
  returns: { assigneeId: string; tier: Tier; reason: ReturnReason; note: string | null; at: string }[];
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
  /** The reporting resident's user id, when a resident reported through the app. */
  residentId: string | null;
  /** Every unit the case has been dispatched or escalated to, and every whistled department. */
  involvedUnitIds: string[];
  unmaskCount: number;
}

export const initialCaseState = (): CaseState => ({
  id: '',
  status: 'none',
  channel: null,
  category: null,
  urgency: null,
  requestType: null,
  description: null,
  location: null,
  reporter: null,
  tier: null,
  assigneeId: null,
  receivedAt: null,
  dispatchedAt: null,
  acceptedAt: null,
  resolvedAt: null,
  closedAt: null,
  updatedAt: null,
  reworkCount: 0,
  returns: [],
  escalations: [],
  whistles: [],
  supervisions: [],
  pendingExtension: null,
  extendedUntil: null,
  resolution: null,
  rating: null,
  previousRatings: [],
  closure: null,
  noteCount: 0,
  residentId: null,
  involvedUnitIds: [],
  unmaskCount: 0,
});

export const openWhistles = (state: CaseState): WhistleState[] => state.whistles.filter((w) => w.completedAt === null);
