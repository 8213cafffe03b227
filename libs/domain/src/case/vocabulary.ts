/** Closed vocabularies of the case loop. Arrays double as runtime lists for validation. */
export const CHANNELS = ['hotline_12345', 'phone', 'visit', 'mailbox', 'online', 'grid_patrol', 'joint_meeting'] as const;
export type Channel = (typeof CHANNELS)[number];

export const URGENCIES = ['normal', 'urgent', 'critical'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const REQUEST_TYPES = ['consult', 'help', 'complaint', 'report', 'suggestion'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** The escalation ladder, lowest first: 小事不出网格、大事不出社区、难事不出街道. */
export const TIERS = ['grid', 'community', 'street', 'district'] as const;
export type Tier = (typeof TIERS)[number];

export const RETURN_REASONS = ['not_our_jurisdiction', 'unclear_ownership', 'overlapping_remit', 'other'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

export const OUTCOMES = ['resolved', 'explained_not_resolvable'] as const;
export type ResolutionOutcome = (typeof OUTCOMES)[number];

export const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

/** The roles a person can hold (in the directory, in a token). */
export const ROLES = ['resident', 'operator', 'handler', 'supervisor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** Who can act on a case: a person, or the engine itself (the deadline worker); no token carries `system`. */
export type ActorRole = Role | 'system';

export const CASE_STATUSES = ['received', 'dispatched', 'accepted', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export type ClosureKind = 'rated' | 'withdrawn' | 'duplicate' | 'rating_window_expired';

export function nextTier(tier: Tier): Tier | null {
  const index = TIERS.indexOf(tier);
  return index >= 0 && index < TIERS.length - 1 ? TIERS[index + 1] : null;
}
