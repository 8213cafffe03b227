/**
 * The SLA terms in force for one case, fixed at intake so that a later policy never rewrites the
 * deadlines of cases already running. Limits are ISO-8601 durations counted on `calendar` (a
 * business calendar id, or `wallclock`); `escalateOnResolveOverdue` holds "fromTier>toTier" pairs
 * ("street>" when the policy names no higher tier).
 */
export type SlaTerms = {
  policyVersion: string;
  calendar: string;
  signFor: string;
  resolve: string;
  whistleReport: string;
  supervisionAnswer: string;
  ratingWindow: string;
  warnAt: number;
  escalateOnResolveOverdue: string[];
  /** Intake (or a return, or a reopen) to dispatch; absent on policies and cases from before it existed. */
  dispatch?: string;
};

/**
 * The terms as recorded on CaseReceived: flat, because event data hold primitives and arrays only.
 * Absent on cases taken in before SLA terms were recorded.
 */
export type SlaTermsAtIntake = {
  slaPolicyVersion?: string;
  slaCalendar?: string;
  slaSignFor?: string;
  slaResolve?: string;
  slaWhistleReport?: string;
  slaSupervisionAnswer?: string;
  slaRatingWindow?: string;
  slaWarnAt?: number;
  slaEscalateOnResolveOverdue?: string[];
  slaDispatch?: string;
};

export const flattenSlaTerms = (t: SlaTerms): SlaTermsAtIntake => ({
  slaPolicyVersion: t.policyVersion, slaCalendar: t.calendar, slaSignFor: t.signFor, slaResolve: t.resolve,
  slaWhistleReport: t.whistleReport, slaSupervisionAnswer: t.supervisionAnswer, slaRatingWindow: t.ratingWindow,
  slaWarnAt: t.warnAt, slaEscalateOnResolveOverdue: [...t.escalateOnResolveOverdue],
  ...(t.dispatch !== undefined && { slaDispatch: t.dispatch }),
});

/** Reads the flat terms back; a record missing any term (from before SLA terms) has none. */
export function slaTermsAtIntake(d: SlaTermsAtIntake): SlaTerms | null {
  const {
    slaPolicyVersion: policyVersion, slaCalendar: calendar, slaSignFor: signFor, slaResolve: resolve,
    slaWhistleReport: whistleReport, slaSupervisionAnswer: supervisionAnswer, slaRatingWindow: ratingWindow, slaWarnAt: warnAt,
  } = d;
  if (policyVersion === undefined || calendar === undefined || signFor === undefined || resolve === undefined ||
    whistleReport === undefined || supervisionAnswer === undefined || ratingWindow === undefined || warnAt === undefined) {
    return null;
  }
  return {
    policyVersion, calendar, signFor, resolve, whistleReport, supervisionAnswer, ratingWindow, warnAt,
    escalateOnResolveOverdue: [...(d.slaEscalateOnResolveOverdue ?? [])],
    ...(d.slaDispatch !== undefined && { dispatch: d.slaDispatch }),
  };
}
