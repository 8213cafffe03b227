import { BusinessCalendar, loadDefaultCalendar, SlaPolicy, slaPolicyOf, slaTermsFor, WALLCLOCK } from '@civicloop/deadlines';
import { SlaTerms, slaTermsAtIntake } from '@civicloop/domain';
import { CachedCalendar } from './business-time';

export type ViewLimit = 'signFor' | 'resolve' | 'whistleReport';

/** Due instants under a case's SLA terms: the same terms and calendar the deadline scheduler uses. */
export interface SlaSource {
  /** The terms recorded at intake; cases taken in before terms were recorded get the policy's. */
  termsOf(intake: Record<string, unknown>): SlaTerms;
  due(terms: SlaTerms, limit: ViewLimit, fromIso: string): string;
  /** The dispatch limit from intake, a return or a reopen; null for terms without one (cases from before it existed). */
  dispatchDue(terms: SlaTerms, fromIso: string): string | null;
  /** Whether that due time was counted through a calendar year not yet official (it may still move). */
  provisional(terms: SlaTerms, fromIso: string, dueIso: string): boolean;
}

/**
 * Everything the projections and views depend on besides the events. Projection inputs (time zone,
 * SLA policy for old cases, business calendar) are baked into the read models: change them, then rebuild.
 */
export interface ViewSettings {
  /** Days, weeks and months are counted in this IANA zone. */
  timeZone: string;
  sla: SlaSource;
  /** Weight of "basically satisfied" in the satisfaction rate. */
  basicallySatisfiedWeight: number;
  /** Weights of the three rates in the monthly score (any scale; normalised). */
  threeRateWeights: { response: number; resolution: number; satisfaction: number };
  /** Working milliseconds between two instants (the business calendar). */
  businessMillis: (fromIso: string, toIso: string) => number;
}

export function slaSource(policy: SlaPolicy, calendar: BusinessCalendar | CachedCalendar): SlaSource {
  const cached = calendar instanceof CachedCalendar ? calendar : new CachedCalendar(calendar);
  const addLimit = (terms: SlaTerms, iso: string, fromIso: string) => {
    const ms = cached.limitMillis(iso, terms.calendar);
    return terms.calendar === WALLCLOCK ? new Date(Date.parse(fromIso) + ms).toISOString() : cached.add(fromIso, Math.round(ms));
  };
  // The policy's terms per category and urgency: a rebuild asks once per case, the answer never changes.
  const policyTerms = new Map<string, SlaTerms>();
  const termsFor = (category: string, urgency: string) => {
    const key = `${category}|${urgency}`;
    let terms = policyTerms.get(key);
    if (!terms) policyTerms.set(key, (terms = slaTermsFor(policy, category, urgency)));
    return terms;
  };
  return {
    termsOf: (intake) => slaTermsAtIntake(intake) ?? termsFor(String(intake.category), String(intake.urgency)),
    due: (terms, limit, fromIso) => addLimit(terms, terms[limit], fromIso),
    dispatchDue: (terms, fromIso) => (terms.dispatch === undefined ? null : addLimit(terms, terms.dispatch, fromIso)),
    provisional: (terms, fromIso, dueIso) => terms.calendar !== WALLCLOCK && cached.countedOnProvisional(fromIso, dueIso),
  };
}

export interface ViewSettingsInput {
  timeZone?: string;
  slaPolicyFile?: string;
  basicallySatisfiedWeight?: number;
  threeRateWeights?: { response: number; resolution: number; satisfaction: number };
}

export function viewSettings(input: ViewSettingsInput = {}): ViewSettings {
  const calendar = new CachedCalendar(loadDefaultCalendar());
  return {
    timeZone: input.timeZone ?? 'Asia/Shanghai',
    sla: slaSource(slaPolicyOf(input.slaPolicyFile, [calendar.calendar.id]), calendar),
    basicallySatisfiedWeight: input.basicallySatisfiedWeight ?? 0.8,
    threeRateWeights: input.threeRateWeights ?? { response: 30, resolution: 35, satisfaction: 35 },
    businessMillis: (from, to) => calendar.millisBetween(from, to),
  };
}
